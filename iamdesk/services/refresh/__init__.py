"""Importing onto what the model has: a new account, or a newer dump replacing an account.

``import_file`` is the one way a file comes in (``iamdesk import`` and File > Import alike): the
document is read and checked whole (``authorization.entries``), then written in one transaction.
With ``replace`` the accounts the file describes lose their current IAM first (users, groups,
roles, customer managed policies, instance profiles) and get the file's; access keys, MFA
devices, console passwords, SSH keys, certificates and role sessions (every table hanging off a
user or role that a dump does not describe, ``snapshot.credentials``) stay with the users and
roles that keep their unique id, and go with those that left. Either way the outcome carries the
account's rows before and after (``snapshot``), so ``restore`` undoes or redoes it exactly.
``differences`` (``.differences``) says what a replacement would change, without changing it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from iamdesk.services.authorization.details import ImportFormatError, load, locate
from iamdesk.services.authorization.entries import Plan, read_plan
from iamdesk.services.importexport import ImportSummary, write_plan
from iamdesk.services.refresh.snapshot import Snapshot, clear, credentials, put_back, take
from iamdesk.store import tables as t
from iamdesk.store.db import Database

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class ImportOutcome:
    summary: ImportSummary
    replaced: bool
    before: Snapshot  # the accounts' IAM before: ``restore(db, before)`` undoes the import
    after: Snapshot  # and after: ``restore(db, after)`` redoes it with the same ids


def read_file(source: str | bytes | Mapping[str, Any]) -> tuple[Plan, str | None]:
    """The file's content checked whole; ``ImportFormatError`` names the first problem."""
    data, text = load(source)
    try:
        return read_plan(data), text
    except ImportFormatError as error:
        locate(error, text)
        raise


def accounts_present(db: Database, accounts: set[str]) -> list[str]:
    """Which of ``accounts`` already hold users, groups, roles or customer policies."""
    found: set[str] = set()
    with db.read() as session:
        for model in (t.User, t.Group, t.Role, t.ManagedPolicy, t.InstanceProfile):
            table: Table = model.__table__  # type: ignore[attr-defined]
            query = select(table.c.account_id).where(table.c.account_id.in_(sorted(accounts)))
            found.update(session.scalars(query.distinct()))
    return sorted(found)


def import_file(
    db: Database,
    source: str | bytes | Mapping[str, Any] | tuple[Plan, str | None],
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Read the document into the model, all or nothing (see the module's text)."""
    report = progress or (lambda _stage: None)
    report("reading")
    # A (plan, text) pair: a file read and checked already (the app reads before it asks).
    plan, text = source if isinstance(source, tuple) else read_file(source)
    report("replacing" if replace else "writing")
    try:
        with db.transaction() as session:
            before = take(session, plan.accounts)
            if replace:
                clear(session, plan.accounts, before)
            summary = write_plan(session, plan, db.now())
            if replace:
                _keep_credentials(session, before)
            after = take(session, plan.accounts)
            db.bulk_loaded(session)
    except ImportFormatError as error:
        locate(error, text)
        raise
    log.info("%s %s", "replaced" if replace else "imported", summary)
    return ImportOutcome(summary, replace, before, after)


def restore(db: Database, snap: Snapshot) -> None:
    """Make the snapshot's accounts exactly as ``snap`` holds them, in one transaction."""
    with db.transaction() as session:
        put_back(session, snap)


def _keep_credentials(session: Session, before: Snapshot) -> None:
    """Give the credentials of users and roles still there (same unique id) back to them; those
    of users and roles that left go with them."""
    moved: dict[str, dict[int, int]] = {}  # owned table -> old pk -> new pk
    for owner, id_column in ((t.User, "user_id"), (t.Role, "role_id")):
        table: Table = owner.__table__  # type: ignore[attr-defined]
        old = {r[id_column]: r["pk"] for r in before.rows.get(table.name, [])}
        ids = sorted(old)
        moved[table.name] = {}
        for start in range(0, len(ids), 500):
            query = select(table.c[id_column], table.c.pk).where(
                table.c[id_column].in_(ids[start : start + 500]),
                table.c.account_id.in_(before.accounts),
            )
            moved[table.name].update({old[uid]: pk for uid, pk in session.execute(query)})
    kept: dict[str, set[Any]] = {}
    for table, links in credentials():
        rows = []
        for row in before.rows.get(table.name, []):
            changed = dict(row)
            for column, owner in links:
                # Unset (an MFA device assigned to nobody belongs to the account): stays.
                if row[column] is not None:
                    changed[column] = moved.get(owner, {}).get(row[column])
            if all(changed[c] is not None or row[c] is None for c, _ in links):
                rows.append(changed)
        if rows:
            session.execute(insert(table), rows)
        kept[table.name] = {r[next(iter(table.primary_key.columns)).name] for r in rows}
    tags = [
        r
        for r in before.rows.get("tag", [])
        if r["entity_type"] == "mfa" and r["entity_pk"] in kept.get("mfa_device", set())
    ]
    if tags:
        session.execute(insert(t.Tag.__table__), tags)  # type: ignore[attr-defined]


__all__ = ["ImportOutcome", "accounts_present", "import_file", "read_file", "restore"]
