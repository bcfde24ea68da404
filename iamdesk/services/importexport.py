"""Import and export of ``aws iam get-account-authorization-details`` documents.

Import is all or nothing: the whole file is read and checked first (every document parsed, every
entry's keys and ARNs checked, see ``authorization_details``), then references are resolved and
everything is written in one transaction with SQLAlchemy Core bulk inserts, so a bad file leaves
the model as it was and the error names the entry (and line) that failed. Entities keep the ids,
ARNs and dates the file gives; an account the model does not know yet is created.

Export writes the shape AWS does (documents as JSON objects, AWS managed policies only when
something in the account uses them); export -> import -> export gives the same document. The
format has no secrets, and nothing secret is added to it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from iamdesk.services import managed_policies
from iamdesk.services.authorization_details import (
    FILTERS,
    ImportFormatError,
    Plan,
    load,
    locate,
    read_plan,
)
from iamdesk.services.errors import IamError
from iamdesk.store import tables as t
from iamdesk.store.changelog import record_change
from iamdesk.store.db import Database

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
_CHUNK = 500  # keeps IN (...) lists well under SQLite's bound-parameter limit


@dataclass
class ImportSummary:
    accounts: list[str] = field(default_factory=list)
    users: int = 0
    groups: int = 0
    roles: int = 0
    policies: int = 0
    aws_managed_policies: int = 0
    instance_profiles: int = 0
    default_account: str | None = None  # set when the import made an account the default

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _existing(session: Session, model: Any, column: str, values: Iterable[str]) -> dict[str, int]:
    """value -> pk for the rows of ``model`` whose ``column`` is one of ``values``."""
    table = _table(model)
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(values))):
        rows = session.execute(
            select(table.c[column], table.c.pk).where(table.c[column].in_(chunk))
        )
        found.update({row[0]: row[1] for row in rows})
    return found


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Bulk insert; returns arn -> pk of the new rows."""
    if not rows:
        return {}
    table = _table(model)
    session.execute(insert(table), rows)
    return _existing(session, model, "arn", [row["arn"] for row in rows])


# ----------------------------------------------------------------------------------- import


def import_authorization_details(
    db: Database, source: str | bytes | Mapping[str, Any], *, progress: Progress | None = None
) -> ImportSummary:
    """Read a get-account-authorization-details document into the model, all or nothing.

    Raises ``ImportFormatError`` (with ``where``, and ``line``/``column`` when ``source`` is text)
    and leaves the model unchanged when anything in the file is wrong or clashes with the model.
    """
    data, text = load(source)
    report = progress or (lambda _stage: None)
    try:
        report("reading")
        plan = read_plan(data)
        report("writing")
        with db.transaction() as session:
            summary = _write(session, plan, db.now())
    except ImportFormatError as error:
        locate(error, text)
        raise
    log.info("imported %s", summary)
    return summary


def _write(session: Session, plan: Plan, now: str) -> ImportSummary:
    _ensure_accounts(session, plan.accounts, now)
    for model, rows, what in (
        (t.User, plan.users, "user"),
        (t.Group, plan.groups, "group"),
        (t.Role, plan.roles, "role"),
        (t.InstanceProfile, list(plan.profiles.values()), "instance profile"),
        (t.ManagedPolicy, [p for p in plan.policies if not p["aws_managed"]], "policy"),
    ):
        clash = _existing(session, model, "arn", [row["arn"] for row in rows])
        if clash:
            raise ImportFormatError("", f"the model already has the {what} {min(clash)}")

    summary = ImportSummary(accounts=sorted(plan.accounts))
    # AWS managed policies the file brings are kept only if the model lacks them.
    known_aws = _existing(
        session, t.ManagedPolicy, "arn", [p["arn"] for p in plan.policies if p["aws_managed"]]
    )
    new_policies = [p for p in plan.policies if p["arn"] not in known_aws]
    summary.policies = sum(1 for p in new_policies if not p["aws_managed"])
    summary.aws_managed_policies = len(new_policies) - summary.policies
    try:
        policy_pks = _insert(session, t.ManagedPolicy, new_policies)
        versions = [
            {**version, "policy_pk": policy_pks[arn]}
            for arn, versions in plan.versions.items()
            if arn in policy_pks
            for version in versions
        ]
        if versions:
            session.execute(insert(_table(t.PolicyVersion)), versions)
        policy_pks.update(known_aws)
        _resolve_policies(session, plan, policy_pks)

        boundary_of = {owner: policy_pks[arn] for owner, arn, _ in plan.boundaries}
        for rows in (plan.users, plan.roles):
            for row in rows:
                row["permissions_boundary_pk"] = boundary_of.get(row["arn"])
        owners: dict[str, tuple[str, int]] = {}
        for model, rows, kind in (
            (t.User, plan.users, "user"),
            (t.Group, plan.groups, "group"),
            (t.Role, plan.roles, "role"),
        ):
            owners.update({arn: (kind, pk) for arn, pk in _insert(session, model, rows).items()})
        summary.users, summary.groups, summary.roles = (
            len(plan.users),
            len(plan.groups),
            len(plan.roles),
        )
        profile_pks = _insert(session, t.InstanceProfile, list(plan.profiles.values()))
        summary.instance_profiles = len(profile_pks)
        _write_links(session, plan, owners, policy_pks, profile_pks)
    except IntegrityError as exc:
        # Names clash case-insensitively or ids repeat: the checks above name ARN clashes, this
        # catches what only the database's unique indexes see.
        raise ImportFormatError(
            "", f"the file clashes with the model or itself: {exc.orig}"
        ) from None
    summary.default_account = _adopt_default(session, plan)
    for account in sorted(plan.accounts):
        record_change(
            session,
            at=now,
            actor="import",
            account_id=account,
            operation="ImportAccountAuthorizationDetails",
            entity_type="account",
            entity_name=account,
            after=summary.to_dict(),
        )
    return summary


def _adopt_default(session: Session, plan: Plan) -> str | None:
    """Make the file's main account the model's default when the default is the empty account
    a new model file starts with, so commands without ``--account-id`` see what was imported."""
    accounts = _table(t.Account)
    current = session.execute(
        select(accounts.c.account_id, accounts.c.organization_id).where(accounts.c.is_default)
    ).first()
    if not plan.accounts or (current is not None and current[0] in plan.accounts):
        return None
    if current is not None:
        if current[1] is not None:
            return None
        for model in (t.User, t.Group, t.Role, t.ManagedPolicy, t.Resource):
            table = _table(model)
            used = session.execute(
                select(table.c.pk).where(table.c.account_id == current[0]).limit(1)
            ).first()
            if used is not None:
                return None
    sizes: dict[str, int] = {}
    for row in (*plan.users, *plan.roles, *plan.groups):
        sizes[row["account_id"]] = sizes.get(row["account_id"], 0) + 1
    chosen = max(sorted(plan.accounts), key=lambda a: sizes.get(a, 0))
    session.execute(update(accounts).values(is_default=accounts.c.account_id == chosen))
    return chosen


def _ensure_accounts(session: Session, accounts: set[str], now: str) -> None:
    table = _table(t.Account)
    known = {row[0] for row in session.execute(select(table.c.account_id))}
    missing = sorted(accounts - known)
    if missing:
        session.execute(
            insert(table),
            [{"account_id": account, "create_date": now} for account in missing],
        )


def _resolve_policies(session: Session, plan: Plan, policy_pks: dict[str, int]) -> None:
    """Every referenced policy must be in the file, in the model, or be an AWS managed one."""
    wanted = {arn for _, arn, _ in plan.attachments} | {arn for _, arn, _ in plan.boundaries}
    policy_pks.update(_existing(session, t.ManagedPolicy, "arn", wanted - policy_pks.keys()))
    for _, arn, where in [*plan.attachments, *plan.boundaries]:
        if arn in policy_pks:
            continue
        pk = managed_policies.materialize(session, arn)
        if pk is None:
            raise where.error(f"policy {arn} is neither in the file nor in the model")
        policy_pks[arn] = pk


def _write_links(
    session: Session,
    plan: Plan,
    owners: dict[str, tuple[str, int]],
    policy_pks: dict[str, int],
    profile_pks: dict[str, int],
) -> None:
    def owner_columns(arn: str) -> dict[str, int | None]:
        kind, pk = owners[arn]
        return {f"{k}_pk": (pk if k == kind else None) for k in ("user", "group", "role")}

    attachments = [
        {**owner_columns(owner), "policy_pk": policy_pks[arn]} for owner, arn, _ in plan.attachments
    ]
    inline = [
        {**owner_columns(owner), "name": name, "document": text}
        for owner, name, text in plan.inline
    ]
    groups: dict[tuple[str, str], int] = {}
    group_table = _table(t.Group)
    for account in plan.accounts:
        rows = session.execute(
            select(group_table.c.name, group_table.c.pk).where(group_table.c.account_id == account)
        )
        groups.update({(account, name.lower()): pk for name, pk in rows})
    members = []
    for account, group, user_arn in plan.members:
        pk = groups.get((account, group.lower()))
        if pk is None:
            raise ImportFormatError("", f"user {user_arn} is in group {group}, which is not there")
        members.append({"group_pk": pk, "user_pk": owners[user_arn][1]})
    tag_pks = {**{arn: pk for arn, (_, pk) in owners.items()}}
    tags = [
        {"entity_type": kind, "entity_pk": tag_pks[arn], "key": key, "value": value}
        for kind, arn, key, value in plan.tags
    ]
    profile_roles = [
        {"instance_profile_pk": profile_pks[profile], "role_pk": owners[role][1]}
        for profile, role in dict(plan.profile_roles).items()
        if profile in profile_pks
    ]
    for model, rows in (
        (t.PolicyAttachment, attachments),
        (t.InlinePolicy, inline),
        (t.GroupMembership, members),
        (t.Tag, tags),
        (t.InstanceProfileRole, profile_roles),
    ):
        if rows:
            session.execute(insert(_table(model)), rows)


# ----------------------------------------------------------------------------------- export


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
    return json.loads(text)


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
