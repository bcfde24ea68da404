"""Copying a whole model between backends (a file to a server, a server to a file, or alike).

Every row of every table moves as it is, primary keys included, in one transaction on the
target: SQLAlchemy Core reads each table in key order and inserts it in batches (executemany,
which SQLAlchemy turns into multi-row INSERTs), so the copy's export is the source's, byte for
byte. The target must be a new model (nothing but the default account a new model starts with);
its own schema version and Alembic stamp stay, which match the source's (a model from a newer
iamdesk is refused when opened). Foreign keys are checked at commit (organization <-> account is a
cycle); PostgreSQL's key sequences are moved past the copied keys so new rows get new keys.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from iamdesk.store.errors import StoreError
from iamdesk.store.sessions import Database
from iamdesk.store.tables import Account

log = logging.getLogger(__name__)

BATCH = 5_000
# The target's own: which schema it has (equal to the source's once both are open).
_NOT_COPIED = {"schema_version"}

Progress = Callable[[str, int], None]


class TargetNotEmptyError(StoreError):
    """The target already holds a model; a copy never merges into or replaces one."""


def model_tables() -> list[Table]:
    """The tables a model consists of, parents before children."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in _NOT_COPIED]


def _holds_a_model(conn: Connection) -> bool:
    accounts = conn.execute(select(func.count()).select_from(Account.__table__)).scalar_one()  # type: ignore[arg-type]
    if accounts > 1:
        return True
    for table in model_tables():
        if table.name != "account" and conn.execute(select(table).limit(1)).first() is not None:
            return True
    return False


def _rows(conn: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    query = select(table).order_by(*table.primary_key.columns)
    result = conn.execution_options(yield_per=BATCH).execute(query)
    for partition in result.mappings().partitions(BATCH):
        yield [dict(row) for row in partition]


def _parents_first(rows: list[dict[str, Any]], key: str, parent: str) -> list[dict[str, Any]]:
    """A table that references itself (organization nodes): every parent before its children,
    for PostgreSQL checks such keys per statement."""
    placed: set[Any] = set()
    ordered: list[dict[str, Any]] = []
    pending = rows
    while pending:
        ready = [r for r in pending if r[parent] is None or r[parent] in placed]
        if not ready:
            raise StoreError("the source's organization tree has a cycle; nothing was copied")
        ordered.extend(ready)
        placed.update(r[key] for r in ready)
        pending = [r for r in pending if r[key] not in placed]
    return ordered


def _self_reference(table: Table) -> tuple[str, str] | None:
    for foreign in table.foreign_keys:
        if foreign.column.table is table:
            return foreign.column.name, foreign.parent.name
    return None


def _defer_keys(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    else:
        conn.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")


def _advance_sequences(conn: Connection, table: Table) -> None:
    if conn.dialect.name != "postgresql":
        return  # SQLite's next rowid is max(rowid) + 1
    for column in table.primary_key.columns:
        sequence = conn.exec_driver_sql(
            "SELECT pg_get_serial_sequence(%(t)s, %(c)s)", {"t": table.name, "c": column.name}
        ).scalar()
        if sequence:
            conn.exec_driver_sql(
                f'SELECT setval(%(s)s, COALESCE((SELECT max("{column.name}") FROM'
                f' "{table.name}"), 0) + 1, false)',
                {"s": sequence},
            )


def copy_model(
    source: Database, target: Database, progress: Progress | None = None
) -> dict[str, int]:
    """Copy everything in ``source`` into the new model ``target``; rows copied per table."""
    counts: dict[str, int] = {}
    with source.read() as reading, target.transaction() as writing:
        src = reading.connection()
        dst = writing.connection()
        if _holds_a_model(dst):
            raise TargetNotEmptyError(
                f"{target.location} already holds a model; copy into a new file or an empty"
                " database (nothing was changed)"
            )
        _defer_keys(dst)
        for table in reversed(model_tables()):
            if table.name != "change_log":  # append-only, and a new model's is empty
                dst.execute(table.delete())
        for table in model_tables():
            counts[table.name] = 0
            self_ref = _self_reference(table)
            batches = _rows(src, table)
            if self_ref is not None:
                batches = iter([_parents_first([r for b in batches for r in b], *self_ref)])
            for batch in batches:
                if batch:
                    dst.execute(table.insert(), batch)
                    counts[table.name] += len(batch)
                    if progress is not None:
                        progress(table.name, counts[table.name])
            _advance_sequences(dst, table)
        target.bulk_loaded(writing)
    log.info("copied %d rows from %s to %s", sum(counts.values()), source.location, target.location)
    return counts
