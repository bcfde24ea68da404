"""Attaching managed policies to users, groups and roles, and permissions boundaries.

IAM allows 10 managed policies per user, group or role (the default quotas). Attaching a policy
that is already attached succeeds without change, as in IAM. An AWS managed policy is
materialized from the packaged catalog inside the same transaction as its first attachment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, exists, func, select, update
from sqlmodel import Session

from iamdesk.services import entities
from iamdesk.services.errors import IamError, no_such_entity
from iamdesk.services.validation import check_path_prefix, check_quota
from iamdesk.store.db import Database
from iamdesk.store.tables import Group, ManagedPolicy, PolicyAttachment, Role, User

log = logging.getLogger(__name__)

MAX_ATTACHED = 10
QUOTA_NAMES = {"user": "PoliciesPerUser", "group": "PoliciesPerGroup", "role": "PoliciesPerRole"}
OPERATION_SUFFIX = {"user": "User", "group": "Group", "role": "Role"}
_Getter = Callable[[Session, str, str], Any]
_GETTERS: dict[str, _Getter] = {
    "user": entities.get_user,
    "group": entities.get_group,
    "role": entities.get_role,
}


def _owner_column(kind: str) -> Any:
    return {
        "user": PolicyAttachment.user_pk,
        "group": PolicyAttachment.group_pk,
        "role": PolicyAttachment.role_pk,
    }[kind]


def attach_policy(
    db: Database, account_id: str | None, kind: str, name: str, policy_arn: str
) -> dict[str, Any]:
    """AttachUserPolicy / AttachGroupPolicy / AttachRolePolicy (``kind``: user, group, role)."""
    column = _owner_column(kind)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        owner = _GETTERS[kind](session, account, name)
        policy = entities.get_policy(session, account, policy_arn, attachable=True)
        present = session.execute(
            select(exists().where(PolicyAttachment.policy_pk == policy.pk, column == owner.pk))
        ).scalar()
        if present:
            return {}
        count = session.execute(select(func.count()).where(column == owner.pk)).scalar_one()
        check_quota(count + 1, MAX_ATTACHED, QUOTA_NAMES[kind])
        session.add(PolicyAttachment(policy_pk=int(policy.pk or 0), **{f"{kind}_pk": owner.pk}))
        entities.record(
            session,
            db,
            account,
            f"Attach{OPERATION_SUFFIX[kind]}Policy",
            kind,
            owner.name,
            after={"PolicyArn": policy.arn},
        )
    return {}


def detach_policy(
    db: Database, account_id: str | None, kind: str, name: str, policy_arn: str
) -> dict[str, Any]:
    column = _owner_column(kind)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        owner = _GETTERS[kind](session, account, name)
        policy = entities.find_policy_readonly(session, account, policy_arn)
        removed = 0
        if policy is not None:
            removed = session.execute(
                delete(PolicyAttachment).where(
                    PolicyAttachment.policy_pk == policy.pk, column == owner.pk
                )
            ).rowcount
        if not removed:
            raise IamError("NoSuchEntity", f"Policy {policy_arn} was not found.")
        entities.record(
            session,
            db,
            account,
            f"Detach{OPERATION_SUFFIX[kind]}Policy",
            kind,
            owner.name,
            before={"PolicyArn": policy_arn},
        )
    return {}


def list_attached_policies(
    db: Database,
    account_id: str | None,
    kind: str,
    name: str,
    *,
    path_prefix: str | None = None,
) -> dict[str, Any]:
    prefix = check_path_prefix(path_prefix)
    column = _owner_column(kind)
    owner = entities.OWNERS[kind]
    with db.read(one_statement=True) as session:
        account = entities.resolve_account(session, db, account_id)
        rows = entities.owned_rows(
            session,
            owner,
            account,
            name,
            (ManagedPolicy.name, ManagedPolicy.arn, ManagedPolicy.path),
            (
                (PolicyAttachment, column == owner.pk),
                (ManagedPolicy, ManagedPolicy.pk == PolicyAttachment.policy_pk),
            ),
            PolicyAttachment.pk,
        )
    if rows is None:
        raise no_such_entity(kind, name)
    return {
        "AttachedPolicies": [
            {"PolicyName": n, "PolicyArn": a} for n, a, p in rows if p.startswith(prefix)
        ],
        "IsTruncated": False,
    }


def list_entities_for_policy(
    db: Database,
    account_id: str | None,
    policy_arn: str,
    *,
    entity_filter: str | None = None,
    path_prefix: str | None = None,
    policy_usage_filter: str | None = None,
) -> dict[str, Any]:
    """Who has the policy attached (PermissionsPolicy) or as boundary (PermissionsBoundary)."""
    allowed_filters = (None, "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
    if entity_filter not in allowed_filters:
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value '{entity_filter}' at 'entityFilter' failed to"
            " satisfy constraint: Member must satisfy enum value set: [User, Role, Group,"
            " LocalManagedPolicy, AWSManagedPolicy]",
        )
    prefix = check_path_prefix(path_prefix)
    result: dict[str, Any] = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": []}
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        policy = entities.find_policy_readonly(session, account, policy_arn)
        if policy is None:
            from iamdesk.services import managed_policies

            if managed_policies.get(policy_arn) is None:
                raise IamError("NoSuchEntity", f"Policy {policy_arn} was not found.")
            return {**result, "IsTruncated": False}
        usage = policy_usage_filter or "All"
        specs = (
            ("Group", Group, "group_pk", "PolicyGroups", "GroupName", "GroupId", "group_id"),
            ("User", User, "user_pk", "PolicyUsers", "UserName", "UserId", "user_id"),
            ("Role", Role, "role_pk", "PolicyRoles", "RoleName", "RoleId", "role_id"),
        )
        for label, table, fk_name, key, name_key, id_key, id_attr in specs:
            if entity_filter not in (None, label):
                continue
            t = table.__table__  # type: ignore[attr-defined]
            found: dict[str, str] = {}
            if usage in ("All", "PermissionsPolicy"):
                a = PolicyAttachment.__table__  # type: ignore[attr-defined]
                for n, i, p in session.execute(
                    select(t.c.name, t.c[id_attr], t.c.path)
                    .join(a, a.c[fk_name] == t.c.pk)
                    .where(a.c.policy_pk == policy.pk, t.c.account_id == account)
                    .order_by(t.c.name)
                ).all():
                    if p.startswith(prefix):
                        found[n] = i
            if usage in ("All", "PermissionsBoundary") and label != "Group":
                for n, i, p in session.execute(
                    select(t.c.name, t.c[id_attr], t.c.path)
                    .where(t.c.permissions_boundary_pk == policy.pk, t.c.account_id == account)
                    .order_by(t.c.name)
                ).all():
                    if p.startswith(prefix):
                        found[n] = i
            result[key] = [{name_key: n, id_key: i} for n, i in found.items()]
    return {**result, "IsTruncated": False}


def put_permissions_boundary(
    db: Database, account_id: str | None, kind: str, name: str, permissions_boundary: str
) -> dict[str, Any]:
    """PutUserPermissionsBoundary / PutRolePermissionsBoundary (``kind``: user or role)."""
    table: Any = {"user": User, "role": Role}[kind]
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        owner = _GETTERS[kind](session, account, name)
        policy = entities.get_policy(session, account, permissions_boundary, attachable=True)
        before = entities.boundary_shape(session, owner.permissions_boundary_pk)
        session.execute(
            update(table).where(table.pk == owner.pk).values(permissions_boundary_pk=policy.pk)
        )
        entities.record(
            session,
            db,
            account,
            f"Put{OPERATION_SUFFIX[kind]}PermissionsBoundary",
            kind,
            owner.name,
            before=before,
            after=entities.boundary_shape(session, policy.pk),
        )
    return {}


def delete_permissions_boundary(
    db: Database, account_id: str | None, kind: str, name: str
) -> dict[str, Any]:
    table: Any = {"user": User, "role": Role}[kind]
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        owner = _GETTERS[kind](session, account, name)
        before = entities.boundary_shape(session, owner.permissions_boundary_pk)
        session.execute(
            update(table).where(table.pk == owner.pk).values(permissions_boundary_pk=None)
        )
        entities.record(
            session,
            db,
            account,
            f"Delete{OPERATION_SUFFIX[kind]}PermissionsBoundary",
            kind,
            owner.name,
            before=before,
        )
    return {}
