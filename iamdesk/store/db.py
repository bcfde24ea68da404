"""Opening a model: the store's public face for the rest of iamdesk.

``open_database(path)`` checks the file before anything writes to it (``store.inspection``): a
file that is not SQLite, or fails SQLite's integrity check, raises ``CorruptDatabaseError``; a
file written by a newer iamdesk raises ``SchemaTooNewError``; in both cases the file is left
exactly as it was. A new file is created readable by its owner only (SQLite gives the -wal and
-shm files the same mode); an older one is migrated (``store.schema``). A ``postgresql://`` URL
opens a model on a server (``store.server``).

Services, analyses, the app and the command line import what they use of the store from here
(``__all__``): the ``Database`` they are handed (``store.sessions``), the errors opening and
using it raise (``store.errors``), the schema version and the clock helpers. The store's own
modules import from where each thing is defined.
"""

from __future__ import annotations

import logging
import os
import random
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from iamdesk.store import sqlite_files
from iamdesk.store.engine import make_engine
from iamdesk.store.errors import (
    CorruptDatabaseError,
    MissingDatabaseError,
    ReadOnlyError,
    SchemaTooNewError,
    StorageError,
    StoreError,
)
from iamdesk.store.inspection import Existing, check_kind, inspect_existing, wal_is_empty, writable
from iamdesk.store.location import is_server_url
from iamdesk.store.schema import SCHEMA_VERSION, initialise, migrate, refuse_newer
from iamdesk.store.sessions import Clock, Database, iso, local_user, utc_now

__all__ = [
    "SCHEMA_VERSION",
    "Clock",
    "CorruptDatabaseError",
    "Database",
    "MissingDatabaseError",
    "ReadOnlyError",
    "SchemaTooNewError",
    "StorageError",
    "StoreError",
    "iso",
    "local_user",
    "new_database",
    "open_database",
    "utc_now",
]

log = logging.getLogger(__name__)


def _create_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A dangling symbolic link: create the file it points at, owner-only like any other
        # (O_EXCL refuses every link, so without this SQLite would create it world-readable).
        flags = os.O_CREAT | os.O_WRONLY | (0 if os.path.islink(path) else os.O_EXCL)
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        return  # another process created it a moment ago; open_database re-checks under lock
    except OSError as exc:
        raise StoreError(f"{path} cannot be created: {exc.strerror or exc}") from None
    os.close(fd)


def _stored_version(conn: Connection) -> int | None:
    exists = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).first()
    if exists is None:
        return None
    found = conn.exec_driver_sql("SELECT version FROM schema_version WHERE id = 1").scalar()
    return None if found is None else int(found)


def open_database(
    path: Path | str,
    *,
    create: bool = True,
    clock: Clock = utc_now,
    actor: str | None = None,
    rng: random.Random | None = None,
) -> Database:
    """Open the model file at ``path``, migrating an older schema. A missing file is created
    when ``create`` is true, else refused with ``MissingDatabaseError`` (the command line and
    the app's Open name files a user typed: a typo must not become a new empty model).
    A ``postgresql://`` URL opens a model on a PostgreSQL server (an empty database, which must
    exist, is initialised)."""
    if isinstance(path, str) and is_server_url(path):
        from iamdesk.store.server import open_server

        return open_server(path, clock=clock, actor=actor or local_user(), rng=rng)
    path = Path(path)
    exists = check_kind(path)
    if not create and not exists:
        raise MissingDatabaseError(
            f"{path} does not exist; create a model file with 'iamdesk --db PATH new' (or"
            " 'iamdesk --db PATH demo')"
        )
    if exists and not writable(path):
        return _open_read_only(path, clock=clock, actor=actor, rng=rng)
    try:
        existing = inspect_existing(path) if exists else Existing(None, frozenset())
    except StorageError as exc:
        # A full disk (or ulimit -f) refuses even the reader's shared-memory file. With nothing
        # waiting in the -wal file the main file is the whole model: read it as it is.
        if not wal_is_empty(path):
            raise
        database = _open_read_only(path, clock=clock, actor=actor, rng=rng, immutable=True)
        database.read_only_reason = str(exc).split(": ", 1)[1].rsplit(";", 1)[0]
        return database
    version = existing.version
    if not exists:
        _create_file(path)
    refuse_newer(path, version)
    engine = make_engine(path, "BEGIN IMMEDIATE")
    database = Database(
        path,
        engine,
        make_engine(path, "BEGIN"),
        clock=clock,
        actor=actor or local_user(),
        rng=rng,
    )
    now = iso(clock())
    try:
        with engine.begin() as conn:
            if existing.up_to_date():
                # The common case. The empty BEGIN IMMEDIATE transaction keeps what opening did
                # before (it waits for another writer and fails where SQLite cannot take the
                # write lock); what it skips is create_all's per-table and per-index reflection
                # (~30 ms for 27 tables and 37 indexes).
                return database
            if version is None:
                # Under the write lock: another process may have initialised the file meanwhile.
                version = _stored_version(conn)
            if version is None:
                initialise(conn, now)
                log.info("created model file %s (schema %d)", path, SCHEMA_VERSION)
            else:
                migrate(conn, path, version, now)
    except BaseException:
        database.close()
        raise
    return database


def _open_read_only(
    path: Path,
    *,
    clock: Clock,
    actor: str | None,
    rng: random.Random | None,
    immutable: bool | None = None,
) -> Database:
    """A file this process may read but not write: reads work, writes are refused whole."""
    if immutable is None:
        immutable = not os.access(sqlite_files.absolute(path).parent, os.W_OK | os.X_OK)
    existing = inspect_existing(path, immutable=immutable)
    if existing.version is None:
        raise StoreError(f"{path} is empty and read-only: there is no model to read")
    if not existing.up_to_date():
        raise StoreError(
            f"{path} is read-only and was written by an older iamdesk: copy it somewhere"
            " writable so it can be upgraded; it was not changed"
        )
    database = Database(
        path,
        make_engine(path, "BEGIN", read_only=True, immutable=immutable),
        make_engine(path, "BEGIN", read_only=True, immutable=immutable),
        clock=clock,
        actor=actor or local_user(),
        rng=rng,
    )
    database.read_only = True
    log.info("opened %s read-only", path)
    return database


def new_database(path: Path | str, **options: Any) -> Database:
    """Create a model file at ``path`` and open it; refuse (``FileExistsError``) if anything,
    even a dangling symbolic link, is already there: nothing is ever replaced."""
    if is_server_url(path):
        raise StoreError(
            "a server database is not created by iamdesk: its empty database becomes a model when"
            " first opened (iamdesk --db URL ...), or fill it with iamdesk db copy FILE URL"
        )
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise FileExistsError(f"{path} already exists; it was not changed") from None
    except OSError as exc:
        raise StoreError(f"{path} cannot be created: {exc.strerror or exc}") from None
    os.close(fd)
    try:
        return open_database(path, **options)
    except BaseException:
        sqlite_files.remove(path)
        raise
