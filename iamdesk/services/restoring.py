"""Putting a deleted user or role back exactly as it was: the undo of DeleteUser/DeleteRole.

IAM has no undelete; a recreated user gets a new UserId and today's CreateDate, so policies
that name the old id (``aws:userid``) and reports by date would change. The model can do
better for its own undo: the row comes back with the id, date, path, boundary, last password
use and tags it had (``get_user``'s answer taken before the delete); a role likewise, with its
trust policy, description, session duration and boundary.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from iamdesk.core.policy.document import PolicyKind
from iamdesk.services import entities, principal_refs
from iamdesk.services.documents import check_policy
from iamdesk.services.errors import already_exists
from iamdesk.services.roles import insert_role
from iamdesk.services.users import insert_user
from iamdesk.services.validation import check_session_duration, check_tags
from iamdesk.store.db import Database
from iamdesk.store.tables import Role, User

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
        # Policies that kept its ID while it was gone name it by ARN again.
        principal_refs.entity_restored(session, out["UserId"], out["Arn"])
    log.info("restored user %s (%s)", name, out["UserId"])
    return {"User": out}


def restore_role(db: Database, account_id: str | None, before: Mapping[str, Any]) -> dict[str, Any]:
    """Recreate the role ``before`` describes (``get_role(...)["Role"]``) with its RoleId and
    CreateDate; trust and resource policies that named it by ID name it by ARN again."""
    name = str(before["RoleName"])
    pairs = check_tags(before.get("Tags") or None)
    trust, _ = check_policy(
        before["AssumeRolePolicyDocument"], PolicyKind.TRUST, "assumeRolePolicyDocument"
    )
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        taken_id = session.scalars(select(Role.pk).where(Role.role_id == before["RoleId"])).first()
        if entities.name_taken(session, Role, account, name) or taken_id is not None:
            raise already_exists("role", name)
        principal_refs.check_principals(session, trust)
        out = insert_role(
            session,
            db,
            account,
            name=name,
            path=str(before["Path"]),
            role_id=str(before["RoleId"]),
            create_date=str(before["CreateDate"]),
            trust=trust,
            description=before.get("Description"),
            duration=check_session_duration(before.get("MaxSessionDuration")),
            boundary=(before.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
            tags=pairs,
        )
        principal_refs.entity_restored(session, out["RoleId"], out["Arn"])
    log.info("restored role %s (%s)", name, out["RoleId"])
    return {"Role": out}
