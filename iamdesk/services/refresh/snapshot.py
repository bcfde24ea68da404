"""An account's IAM as plain rows, taken and put back exactly: what makes an import undoable.

An import or a replacement changes thousands of rows; undoing it by inverse operations would
hand out new unique ids and dates. Instead the rows themselves are kept: ``take`` reads every
row of the account's IAM (users, groups, roles, customer managed policies and their versions,
instance profiles, and what hangs off them: attachments, inline policies, memberships, tags,
access keys, MFA devices, console passwords, role sessions) with SQLAlchemy Core, primary keys
included; ``put_back`` deletes what the account has now and inserts the kept rows, parents
first, in bulk. Taken before an import it undoes it; taken after, it redoes it with the same ids.
The account rows (which one is the default) and the AWS managed policies the import brought in
are part of the picture, so the model is as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from iamdesk.store import tables as t

log = logging.getLogger(__name__)

_CHUNK = 500  # keeps IN (...) lists well under SQLite's bound-parameter limit


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


# Owned by the account through its account_id column, parents before children.
OWNED = (t.ManagedPolicy, t.User, t.Group, t.Role, t.InstanceProfile)
# What a dump holds of them besides the rows themselves; every other table hanging off a user or
# role (access keys, MFA devices, console passwords, SSH keys, certificates, sessions...) is a
# credential a replacement keeps for owners that stay.
WRITTEN_BY_IMPORT = {"policy_version", "group_membership", "policy_attachment", "inline_policy"}
WRITTEN_BY_IMPORT.add("instance_profile_role")

Links = list[tuple[str, str]]  # (column, the owned table it points at)


@cache
def dependents() -> tuple[tuple[Table, Links], ...]:
    """Every table with a foreign key to an owned table, parents first (read from the schema,
    so a table added later is part of the snapshot without anyone remembering it)."""
    owned = {_table(m).name for m in OWNED}
    found = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name in owned:
            continue
        links = sorted(
            (fk.parent.name, fk.column.table.name)
            for fk in table.foreign_keys
            if fk.column.table.name in owned
        )
        if links:
            found.append((table, links))
    return tuple(found)


def credentials() -> tuple[tuple[Table, Links], ...]:
    """The dependents no dump describes."""
    return tuple(d for d in dependents() if d[0].name not in WRITTEN_BY_IMPORT)


AWS_POLICIES, AWS_VERSIONS = "aws_managed_policy", "aws_managed_policy_version"
TAGGED = {"user": t.User, "group": t.Group, "role": t.Role, "policy": t.ManagedPolicy}
TAGGED.update({"instance-profile": t.InstanceProfile, "mfa": t.MfaDevice})


@dataclass
class Snapshot:
    """The rows of ``accounts``' IAM, by table name; ``known_accounts`` is the whole account
    table (id -> is_default) and ``aws_policies`` the AWS managed policies' keys, both then."""

    accounts: tuple[str, ...]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    known_accounts: dict[str, bool] = field(default_factory=dict)
    account_rows: list[dict[str, Any]] = field(default_factory=list)
    aws_policies: set[int] = field(default_factory=set)

    def count(self, model: Any) -> int:
        return len(self.rows.get(_table(model).name, []))


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _key(table: Table) -> Any:
    return next(iter(table.primary_key.columns))


def _select_in(session: Session, table: Table, column: str, values: Sequence[Any]) -> list[Any]:
    rows: list[Any] = []
    for chunk in _chunks(values):
        rows.extend(
            dict(row)
            for row in session.execute(select(table).where(table.c[column].in_(chunk))).mappings()
        )
    return rows


def take(session: Session, accounts: Iterable[str]) -> Snapshot:
    """Every row of ``accounts``' IAM as it is now."""
    snap = Snapshot(tuple(sorted(set(accounts))))
    account_table = _table(t.Account)
    everything = [dict(r) for r in session.execute(select(account_table)).mappings()]
    snap.known_accounts = {r["account_id"]: bool(r["is_default"]) for r in everything}
    snap.account_rows = [r for r in everything if r["account_id"] in snap.accounts]
    policies = _table(t.ManagedPolicy)
    snap.aws_policies = set(
        session.scalars(select(policies.c.pk).where(policies.c.account_id.is_(None)))
    )
    owned_pks: dict[str, list[Any]] = {}
    for model in OWNED:
        table = _table(model)
        rows = _select_in(session, table, "account_id", list(snap.accounts))
        snap.rows[table.name] = rows
        owned_pks[table.name] = [r["pk"] for r in rows]
    for table, links in dependents():
        key = _key(table).name
        if "account_id" in table.c:  # also what belongs to the account but to no one in it
            found = _select_in(session, table, "account_id", list(snap.accounts))
        else:
            found = [
                row
                for column, owner in links
                for row in _select_in(session, table, column, owned_pks[owner])
            ]
        unique = {row[key]: row for row in found}
        snap.rows[table.name] = list(unique.values())
        owned_pks[table.name] = list(unique)
    _referenced_aws_policies(session, snap)
    tags = _table(t.Tag)
    snap.rows[tags.name] = []
    for entity_type, model in TAGGED.items():
        pks = owned_pks[_table(model).name]
        for chunk in _chunks(pks):
            query = select(tags).where(
                tags.c.entity_type == entity_type, tags.c.entity_pk.in_(chunk)
            )
            snap.rows[tags.name].extend(dict(r) for r in session.execute(query).mappings())
    return snap


def _referenced_aws_policies(session: Session, snap: Snapshot) -> None:
    """The AWS managed policies the account uses (rows and versions): a redo after an undo
    needs those the import first read in from the catalog."""
    wanted = {r["policy_pk"] for r in snap.rows[_table(t.PolicyAttachment).name]}
    for model in (t.User, t.Role):
        wanted.update(
            r["permissions_boundary_pk"]
            for r in snap.rows[_table(model).name]
            if r["permissions_boundary_pk"] is not None
        )
    aws = sorted(wanted & snap.aws_policies)
    snap.rows[AWS_POLICIES] = _select_in(session, _table(t.ManagedPolicy), "pk", aws)
    snap.rows[AWS_VERSIONS] = _select_in(session, _table(t.PolicyVersion), "policy_pk", aws)


def clear(session: Session, accounts: Iterable[str], taken: Snapshot | None = None) -> Snapshot:
    """Delete ``accounts``' IAM (children first); returns what was deleted (``taken``: the
    snapshot just taken of them, to spare reading it twice)."""
    gone = taken if taken is not None else take(session, accounts)
    for table in _delete_order():
        rows = gone.rows.get(table.name, [])
        key = _key(table)
        for chunk in _chunks([r[key.name] for r in rows]):
            session.execute(delete(table).where(key.in_(chunk)))
    return gone


def _delete_order() -> list[Table]:
    """Children before parents: tags, the dependents, then the owned tables."""
    order = [_table(t.Tag)]
    order += [table for table, _ in reversed(dependents())]
    order += [_table(m) for m in reversed(OWNED)]
    return order


def put_back(session: Session, snap: Snapshot) -> None:
    """Make ``snap.accounts``' IAM exactly what ``snap`` holds (same keys, ids and dates)."""
    now = clear(session, snap.accounts)
    accounts = _table(t.Account)
    missing = [r for r in snap.account_rows if r["account_id"] not in now.known_accounts]
    if missing:
        session.execute(insert(accounts), missing)
    policies = _table(t.ManagedPolicy)
    present = set(session.scalars(select(policies.c.pk).where(policies.c.account_id.is_(None))))
    aws = [r for r in snap.rows.get(AWS_POLICIES, []) if r["pk"] not in present]
    if aws:
        session.execute(insert(policies), aws)
        back = {r["pk"] for r in aws}
        versions = [r for r in snap.rows.get(AWS_VERSIONS, []) if r["policy_pk"] in back]
        if versions:
            session.execute(insert(_table(t.PolicyVersion)), versions)
    for table in reversed(_delete_order()):
        rows = snap.rows.get(table.name, [])
        if rows:
            session.execute(insert(table), rows)
    # AWS managed policies first read in after the snapshot go again (nothing uses them now).
    added = (
        set(session.scalars(select(policies.c.pk).where(policies.c.account_id.is_(None))))
        - snap.aws_policies
    )
    _drop_unused_aws_policies(session, sorted(added))
    # Accounts that did not exist then go; the default is the one it was.
    gone = [a for a in snap.accounts if a not in snap.known_accounts]
    for chunk in _chunks(gone):
        session.execute(delete(accounts).where(accounts.c.account_id.in_(chunk)))
    for account_id, is_default in snap.known_accounts.items():
        if now.known_accounts.get(account_id) != is_default:
            session.execute(
                update(accounts)
                .where(accounts.c.account_id == account_id)
                .values(is_default=is_default)
            )


def _drop_unused_aws_policies(session: Session, pks: list[int]) -> None:
    if not pks:
        return
    attachments, users, roles = _table(t.PolicyAttachment), _table(t.User), _table(t.Role)
    used: set[int] = set()
    for chunk in _chunks(pks):
        used.update(
            session.scalars(
                select(attachments.c.policy_pk).where(attachments.c.policy_pk.in_(chunk))
            )
        )
        for owner in (users, roles):
            used.update(
                session.scalars(
                    select(owner.c.permissions_boundary_pk).where(
                        owner.c.permissions_boundary_pk.in_(chunk)
                    )
                )
            )
    unused = [pk for pk in pks if pk not in used]
    versions, policies = _table(t.PolicyVersion), _table(t.ManagedPolicy)
    for chunk in _chunks(unused):
        session.execute(delete(versions).where(versions.c.policy_pk.in_(chunk)))
        session.execute(delete(policies).where(policies.c.pk.in_(chunk)))
