"""Read-only summaries for the app's entity tables: one row per user, group, role or policy with
the columns an administrator sorts by (groups, attached policies, MFA, key age, last used…).

Each function runs a handful of grouped queries (one pass over each table, no query per entity),
so 100,000 users summarise in one call. Rows start with the AWS output keys (``UserName``,
``Arn``…) and add summary keys the app shows.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from iamdesk.core import jsontext
from iamdesk.core.policy.principal_refs import UNIQUE_ID
from iamdesk.services import entities, managed_policies
from iamdesk.store.db import Database
from iamdesk.store.tables import (
    AccessKey,
    Group,
    GroupMembership,
    InlinePolicy,
    LoginProfile,
    ManagedPolicy,
    MfaDevice,
    PolicyAttachment,
    PolicyVersion,
    Role,
    User,
)

log = logging.getLogger(__name__)


def _counts(session: Session, column: Any, *where: Any) -> Counter[int]:
    query = select(column, func.count()).where(column.is_not(None), *where).group_by(column)
    return Counter({pk: n for pk, n in session.execute(query)})


def user_rows(db: Database, account_id: str | None) -> list[dict[str, Any]]:
    t = User.__table__  # type: ignore[attr-defined]
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        users = session.execute(
            select(
                t.c.pk,
                t.c.name,
                t.c.path,
                t.c.user_id,
                t.c.arn,
                t.c.create_date,
                t.c.password_last_used,
                t.c.permissions_boundary_pk,
            ).where(t.c.account_id == account)
        ).all()
        mine = select(col(User.pk)).where(col(User.account_id) == account)
        groups = _counts(session, GroupMembership.user_pk, col(GroupMembership.user_pk).in_(mine))
        attached = _counts(
            session, PolicyAttachment.user_pk, col(PolicyAttachment.user_pk).in_(mine)
        )
        inline = _counts(session, InlinePolicy.user_pk, col(InlinePolicy.user_pk).in_(mine))
        mfa = _counts(session, MfaDevice.user_pk, col(MfaDevice.user_pk).in_(mine))
        console = set(
            session.execute(
                select(col(LoginProfile.user_pk)).where(col(LoginProfile.user_pk).in_(mine))
            )
            .scalars()
            .all()
        )
        keys: dict[int, list[tuple[str, str, str | None]]] = {}
        for user_pk, status, created, last_used in session.execute(
            select(
                col(AccessKey.user_pk),
                col(AccessKey.status),
                col(AccessKey.create_date),
                col(AccessKey.last_used_date),
            ).where(col(AccessKey.account_id) == account)
        ):
            keys.setdefault(user_pk, []).append((status, created, last_used))
    rows = []
    # One dict per user, so the loop stays lean: 100,000 users summarise in well under a second.
    n_groups, n_attached, n_inline, n_mfa = groups.get, attached.get, inline.get, mfa.get
    for pk, name, path, user_id, arn, created, pw_used, boundary_pk in users:
        user_keys = keys.get(pk)
        if user_keys:
            active = [k[1] for k in user_keys if k[0] == "Active"]
            used = [d for d in (pw_used, *(k[2] for k in user_keys)) if d]
            key_count, active_count = len(user_keys), len(active)
            oldest = min(active) if active else None
            last = max(used) if used else None
        else:
            key_count = active_count = 0
            oldest = None
            last = pw_used
        rows.append(
            {
                "UserName": name,
                "Path": path,
                "UserId": user_id,
                "Arn": arn,
                "CreateDate": created,
                "PasswordLastUsed": pw_used,
                "Groups": n_groups(pk, 0),
                "AttachedPolicies": n_attached(pk, 0),
                "InlinePolicies": n_inline(pk, 0),
                "MfaDevices": n_mfa(pk, 0),
                "ConsoleAccess": pk in console,
                "AccessKeys": key_count,
                "ActiveAccessKeys": active_count,
                "OldestActiveKeyDate": oldest,
                "LastActivity": last,
                "HasBoundary": boundary_pk is not None,
            }
        )
    return rows


def group_rows(db: Database, account_id: str | None) -> list[dict[str, Any]]:
    t = Group.__table__  # type: ignore[attr-defined]
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        groups = session.execute(
            select(t.c.pk, t.c.name, t.c.path, t.c.group_id, t.c.arn, t.c.create_date).where(
                t.c.account_id == account
            )
        ).all()
        mine = select(col(Group.pk)).where(col(Group.account_id) == account)
        members = _counts(
            session, GroupMembership.group_pk, col(GroupMembership.group_pk).in_(mine)
        )
        attached = _counts(
            session, PolicyAttachment.group_pk, col(PolicyAttachment.group_pk).in_(mine)
        )
        inline = _counts(session, InlinePolicy.group_pk, col(InlinePolicy.group_pk).in_(mine))
    return [
        {
            "GroupName": name,
            "Path": path,
            "GroupId": group_id,
            "Arn": arn,
            "CreateDate": created,
            "Members": members[pk],
            "AttachedPolicies": attached[pk],
            "InlinePolicies": inline[pk],
        }
        for pk, name, path, group_id, arn, created in groups
    ]


def trusted_entities(trust_policy: str) -> list[str]:
    """Who a trust policy lets assume the role, as the console lists it (services, accounts,
    federated providers), from its Allow statements."""
    try:
        document = jsontext.loads(trust_policy)
    except (TypeError, json.JSONDecodeError):
        return []
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    found: list[str] = []
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if principal == "*":
            found.append("Everyone (*)")
            continue
        if not isinstance(principal, dict):
            continue
        for kind, values in principal.items():
            for value in [values] if isinstance(values, str) else list(values or []):
                text = _principal_words(kind, str(value))
                if text not in found:
                    found.append(text)
    return found


def _principal_words(kind: str, value: str) -> str:
    if kind == "Service":
        return f"AWS service: {value.split('.')[0]}"
    if kind == "Federated":
        return f"Identity provider: {value.rsplit('/', 1)[-1]}"
    if value == "*":
        return "Any AWS principal (*)"
    if value.isdigit():
        return f"Account: {value}"
    if value.endswith(":root"):
        return f"Account: {value.split(':')[4]}"
    if UNIQUE_ID.fullmatch(value):  # a deleted user or role: the policy kept its unique ID
        return f"Deleted {'user' if value.startswith('AIDA') else 'role'} ({value})"
    return value


def role_rows(db: Database, account_id: str | None) -> list[dict[str, Any]]:
    t = Role.__table__  # type: ignore[attr-defined]
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        roles = session.execute(
            select(
                t.c.pk,
                t.c.name,
                t.c.path,
                t.c.role_id,
                t.c.arn,
                t.c.create_date,
                t.c.assume_role_policy,
                t.c.description,
                t.c.max_session_duration,
                t.c.last_used_date,
                t.c.permissions_boundary_pk,
                t.c.service_linked,
            ).where(t.c.account_id == account)
        ).all()
        mine = select(col(Role.pk)).where(col(Role.account_id) == account)
        attached = _counts(
            session, PolicyAttachment.role_pk, col(PolicyAttachment.role_pk).in_(mine)
        )
        inline = _counts(session, InlinePolicy.role_pk, col(InlinePolicy.role_pk).in_(mine))
    rows = []
    for (
        pk,
        name,
        path,
        role_id,
        arn,
        created,
        trust,
        description,
        max_session,
        last_used,
        boundary_pk,
        service_linked,
    ) in roles:
        rows.append(
            {
                "RoleName": name,
                "Path": path,
                "RoleId": role_id,
                "Arn": arn,
                "CreateDate": created,
                "Description": description or "",
                "MaxSessionDuration": max_session,
                "LastUsedDate": last_used,
                "TrustedEntities": trusted_entities(trust),
                "AttachedPolicies": attached[pk],
                "InlinePolicies": inline[pk],
                "HasBoundary": boundary_pk is not None,
                "ServiceLinked": bool(service_linked),
            }
        )
    return rows


def policy_rows(
    db: Database, account_id: str | None, *, include_aws: bool = True
) -> list[dict[str, Any]]:
    """Customer managed policies of the account and (``include_aws``) every AWS managed policy
    of the catalog, with how many users, groups and roles each is attached to in the account
    and how many users and roles have it as their permissions boundary."""
    t = ManagedPolicy.__table__  # type: ignore[attr-defined]
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        stored = session.execute(
            select(
                t.c.pk,
                t.c.name,
                t.c.path,
                t.c.policy_id,
                t.c.arn,
                t.c.description,
                t.c.create_date,
                t.c.update_date,
                t.c.default_version_id,
                t.c.aws_managed,
                t.c.account_id,
            ).where((t.c.account_id == account) | (t.c.aws_managed == True))  # noqa: E712
        ).all()
        owners: tuple[tuple[Any, Any], ...] = (
            (User, PolicyAttachment.user_pk),
            (Group, PolicyAttachment.group_pk),
            (Role, PolicyAttachment.role_pk),
        )
        attachments: Counter[int] = Counter()
        for table, column in owners:
            mine = select(col(table.pk)).where(col(table.account_id) == account)
            attachments.update(_counts(session, PolicyAttachment.policy_pk, col(column).in_(mine)))
        boundaries: Counter[int] = Counter()
        for table in (User, Role):
            boundary = col(table.permissions_boundary_pk)  # type: ignore[attr-defined]
            boundaries.update(_counts(session, boundary, col(table.account_id) == account))
        versions = _counts(session, PolicyVersion.policy_pk)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for (
        pk,
        name,
        path,
        policy_id,
        arn,
        description,
        created,
        updated,
        default_version,
        aws_managed,
        _owner,
    ) in stored:
        seen.add(arn)
        rows.append(
            {
                "PolicyName": name,
                "Path": path,
                "PolicyId": policy_id,
                "Arn": arn,
                "Description": description or "",
                "CreateDate": created,
                "UpdateDate": updated,
                "DefaultVersionId": default_version,
                "Type": "AWS managed" if aws_managed else "Customer managed",
                "AttachmentCount": attachments[pk],
                "PermissionsBoundaryUsageCount": boundaries[pk],
                "Versions": (
                    managed_policies.version_count(arn, default_version, versions[pk])
                    if aws_managed
                    else versions[pk]
                ),
            }
        )
    if include_aws:
        rows.extend(_catalog_rows(seen))
    return rows


def _catalog_rows(skip: Iterable[str]) -> list[dict[str, Any]]:
    skip = set(skip)
    return [
        {
            "PolicyName": p.name,
            "Path": p.path,
            "PolicyId": managed_policies.policy_id(p.arn),
            "Arn": p.arn,
            "Description": p.description,
            "CreateDate": p.create_date,
            "UpdateDate": p.update_date,
            "DefaultVersionId": p.default_version_id,
            "Type": "AWS managed",
            "AttachmentCount": 0,
            "PermissionsBoundaryUsageCount": 0,
            "Versions": len(p.versions),
        }
        for p in managed_policies.all_policies()
        if p.arn not in skip
    ]


def entity_count(db: Database, account_id: str | None, kind: str) -> int:
    """How many users/groups/roles the account has (a cheap COUNT, to decide how to load)."""
    table = {"users": User, "groups": Group, "roles": Role}.get(kind)
    if table is None:
        return 0
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        query = select(func.count()).where(table.account_id == account)  # type: ignore[attr-defined]
        return int(session.execute(query).scalar_one())
