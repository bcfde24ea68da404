"""``get-account-authorization-details`` output for one modelled account.

The shape AWS returns (documents as JSON objects, AWS managed policies only when something in the
account uses them, ``--filter`` as IAM checks it); ``importexport`` reads it back, and export ->
import -> export gives the same document. The format has no secrets and none are added.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from iamdesk.services.authorization.details import FILTERS
from iamdesk.services.entities import document_object
from iamdesk.services.errors import IamError
from iamdesk.store import tables as t
from iamdesk.store.db import Database

log = logging.getLogger(__name__)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def check_filters(filters: Sequence[str] | None) -> list[str]:
    """The ``--filter`` values, checked the way IAM's API checks them."""
    chosen = list(filters or [])
    for value in chosen:
        if value not in FILTERS:
            raise IamError(
                "ValidationError",
                f"1 validation error detected: Value '[{value}]' at 'filter' failed to satisfy "
                "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
                "[LocalManagedPolicy, Role, Group, AWSManagedPolicy, User]]",
            )
    return chosen or list(FILTERS)


def export_authorization_details(
    db: Database, account_id: str, filters: Sequence[str] | None = None
) -> dict[str, Any]:
    """The account as ``aws iam get-account-authorization-details [--filter ...]`` prints it."""
    chosen = check_filters(filters)
    with db.read() as session:
        rows = _AccountRows(session, account_id)
        out: dict[str, Any] = {}
        if "User" in chosen:
            out["UserDetailList"] = [rows.user(u) for u in rows.users]
        if "Group" in chosen:
            out["GroupDetailList"] = [rows.group(g) for g in rows.groups]
        if "Role" in chosen:
            out["RoleDetailList"] = [rows.role(r) for r in rows.roles]
        local, aws = "LocalManagedPolicy" in chosen, "AWSManagedPolicy" in chosen
        if local or aws:
            out["Policies"] = [
                rows.policy(p)
                for p in rows.policies
                if (aws if p.aws_managed else local)
                and (not p.aws_managed or rows.usage(p.pk) != (0, 0))
            ]
    out["IsTruncated"] = False
    return out


def _document(text: str) -> Any:
    # A damaged stored document is exported as the text it holds (a string where AWS puts an
    # object): the export survives, and importing it back names the entry that is wrong.
    return document_object(text)


class _AccountRows:
    """The account's IAM rows, fetched with a handful of queries and indexed by owner."""

    def __init__(self, session: Session, account_id: str) -> None:
        def rows(model: Any, *where: Any, order: Any = None) -> list[Any]:
            table = _table(model)
            query = select(table).where(*where).order_by(order if order is not None else table.c.pk)
            return list(session.execute(query))

        user_t, group_t, role_t = _table(t.User), _table(t.Group), _table(t.Role)
        policy_t, attach_t = _table(t.ManagedPolicy), _table(t.PolicyAttachment)
        self.users = rows(t.User, user_t.c.account_id == account_id)
        self.groups = rows(t.Group, group_t.c.account_id == account_id)
        self.roles = rows(t.Role, role_t.c.account_id == account_id)
        user_pks = {u.pk for u in self.users}
        group_pks = {g.pk for g in self.groups}
        role_pks = {r.pk for r in self.roles}
        self._group_name = {g.pk: g.name for g in self.groups}

        def owned(row: Any) -> tuple[str, int] | None:
            for kind, pks in (("user", user_pks), ("group", group_pks), ("role", role_pks)):
                pk = getattr(row, f"{kind}_pk")
                if pk is not None and pk in pks:
                    return kind, pk
            return None

        self.inline: dict[tuple[str, int], list[Any]] = {}
        for row in rows(t.InlinePolicy):
            if (key := owned(row)) is not None:
                self.inline.setdefault(key, []).append(row)
        self.attached: dict[tuple[str, int], list[int]] = {}
        self._attachments: dict[int, int] = {}
        for row in session.execute(select(attach_t).order_by(attach_t.c.pk)):
            if (key := owned(row)) is not None:
                self.attached.setdefault(key, []).append(row.policy_pk)
                self._attachments[row.policy_pk] = self._attachments.get(row.policy_pk, 0) + 1
        self._boundaries: dict[int, int] = {}
        for entity in (*self.users, *self.roles):
            if entity.permissions_boundary_pk is not None:
                pk = entity.permissions_boundary_pk
                self._boundaries[pk] = self._boundaries.get(pk, 0) + 1
        used = set(self._attachments) | set(self._boundaries)
        self.policies = [
            p
            for p in rows(t.ManagedPolicy, order=policy_t.c.pk)
            if p.account_id == account_id or (p.aws_managed and p.pk in used)
        ]
        self._policy = {p.pk: p for p in self.policies}
        self.versions: dict[int, list[Any]] = {}
        for row in rows(t.PolicyVersion):
            if row.policy_pk in self._policy:
                self.versions.setdefault(row.policy_pk, []).append(row)
        self.members: dict[int, list[str]] = {}
        for row in rows(t.GroupMembership):
            if row.user_pk in user_pks and row.group_pk in self._group_name:
                self.members.setdefault(row.user_pk, []).append(self._group_name[row.group_pk])
        self.tags: dict[tuple[str, int], list[dict[str, str]]] = {}
        for row in rows(t.Tag):
            self.tags.setdefault((row.entity_type, row.entity_pk), []).append(
                {"Key": row.key, "Value": row.value}
            )
        profile_t, link_t = _table(t.InstanceProfile), _table(t.InstanceProfileRole)
        self.profiles: dict[int, list[Any]] = {}
        for row in session.execute(
            select(profile_t, link_t.c.role_pk)
            .join(link_t, link_t.c.instance_profile_pk == profile_t.c.pk)
            .order_by(profile_t.c.pk)
        ):
            if row.role_pk in role_pks:
                self.profiles.setdefault(row.role_pk, []).append(row)
        self._role = {r.pk: r for r in self.roles}

    def usage(self, policy_pk: int) -> tuple[int, int]:
        return self._attachments.get(policy_pk, 0), self._boundaries.get(policy_pk, 0)

    def _attached(self, kind: str, pk: int) -> list[dict[str, str]]:
        out = []
        for policy_pk in self.attached.get((kind, pk), []):
            policy = self._policy[policy_pk]
            out.append({"PolicyName": policy.name, "PolicyArn": policy.arn})
        return out

    def _inline(self, kind: str, pk: int) -> list[dict[str, Any]]:
        return [
            {"PolicyName": row.name, "PolicyDocument": _document(row.document)}
            for row in self.inline.get((kind, pk), [])
        ]

    def _boundary(self, entity: Any, out: dict[str, Any]) -> None:
        if entity.permissions_boundary_pk is not None:
            policy = self._policy[entity.permissions_boundary_pk]
            out["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                "PermissionsBoundaryArn": policy.arn,
            }

    def user(self, user: Any) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Path": user.path,
            "UserName": user.name,
            "UserId": user.user_id,
            "Arn": user.arn,
            "CreateDate": user.create_date,
        }
        inline = self._inline("user", user.pk)
        if inline:
            out["UserPolicyList"] = inline
        out["GroupList"] = self.members.get(user.pk, [])
        out["AttachedManagedPolicies"] = self._attached("user", user.pk)
        self._boundary(user, out)
        out["Tags"] = self.tags.get(("user", user.pk), [])
        return out

    def group(self, group: Any) -> dict[str, Any]:
        return {
            "Path": group.path,
            "GroupName": group.name,
            "GroupId": group.group_id,
            "Arn": group.arn,
            "CreateDate": group.create_date,
            "GroupPolicyList": self._inline("group", group.pk),
            "AttachedManagedPolicies": self._attached("group", group.pk),
        }

    def _role_summary(self, role: Any) -> dict[str, Any]:
        return {
            "Path": role.path,
            "RoleName": role.name,
            "RoleId": role.role_id,
            "Arn": role.arn,
            "CreateDate": role.create_date,
            "AssumeRolePolicyDocument": _document(role.assume_role_policy),
        }

    def role(self, role: Any) -> dict[str, Any]:
        out = self._role_summary(role)
        out["InstanceProfileList"] = [
            {
                "Path": p.path,
                "InstanceProfileName": p.name,
                "InstanceProfileId": p.instance_profile_id,
                "Arn": p.arn,
                "CreateDate": p.create_date,
                "Roles": [self._role_summary(role)],
            }
            for p in self.profiles.get(role.pk, [])
        ]
        out["RolePolicyList"] = self._inline("role", role.pk)
        out["AttachedManagedPolicies"] = self._attached("role", role.pk)
        self._boundary(role, out)
        out["Tags"] = self.tags.get(("role", role.pk), [])
        last_used: dict[str, str] = {}
        if role.last_used_date:
            last_used["LastUsedDate"] = role.last_used_date
            if role.last_used_region:
                last_used["Region"] = role.last_used_region
        out["RoleLastUsed"] = last_used
        return out

    def policy(self, policy: Any) -> dict[str, Any]:
        attachments, boundaries = self.usage(policy.pk)
        out: dict[str, Any] = {
            "PolicyName": policy.name,
            "PolicyId": policy.policy_id,
            "Arn": policy.arn,
            "Path": policy.path,
            "DefaultVersionId": policy.default_version_id,
            "AttachmentCount": attachments,
            "PermissionsBoundaryUsageCount": boundaries,
            "IsAttachable": bool(policy.is_attachable),
        }
        if policy.description:
            out["Description"] = policy.description
        out["CreateDate"] = policy.create_date
        out["UpdateDate"] = policy.update_date
        out["PolicyVersionList"] = [
            {
                "Document": _document(v.document),
                "VersionId": v.version_id,
                "IsDefaultVersion": bool(v.is_default),
                "CreateDate": v.create_date,
            }
            for v in self.versions.get(policy.pk, [])
        ]
        return out
