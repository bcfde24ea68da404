"""Putting a deleted user back exactly as it was: the undo of DeleteUser.

IAM has no undelete; a recreated user gets a new UserId and today's CreateDate, so policies
that name the old id (``aws:userid``) and reports by date would change. The model can do
better for its own undo: the row comes back with the id, date, path, boundary, last password
use and tags it had (``get_user``'s answer taken before the delete).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from iamdesk.services import entities
from iamdesk.services.errors import already_exists
from iamdesk.services.users import insert_user
from iamdesk.services.validation import check_tags
from iamdesk.store.db import Database
from iamdesk.store.tables import User

log = logging.getLogger(__name__)


def restore_user(db: Database, account_id: str | None, before: Mapping[str, Any]) -> dict[str, Any]:
    """Recreate the user ``before`` describes (``get_user(...)["User"]``); EntityAlreadyExists
    when its name or id is taken again meanwhile."""
    name = str(before["UserName"])
    pairs = check_tags(before.get("Tags") or None)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        taken_id = session.scalars(select(User.pk).where(User.user_id == before["UserId"])).first()
        if entities.name_taken(session, User, account, name) or taken_id is not None:
            raise already_exists("user", name)
        out = insert_user(
            session,
            db,
            account,
            name=name,
            path=str(before["Path"]),
            user_id=str(before["UserId"]),
            create_date=str(before["CreateDate"]),
            boundary=(before.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
            tags=pairs,
            password_last_used=before.get("PasswordLastUsed"),
        )
    log.info("restored user %s (%s)", name, out["UserId"])
    return {"User": out}
