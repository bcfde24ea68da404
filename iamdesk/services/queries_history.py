"""Read-only access to the change log, for the app's History tabs and the dashboard."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import or_, select

from iamdesk.core import jsontext
from iamdesk.services import entities
from iamdesk.store.db import Database
from iamdesk.store.tables import ChangeLogEntry

log = logging.getLogger(__name__)

# The key an entity's name has inside other entities' log entries (membership, attachments).
_NAME_KEYS = {"user": "UserName", "group": "GroupName", "role": "RoleName", "policy": "PolicyArn"}


def list_changes(
    db: Database,
    account_id: str | None,
    *,
    entity_type: str | None = None,
    entity_name: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Newest first. With an entity, also the entries of other entities that name it (adding a
    user to a group is logged on the group, and shows in the user's history too)."""
    t = ChangeLogEntry.__table__  # type: ignore[attr-defined]
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        query = select(
            t.c.pk,
            t.c.at,
            t.c.actor,
            t.c.operation,
            t.c.entity_type,
            t.c.entity_name,
            t.c.before,
            t.c.after,
        ).where(t.c.account_id == account)
        if entity_type is not None and entity_name is not None:
            own = (t.c.entity_type == entity_type) & (t.c.entity_name == entity_name)
            key = _NAME_KEYS.get(entity_type)
            if key is not None:
                needle = f"%{json.dumps({key: entity_name})[1:-1]}%"
                own = or_(own, t.c.before.like(needle), t.c.after.like(needle))
            query = query.where(own)
        elif entity_type is not None:
            query = query.where(t.c.entity_type == entity_type)
        rows = session.execute(query.order_by(t.c.pk.desc()).limit(limit)).all()
    return [
        {
            "At": at,
            "Actor": actor,
            "Operation": operation,
            "EntityType": kind,
            "EntityName": name,
            "Before": _load(before),
            "After": _load(after),
        }
        for _pk, at, actor, operation, kind, name, before, after in rows
    ]


def _load(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return jsontext.loads(text)
    except json.JSONDecodeError:
        return text
