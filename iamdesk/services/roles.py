"""IAM roles: create/get/list/update/delete and the trust policy (update-assume-role-policy).

A trust policy is checked with the core parser as a TRUST document (a principal is required, a
resource is not allowed) and against IAM's 2,048-character quota before anything is written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select, update
from sqlmodel import Session

from iamdesk.core.policy.document import PolicyKind
from iamdesk.services import entities, paging, principal_refs
from iamdesk.services.documents import check_policy
from iamdesk.services.errors import IamError, already_exists
from iamdesk.services.tags import replace_tags
from iamdesk.services.validation import (
    check_description,
    check_name,
    check_path,
    check_session_duration,
    check_tags,
)
from iamdesk.store.db import Database
from iamdesk.store.ids import iam_arn, unique_id
from iamdesk.store.tables import InlinePolicy, InstanceProfileRole, PolicyAttachment, Role, Tag

log = logging.getLogger(__name__)


def _role_out(session: Session, row: Role, *, detail: bool) -> dict[str, Any]:
    if not detail:
        return entities.role_shape(row)
    return entities.role_shape(
        row,
        boundary=entities.boundary_shape(session, row.permissions_boundary_pk),
        tags=entities.tags_of(session, "role", int(row.pk or 0)),
        last_used=True,
    )


def create_role(
    db: Database,
    account_id: str | None,
    role_name: str,
    assume_role_policy_document: str | Mapping[str, Any],
    *,
    path: str | None = None,
    description: str | None = None,
    max_session_duration: int | None = None,
    permissions_boundary: str | None = None,
    tags: Iterable[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    check_name(role_name, "roleName")
    path = check_path(path)
    check_description(description)
    duration = check_session_duration(max_session_duration)
    pairs = check_tags(tags)
    trust, _ = check_policy(
        assume_role_policy_document, PolicyKind.TRUST, "assumeRolePolicyDocument"
    )
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        if entities.name_taken(session, Role, account, role_name):
            raise already_exists("role", role_name)
        principal_refs.check_principals(session, trust)
        out = insert_role(
            session,
            db,
            account,
            name=role_name,
            path=path,
            role_id=unique_id("role", db.rng),
            create_date=db.now(),
            trust=trust,
            description=description,
            duration=duration,
            boundary=permissions_boundary,
            tags=pairs,
        )
    return {"Role": out}


def insert_role(
    session: Any,
    db: Database,
    account: str,
    *,
    name: str,
    path: str,
    role_id: str,
    create_date: str,
    trust: str,
    description: str | None,
    duration: int,
    boundary: str | None,
    tags: list[tuple[str, str]],
) -> dict[str, Any]:
    """The row of a role, checked already: what CreateRole writes, and what the undo of a
    DeleteRole writes back with the role's old id and date."""
    boundary_pk = None
    if boundary is not None:
        boundary_pk = entities.get_policy(session, account, boundary, attachable=True).pk
    row = Role(
        account_id=account,
        name=name,
        path=path,
        role_id=role_id,
        arn=iam_arn(account, "role", path, name),
        create_date=create_date,
        assume_role_policy=trust,
        description=description,
        max_session_duration=duration,
        permissions_boundary_pk=boundary_pk,
    )
    session.add(row)
    session.flush()
    replace_tags(session, "role", int(row.pk or 0), tags)
    out = entities.role_shape(
        row,
        boundary=entities.boundary_shape(session, boundary_pk),
        tags=[{"Key": k, "Value": v} for k, v in tags],
    )
    entities.record(session, db, account, "CreateRole", "role", name, after=out)
    return out


def get_role(db: Database, account_id: str | None, role_name: str) -> dict[str, Any]:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_role(session, account, role_name)
        return {"Role": _role_out(session, row, detail=True)}


def list_roles(
    db: Database,
    account_id: str | None,
    *,
    path_prefix: str | None = None,
    marker: str | None = None,
    max_items: int | None = None,
) -> dict[str, Any]:
    rows, truncated = paging.page_by_name(
        db,
        account_id,
        Role.__table__,  # type: ignore[attr-defined]
        (
            "path",
            "name",
            "role_id",
            "arn",
            "create_date",
            "assume_role_policy",
            "description",
            "max_session_duration",
        ),
        path_prefix=path_prefix,
        marker=marker,
        max_items=max_items,
    )
    roles = []
    for path, name, role_id, arn, created, trust, description, duration in rows:
        item: dict[str, Any] = {
            "Path": path,
            "RoleName": name,
            "RoleId": role_id,
            "Arn": arn,
            "CreateDate": created,
            "AssumeRolePolicyDocument": entities.document_object(trust),
        }
        if description is not None:
            item["Description"] = description
        item["MaxSessionDuration"] = duration
        roles.append(item)
    return paging.page_result("Roles", roles, truncated)


def _update_role(
    db: Database,
    account_id: str | None,
    role_name: str,
    description: str | None,
    max_session_duration: int | None,
    operation: str,
) -> dict[str, Any]:
    check_description(description)
    if max_session_duration is not None:
        check_session_duration(max_session_duration)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_role(session, account, role_name)
        before = entities.role_shape(row)
        values: dict[str, Any] = {}
        if description is not None:
            values["description"] = description
        if max_session_duration is not None:
            values["max_session_duration"] = max_session_duration
        if values:
            session.execute(update(Role).where(Role.pk == row.pk).values(**values))
            session.refresh(row)
        entities.record(
            session,
            db,
            account,
            operation,
            "role",
            row.name,
            before=before,
            after=entities.role_shape(row),
        )
        return _role_out(session, row, detail=True)


def update_role(
    db: Database,
    account_id: str | None,
    role_name: str,
    *,
    description: str | None = None,
    max_session_duration: int | None = None,
) -> dict[str, Any]:
    _update_role(db, account_id, role_name, description, max_session_duration, "UpdateRole")
    return {}


def update_role_description(
    db: Database, account_id: str | None, role_name: str, description: str
) -> dict[str, Any]:
    """UpdateRoleDescription: like UpdateRole, but answers with the updated role."""
    role = _update_role(db, account_id, role_name, description, None, "UpdateRoleDescription")
    return {"Role": role}


def update_assume_role_policy(
    db: Database,
    account_id: str | None,
    role_name: str,
    policy_document: str | Mapping[str, Any],
) -> dict[str, Any]:
    trust, _ = check_policy(policy_document, PolicyKind.TRUST)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_role(session, account, role_name)
        if row.service_linked:
            raise IamError(
                "UnmodifiableEntity",
                f"Cannot perform the operation on the protected role '{row.name}' - this role is"
                " only modifiable by AWS",
            )
        principal_refs.check_principals(session, trust)
        before = entities.document_object(row.assume_role_policy)
        session.execute(update(Role).where(Role.pk == row.pk).values(assume_role_policy=trust))
        entities.record(
            session,
            db,
            account,
            "UpdateAssumeRolePolicy",
            "role",
            row.name,
            before=before,
            after=entities.document_object(trust),
        )
    return {}


def delete_role(db: Database, account_id: str | None, role_name: str) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_role(session, account, role_name)
        if row.service_linked:
            raise IamError(
                "UnmodifiableEntity",
                f"Cannot perform the operation on the protected role '{row.name}' - this role is"
                " only modifiable by AWS",
            )
        owned = (
            (
                select(InstanceProfileRole.role_pk).where(InstanceProfileRole.role_pk == row.pk),
                "remove roles from instance profile",
            ),
            (select(InlinePolicy.pk).where(InlinePolicy.role_pk == row.pk), "delete policies"),
            (
                select(PolicyAttachment.pk).where(PolicyAttachment.role_pk == row.pk),
                "detach all policies",
            ),
        )
        paging.refuse_delete_while(session, owned)
        before = _role_out(session, row, detail=True)
        session.execute(delete(Tag).where(Tag.entity_type == "role", Tag.entity_pk == row.pk))
        session.delete(row)
        session.flush()
        principal_refs.entity_deleted(session, row.arn, row.role_id)
        entities.record(session, db, account, "DeleteRole", "role", row.name, before=before)
    return {}
