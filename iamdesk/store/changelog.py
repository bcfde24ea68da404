"""The append-only change log, tags, and the schema version row.

``record_change`` is called by every service operation inside its own transaction, so a change
and its log entry commit or roll back together.

It is also where an edit made on stale data is refused. An app that shares its model with others
runs each edit inside ``guarded(since)``, ``since`` being the last log entry its views have shown
(or, for an undo, the entry its own edit wrote): if someone else (another process or window;
entries this ``Database`` wrote are never someone else's) has logged a change to the same entity
after that, ``record_change`` raises ``StaleEditError`` naming who changed what and when, inside
the write transaction, so the edit rolls back whole and nothing is overwritten. Writers take turns
(SQLite's write lock, PostgreSQL's counter row): no change slips in between check and write.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Index, UniqueConstraint, func, insert, select
from sqlmodel import Field, Session

from iamdesk.store.columns import TableModel, name_field

log = logging.getLogger(__name__)


class ChangeLogEntry(TableModel, table=True):
    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_account_at", "account_id", "at"),
        # The app's History tab asks for one entity's entries.
        Index("ix_change_log_entity", "account_id", "entity_type", "entity_name"),
    )

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str | None = None  # no foreign key: the log outlives what it describes
    at: str
    actor: str
    operation: str  # AWS's operation name, e.g. CreateUser
    entity_type: str  # user | group | role | policy | …
    entity_name: str
    before: str | None = None  # JSON
    after: str | None = None  # JSON


class Tag(TableModel, table=True):
    """A tag on any taggable entity, named by ``entity_type`` and that table's ``pk``.

    IAM tag keys are case-insensitive for uniqueness (``CostCenter`` and ``costcenter`` are one
    key), hence the NOCASE key.
    """

    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("entity_type", "entity_pk", "key"),)

    pk: int | None = Field(default=None, primary_key=True)
    entity_type: str  # user | role | policy | instance-profile | mfa | resource | …
    entity_pk: int
    key: str = name_field(128)
    value: str = Field(default="")


class SchemaVersion(TableModel, table=True):
    __tablename__ = "schema_version"

    id: int = Field(default=1, primary_key=True)
    version: int
    updated_at: str


class StaleEditError(Exception):
    """Someone else changed the entity since the caller last saw it; ``str()`` says who."""


# The entries each open model (its writing engine) wrote: its own changes are never someone
# else's. Keyed per engine, as keys of different models coincide.
_written: WeakKeyDictionary[Any, set[int]] = WeakKeyDictionary()
_since: ContextVar[int | None] = ContextVar("iamdesk_changes_seen", default=None)


@contextmanager
def guarded(since: int) -> Iterator[None]:
    """Refuse (``StaleEditError``) any change, in this block, to an entity that another process
    changed after log entry ``since``."""
    token = _since.set(since)
    try:
        yield
    finally:
        _since.reset(token)


def head(session: Session) -> int:
    """The newest log entry's key (0 for an empty log)."""
    return int(session.execute(select(func.max(ChangeLogEntry.pk))).scalar() or 0)


def others_since(session: Session, since: int, writer: Any) -> bool:
    """Whether an entry after ``since`` was written by anyone but the model open on engine
    ``writer`` (another process, or another model open on the same file)."""
    mine = _written.get(writer, set())
    later = session.execute(select(ChangeLogEntry.pk).where(ChangeLogEntry.pk > since))
    return any(pk not in mine for pk in later.scalars())


def _refuse_if_changed_since(
    session: Session, since: int, account_id: str | None, entity_type: str, entity_name: str
) -> None:
    t = ChangeLogEntry.__table__  # type: ignore[attr-defined]
    query = (
        select(t.c.pk, t.c.actor, t.c.operation, t.c.at)
        .where(
            t.c.pk > since,
            t.c.account_id.is_not_distinct_from(account_id),
            t.c.entity_type == entity_type,
            t.c.entity_name == entity_name,
        )
        .order_by(t.c.pk.desc())
    )
    mine = _written.get(session.get_bind(), set())
    for pk, actor, operation, at in session.execute(query):
        if pk not in mine:
            raise StaleEditError(
                f"{actor} changed {entity_type} {entity_name} ({operation} at {at}) after this"
                " window last showed it; nothing was changed. The view now shows their change:"
                " look again, then redo your edit if it still applies."
            )


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


def record_change(
    session: Session,
    *,
    at: str,
    actor: str,
    account_id: str | None,
    operation: str,
    entity_type: str,
    entity_name: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one entry (a Core insert: the log is written on every operation, keep it cheap)."""
    since = _since.get()
    if since is not None:
        _refuse_if_changed_since(session, since, account_id, entity_type, entity_name)
    result = session.execute(
        insert(ChangeLogEntry.__table__),  # type: ignore[arg-type]
        {
            "account_id": account_id,
            "at": at,
            "actor": actor,
            "operation": operation,
            "entity_type": entity_type,
            "entity_name": entity_name,
            "before": _dump(before),
            "after": _dump(after),
        },
    )
    if result.inserted_primary_key:
        _written.setdefault(session.get_bind(), set()).add(int(result.inserted_primary_key[0]))
    log.debug("%s %s %s in %s", operation, entity_type, entity_name, account_id)
