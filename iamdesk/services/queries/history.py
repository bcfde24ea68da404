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
            key = _NAME_KEYS.get(entity_type)
            own = None
            # A renamed entity keeps its history: each earlier name counts up to its rename.
            for name, before_pk in _names_over_time(session, t, account, entity_type, entity_name):
                mine = (t.c.entity_type == entity_type) & (t.c.entity_name == name)
                if key is not None:
                    needle = f"%{json.dumps({key: name})[1:-1]}%"
                    mine = or_(mine, t.c.before.like(needle), t.c.after.like(needle))
                if before_pk is not None:
                    mine = mine & (t.c.pk <= before_pk)
                own = mine if own is None else or_(own, mine)
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


_RENAMES = {"user": "UpdateUser", "group": "UpdateGroup"}
MAX_RENAMES = 50


def _names_over_time(
    session: Any, t: Any, account: str, entity_type: str, name: str
) -> list[tuple[str, int | None]]:
    """(name, last log entry that name covers) for the entity now called ``name``: its current
    name (no bound), then each name it had before a rename, bounded by that rename's entry (a
    later entity may reuse an old name)."""
    names: list[tuple[str, int | None]] = [(name, None)]
    operation, key = _RENAMES.get(entity_type), _NAME_KEYS.get(entity_type)
    if operation is None or key is None:
        return names
    current, bound = name, None
    for _ in range(MAX_RENAMES):
        query = select(t.c.pk, t.c.before, t.c.after).where(
            (t.c.account_id == account)
            & (t.c.entity_type == entity_type)
            & (t.c.operation == operation)
            & t.c.after.like(f"%{json.dumps({key: current})[1:-1]}%")
        )
        if bound is not None:
            query = query.where(t.c.pk < bound)
        found = session.execute(query.order_by(t.c.pk.desc()).limit(1)).first()
        if found is None:
            break
        pk, before, after = found
        old = (_load(before) or {}).get(key)
        if not old or old == current or (_load(after) or {}).get(key) != current:
            break
        names.append((old, pk))
        current, bound = old, pk
    return names


def _load(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return jsontext.loads(text)
    except json.JSONDecodeError:
        return text
