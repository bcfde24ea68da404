"""SQLAlchemy engines over an SQLite model file, set up as every connection to it must be.

Foreign keys on, WAL journaling (readers never block the writer; two app windows can share a
file), synchronous writes and a busy timeout. The engine's ``begin`` statement is the session's
mode: ``BEGIN IMMEDIATE`` for writers (the write lock up front, so two writers queue on the
busy timeout instead of failing half-way), ``BEGIN`` for readers (a deferred snapshot that never
waits for a writer). A read-only engine opens the file read-only, ``immutable`` where SQLite
could not make the -shm file a WAL reader needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection

from iamdesk.store import sqlite_files

BUSY_TIMEOUT_MS = 10_000


def make_engine(
    path: Path, begin: str, *, read_only: bool = False, immutable: bool = False
) -> Engine:
    # The URL object only tells SQLAlchemy "an SQLite file" (file pool, dialect); the creator
    # opens exactly ``path`` whatever its name holds (see sqlite_files).
    options = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    if read_only:
        engine = create_engine(
            URL.create("sqlite", database=str(sqlite_files.absolute(path))),
            creator=lambda: sqlite_files.connect_read_only(path, immutable=immutable, **options),
        )
    else:
        engine = create_engine(
            URL.create("sqlite", database=str(sqlite_files.absolute(path))),
            creator=lambda: sqlite_files.connect(path, **options),
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event issue BEGIN itself (pysqlite's own is deferred and late).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not read_only:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)

    return engine
