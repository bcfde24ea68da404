"""Import and export of ``aws iam get-account-authorization-details`` documents.

Import is all or nothing: the whole file is read and checked first (every document parsed, every
entry's keys and ARNs checked, see ``authorization_details``), then references are resolved and
everything is written in one transaction with SQLAlchemy Core bulk inserts, so a bad file leaves
the model as it was and the error names the entry (and line) that failed. Entities keep the ids,
ARNs and dates the file gives; an account the model does not know yet is created.

Export (``authorization_export``, re-exported here) writes the same shape; export -> import ->
export gives the same document.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from iamdesk.services import managed_policies, principal_refs
from iamdesk.services.authorization.details import ImportFormatError
from iamdesk.services.authorization.entries import Plan
from iamdesk.services.authorization.export import export_authorization_details
from iamdesk.store import tables as t
from iamdesk.store.changelog import record_change
from iamdesk.store.db import Database

log = logging.getLogger(__name__)

__all__ = ["ImportSummary", "export_authorization_details", "import_authorization_details"]

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
    # One way in (``refresh.import_file``, which the CLI and the app call too); imported here
    # when called, since it builds on this module.
    from iamdesk.services.refresh import import_file

    return import_file(db, source, progress=progress).summary


def write_plan(session: Session, plan: Plan, now: str) -> ImportSummary:
    """Insert the checked ``plan`` in ``session``'s transaction (bulk Core inserts)."""
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
            raise ImportFormatError(
                "", f"the model already has the {what} {min(clash)}", code="EntityAlreadyExists"
            )

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
        _check_principals(session, plan)
    except IntegrityError as exc:
        # Names clash case-insensitively or ids repeat: the checks above name ARN clashes, this
        # catches what only the database's unique indexes see.
        raise ImportFormatError(
            "", f"the file clashes with the model or itself: {exc.orig}", code="EntityAlreadyExists"
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


def _check_principals(session: Session, plan: Plan) -> None:
    """Trust policies may name only users and roles that exist once the file is in (its own, in
    any order, and the model's), unless their account is not modelled: what IAM would have
    refused to save cannot come in through a file either."""
    missing = principal_refs.missing_entities(session, (arn for arn, _ in plan.principals))
    for arn, where in plan.principals:
        if arn in missing:
            raise where.error(
                principal_refs.invalid_principal_message(arn), "MalformedPolicyDocument"
            )


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
            raise where.error(
                f"policy {arn} is neither in the file nor in the model", "NoSuchEntity"
            )
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
            raise ImportFormatError(
                "", f"user {user_arn} is in group {group}, which is not there", code="NoSuchEntity"
            )
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
