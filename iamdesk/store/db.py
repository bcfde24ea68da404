"""Opening a model file: SQLite setup, schema creation and migration, one-transaction sessions.

``open_database(path)`` checks the file before anything writes to it: a file that is not SQLite,
or fails SQLite's integrity check, raises ``CorruptDatabaseError``; a file written by a newer
iamdesk raises ``SchemaTooNewError``; in both cases the file is left exactly as it was. A new file
is created readable by its owner only (SQLite gives the -wal and -shm files the same mode).

Every connection runs with foreign keys on, WAL journaling (readers never block the writer; two
app windows can share a file) and a busy timeout. ``Database.transaction()`` is one SQLite
``BEGIN IMMEDIATE`` … ``COMMIT``: it takes the write lock up front, so two writers queue on the
busy timeout instead of failing half-way, and any exception rolls the whole transaction back.
"""

from __future__ import annotations

import getpass
import logging
import os
import random
import re
import sqlite3
import stat
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlmodel import Session, SQLModel

from iamdesk.core.text import quoted
from iamdesk.store import sqlite_files
from iamdesk.store.damage import first_bad_row

# Importing tables registers every table on SQLModel.metadata before create_all.
from iamdesk.store.location import is_server_url
from iamdesk.store.schema import TRIGGER_NAMES, stamp, upgrade
from iamdesk.store.schema import create_schema as _create_schema
from iamdesk.store.tables import DEFAULT_ACCOUNT_ID, Account, SchemaVersion

log = logging.getLogger(__name__)

SCHEMA_VERSION = 7
BUSY_TIMEOUT_MS = 10_000
_SQLITE_MAGIC = b"SQLite format 3\x00"

Clock = Callable[[], datetime]
T = TypeVar("T")
_TOKEN = "iamdesk.change_token"  # a read session's info key: the token as the read began
_MEMO_LIMIT = 1_000


class StoreError(Exception):
    """The model file cannot be used; ``str()`` says which file and why."""


class CorruptDatabaseError(StoreError):
    pass


class SchemaTooNewError(StoreError):
    pass


class StorageError(StoreError):
    """The file system refused: a full disk, a file-size limit (``ulimit -f``), an I/O error."""


class MissingDatabaseError(StoreError):
    """The named model file does not exist (and the caller did not ask to create one)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def local_user() -> str:
    """Who the change log names by default: the person at this computer."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or password database
        return "unknown"


def iso(moment: datetime) -> str:
    """AWS CLI's timestamp form: ``2026-01-02T03:04:05+00:00``."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


# How SQLite says a file is damaged.
_DAMAGE_WORDS = ("malformed", "not a database", "corrupt")
# ... and that the file system refused (not the file's fault).
_STORAGE_WORDS = ("disk I/O error", "disk is full")
_STORAGE_HINT = "the disk may be full, or a file-size limit (ulimit -f) reached"
# What reading a damaged row raises in the code that uses it.
_ROW_FAILURES = (ValueError, TypeError, KeyError, AttributeError, OverflowError)


class ReadOnlyError(StoreError):
    """The model file was opened read-only (the file or its folder is not writable)."""


@contextmanager
def _plain_errors(path: Path) -> Iterator[None]:
    """SQLite's failures as ``StoreError``s naming the file, in the driver's own words only:
    SQLAlchemy's text carries the statement and its parameters (a new secret, a TOTP seed)."""
    try:
        yield
    except OperationalError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else "unknown error"
        if any(word in reason for word in _STORAGE_WORDS):
            raise StorageError(
                f"{path} cannot be written: {reason} ({_STORAGE_HINT}); nothing was changed"
            ) from None
        if "readonly" in reason or "read-only" in reason:
            raise ReadOnlyError(f"{path} is read-only: {reason}; nothing was changed") from None
        if "Could not decode to UTF-8" in reason:
            column = reason.split("'")[1] if reason.count("'") >= 2 else "a"
            where = first_bad_row(path) or f"a value in its {column!r} column is not UTF-8 text"
            raise CorruptDatabaseError(f"{path} is damaged: {where}; it was not changed") from None
        raise StoreError(f"{path}: {quoted(reason)}") from None
    except UnicodeDecodeError:
        where = first_bad_row(path) or "it holds text that is not UTF-8"
        raise CorruptDatabaseError(f"{path} is damaged: {where}; it was not changed") from None
    except _ROW_FAILURES:
        # A value a flipped bit made into something its column cannot hold (a number where
        # text belongs) fails only where a service uses it. If a row is bad, say which.
        where = first_bad_row(path)
        if where is None:
            raise  # not the file's fault: a bug, shown as one
        raise CorruptDatabaseError(f"{path} is damaged: {where}; it was not changed") from None
    except DatabaseError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else ""
        if isinstance(exc, IntegrityError) or not any(w in reason for w in _DAMAGE_WORDS):
            raise  # a constraint the services turn into AWS's words (EntityAlreadyExists...)
        raise CorruptDatabaseError(f"{path} is damaged: {quoted(reason)}") from None


class Database:
    """An open model file. Services receive it and open one transaction per operation.

    ``clock`` (the current time), ``actor`` (who the change log names) and ``rng`` (for ids; None
    means the ``secrets`` module) are injectable so tests and fixtures are deterministic.
    ``read_only``: the file or its folder is not writable; reads work, a transaction raises
    ``ReadOnlyError`` before changing anything.
    A model on a PostgreSQL server is a ``iamdesk.store.server.ServerDatabase``: the same
    interface, with ``path`` None and ``location`` its URL without the password.
    """

    backend = "sqlite"
    read_only = False
    read_only_reason: str | None = None  # why a writable file was opened read-only

    def __init__(
        self,
        path: Path,
        engine: Engine,
        read_engine: Engine,
        *,
        clock: Clock = utc_now,
        actor: str = "iamdesk",
        rng: random.Random | None = None,
    ) -> None:
        self.path: Path | None = path
        self.location = str(path)
        self.engine = engine
        self._read_engine = read_engine
        self.clock = clock
        self.actor = actor
        self.rng = rng
        self._watch: sqlite3.Connection | None = None
        self._watch_lock = threading.Lock()
        # What ``remembered`` keeps: the change token it holds for, and the values.
        self._memo: tuple[object, dict[Hashable, Any]] = (None, {})
        self._has_read = False

    def now(self) -> str:
        return iso(self.clock())

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: commits when the block ends, rolls back whole on any exception."""
        if self.read_only_reason is not None:
            raise StorageError(
                f"{self.path} cannot be written: {self.read_only_reason}; nothing was changed"
            )
        if self.read_only:
            raise ReadOnlyError(
                f"{self.path} is read-only (the file or its folder cannot be written): nothing"
                " was changed. Copy it somewhere writable to change it."
            )
        with (
            _plain_errors(self.path),
            Session(self.engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def read(self, *, one_statement: bool = False) -> Iterator[Session]:
        """A read-only snapshot (a deferred transaction: never waits for a writer).

        ``one_statement``: the block runs a single statement (after ``resolve_account``, which
        a later read answers from memory), and a statement is a snapshot of its own. A server
        then runs it without BEGIN and COMMIT, two round trips fewer; a file ignores it."""
        token = self._snapshot_token()
        with (
            _plain_errors(self.path),
            Session(self._reader(one_statement), expire_on_commit=False) as session,
            session.begin(),
        ):
            session.info[_TOKEN] = token
            yield session

    def _reader(self, one_statement: bool) -> Engine:
        return self._read_engine  # SQLite's BEGIN and COMMIT cost no round trip

    def _snapshot_token(self) -> object:
        """The change token as a read begins, which ``remembered`` keys its values by; None for
        the first read of this object: one read (a CLI command) has nothing to reuse, and need
        not pay for the watch (on a server, a listening connection)."""
        if not self._has_read:
            self._has_read = True
            return None
        try:
            return self.change_token()
        except StoreError:
            return None  # the watch cannot open: the read itself will say why, or work

    def remembered(self, session: Session, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``'s value (read in ``session``), reused by later read snapshots of this
        model until anyone commits a change to it (its ``change_token()`` moves). The token is
        taken before the snapshot starts, so a value is never older than the token it is kept
        under. Write transactions (and a first read) always compute: a write must see the
        latest committed rows, not what a notification has announced so far."""
        token = session.info.get(_TOKEN)
        if token is None:
            return compute()
        held, values = self._memo
        if held != token or len(values) >= _MEMO_LIMIT:
            values = {}
            self._memo = (token, values)
        if key in values:
            value: T = values[key]
            return value
        value = compute()
        values[key] = value
        return value

    def bulk_loaded(self, session: Session) -> None:
        """Called in a transaction that wrote many rows (an import, a copy). SQLite keeps no
        planner statistics (none is ever gathered here) and plans these queries from their
        indexes alone: nothing to do. A server refreshes its statistics, see ServerDatabase."""

    def change_token(self) -> object:
        """A value that differs whenever anyone (this process or another) has committed a change
        to the model since it was last read: SQLite's ``PRAGMA data_version`` on a connection
        kept for this, which costs microseconds and reads no page. A model on a server answers
        the same question its own way; a window polls this to show other people's changes."""
        with self._watch_lock:
            if self._watch is None:
                self._watch = sqlite_files.connect_read_only(
                    self.path, check_same_thread=False, immutable=self.read_only
                )
            try:
                return self._watch.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path} cannot be read: {exc}") from None

    def default_account_id(self) -> str:
        with self.read() as session:
            found = session.execute(
                select(Account.account_id).where(Account.is_default == True)  # noqa: E712
            ).scalar()
        return found or DEFAULT_ACCOUNT_ID

    def close(self) -> None:
        # The read-only watch first: the last connection to close removes the -wal and -shm
        # files, which only a connection that may write can do.
        with self._watch_lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None
        self.engine.dispose()
        self._read_engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Existing:
    """What an existing file holds, read without writing: its schema version (None for an empty
    file) and the names of its tables, indexes and triggers."""

    def __init__(self, version: int | None, names: frozenset[str]) -> None:
        self.version = version
        self.names = names

    def up_to_date(self) -> bool:
        """Nothing for ``open_database`` to write: the current version and every table, index
        and trigger this iamdesk declares. Names are only ever added, so a file found complete
        stays complete whatever another process does meanwhile."""
        return self.version == SCHEMA_VERSION and _expected_names() <= self.names


def _expected_names() -> frozenset[str]:
    names = set(TRIGGER_NAMES)
    for table in SQLModel.metadata.tables.values():
        names.add(table.name)
        names.update(str(index.name) for index in table.indexes)
    return frozenset(names)


def _check_kind(path: Path) -> bool:
    """Whether ``path`` exists; raise ``StoreError`` if it is something that cannot be a model
    file (a folder, a FIFO that would block the read forever, a device, a symbolic link loop)."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return False  # nothing there, or a dangling link (a new file goes where it points)
    except OSError as exc:
        raise StoreError(f"{path} cannot be opened: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise StoreError(f"{path} cannot be read: it is a folder, not an iamdesk model file")
    if not stat.S_ISREG(mode):
        raise StoreError(f"{path} is not a regular file (a device, pipe or socket)")
    return True


def _writable(path: Path) -> bool:
    """SQLite writes the file and creates its -wal and -shm companions beside it."""
    folder = sqlite_files.absolute(path).parent
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK)


def _inspect_existing(path: Path, *, immutable: bool = False) -> _Existing:
    """The schema version and object names of an existing file, without writing to it."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path} cannot be read: {exc.strerror or exc}") from None
    if not header:
        return _Existing(None, frozenset())
    if header != _SQLITE_MAGIC:
        raise CorruptDatabaseError(f"{path} is not an iamdesk database (not an SQLite file)")
    try:
        conn = sqlite_files.connect_read_only(path, immutable=immutable)
    except sqlite3.Error as exc:
        _refuse_storage(path, exc)
        raise CorruptDatabaseError(f"{path} cannot be opened: {quoted(exc)}") from None
    # A damaged file may hold text that is not UTF-8, even in the check's own message.
    conn.text_factory = lambda data: data.decode("utf-8", "backslashreplace")
    try:
        # quick_check reads every page once (~2 ms per MB) but skips the index-vs-table
        # cross-check that makes integrity_check several times slower; a damaged page, a
        # truncated file or a broken b-tree still fails it.
        check = conn.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            found = " ".join(str(check[0]).split()) if check else "no result"
            raise CorruptDatabaseError(f"{path} is damaged: {quoted(found, 200)}")
        names = frozenset(row[0] for row in conn.execute("SELECT name FROM sqlite_master"))
        if not names:
            return _Existing(None, names)
        if "schema_version" not in names:
            raise CorruptDatabaseError(f"{path} is an SQLite file but not an iamdesk database")
        row = conn.execute("SELECT version FROM schema_version WHERE id = 1").fetchone()
        if row is None:
            raise CorruptDatabaseError(f"{path} has no schema version")
        if not isinstance(row[0], int) or row[0] < 0:
            raise CorruptDatabaseError(
                f"{path} is damaged: its schema version {quoted(repr(row[0]), 40)} is not one"
                " iamdesk ever wrote; it was not changed"
            )
        if row[0] == SCHEMA_VERSION:
            _check_columns(path, conn, names)
        return _Existing(row[0], names)
    except sqlite3.DatabaseError as exc:
        _refuse_storage(path, exc)
        said = _schema_damage(exc) or quoted(exc)
        raise CorruptDatabaseError(f"{path} is damaged: {said}") from None
    except UnicodeDecodeError:
        # SQLite's message quotes the damaged bytes (a table's name, its schema text).
        raise CorruptDatabaseError(
            f"{path} is damaged: SQLite reports damage in text that is not UTF-8"
        ) from None
    finally:
        conn.close()


_MISSING_COLUMN = re.compile(
    r"malformed database schema \((?P<name>[^)]+)\) - (no such column: (?P<col>\S+)"
    r'|unknown column "(?P<key>[^"]+)" in foreign key definition)'
)


def _schema_damage(exc: sqlite3.DatabaseError) -> str | None:
    """A flipped bit in a table's schema text that renames a column a constraint (or an index
    of the table) names: SQLite refuses to read any schema then. Said as ``_check_columns``
    says a renamed column, naming the table."""
    found = _MISSING_COLUMN.search(str(exc))
    if found is None:
        return None
    name, column = found["name"], found["col"] or found["key"]
    for table in SQLModel.metadata.tables.values():
        if name == table.name or name in {index.name for index in table.indexes}:
            name = table.name
            break
    return f"table {quoted(name, 60)} lacks column {quoted(column, 60)}; it was not changed"


def _check_columns(path: Path, conn: sqlite3.Connection, names: frozenset[str]) -> None:
    """A flipped bit in a table's schema text renames a column and still passes quick_check;
    every read of that table would then fail with "no such column". Say so once, at open,
    naming the table and column (about 1 ms for every table)."""
    for table in SQLModel.metadata.tables.values():
        if table.name not in names:
            continue
        found = {row[1] for row in conn.execute(f'PRAGMA table_info("{table.name}")')}
        missing = sorted(column.name for column in table.columns if column.name not in found)
        if missing:
            raise CorruptDatabaseError(
                f"{path} is damaged: table {table.name} lacks column {quoted(missing[0], 60)};"
                " it was not changed"
            )


def _refuse_storage(path: Path, exc: BaseException) -> None:
    """Raise ``StorageError`` if ``exc`` is the file system refusing, not damage in the file."""
    reason = str(exc).splitlines()[0] if str(exc) else ""
    if any(word in reason for word in _STORAGE_WORDS):
        raise StorageError(
            f"{path} cannot be used: {reason} ({_STORAGE_HINT}); it was not changed"
        ) from None


def _wal_is_empty(path: Path) -> bool:
    """Nothing committed waits in the -wal file: the main file alone is the whole model."""
    try:
        return os.stat(f"{sqlite_files.absolute(path)}-wal").st_size == 0
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _make_engine(
    path: Path, begin: str, *, read_only: bool = False, immutable: bool | None = None
) -> Engine:
    # The URL object only tells SQLAlchemy "an SQLite file" (file pool, dialect); the creator
    # opens exactly ``path`` whatever its name holds (see sqlite_files).
    options = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    if read_only:
        # Without write access to the folder SQLite cannot make the -shm file a WAL reader
        # needs; "immutable" reads the file as it is (nobody can be writing it from here).
        if immutable is None:
            immutable = not os.access(sqlite_files.absolute(path).parent, os.W_OK | os.X_OK)
        frozen = immutable
        engine = create_engine(
            URL.create("sqlite", database=str(sqlite_files.absolute(path))),
            creator=lambda: sqlite_files.connect_read_only(path, immutable=frozen, **options),
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


def _initialise(conn: Connection, now: str) -> None:
    """Build a new model in an empty database (the tables as declared, stamped at the newest
    migration) with its default account."""
    _create_schema(conn)
    stamp(conn, SCHEMA_VERSION)
    conn.execute(
        SchemaVersion.__table__.insert(),  # type: ignore[attr-defined]
        {"id": 1, "version": SCHEMA_VERSION, "updated_at": now},
    )
    conn.execute(
        Account.__table__.insert(),  # type: ignore[attr-defined]
        {
            "account_id": DEFAULT_ACCOUNT_ID,
            "name": "default",
            "is_default": True,
            "create_date": now,
            "status": "ACTIVE",
            "email": "",
        },
    )


def _upgrade(conn: Connection, path: Path | str, version: int, now: str) -> None:
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{path} was written by a newer iamdesk (schema {version}; this version reads up to"
            f" {SCHEMA_VERSION}); it was not changed"
        )
    if version < SCHEMA_VERSION:
        log.info("migrating %s from schema %d to %d", path, version, SCHEMA_VERSION)
        try:
            upgrade(conn, version, SCHEMA_VERSION)
        except KeyError:
            raise CorruptDatabaseError(
                f"{path} is damaged: iamdesk never wrote schema version {version}; it was not"
                " changed"
            ) from None
    # A file whose tables, indexes or triggers were removed (or predate their declaration) gets
    # them back; a model made since migrations exist has them all already.
    _create_schema(conn)
    if version != SCHEMA_VERSION:
        conn.execute(
            SchemaVersion.__table__.update().values(  # type: ignore[attr-defined]
                version=SCHEMA_VERSION, updated_at=now
            )
        )


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
    exists = _check_kind(path)
    if not create and not exists:
        raise MissingDatabaseError(
            f"{path} does not exist; create a model file with 'iamdesk --db PATH new' (or"
            " 'iamdesk --db PATH demo')"
        )
    if exists and not _writable(path):
        return _open_read_only(path, clock=clock, actor=actor, rng=rng)
    try:
        existing = _inspect_existing(path) if exists else _Existing(None, frozenset())
    except StorageError as exc:
        # A full disk (or ulimit -f) refuses even the reader's shared-memory file. With nothing
        # waiting in the -wal file the main file is the whole model: read it as it is.
        if not _wal_is_empty(path):
            raise
        database = _open_read_only(path, clock=clock, actor=actor, rng=rng, immutable=True)
        database.read_only_reason = str(exc).split(": ", 1)[1].rsplit(";", 1)[0]
        return database
    version = existing.version
    if not exists:
        _create_file(path)
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{path} was written by a newer iamdesk (schema {version}; this version reads up to"
            f" {SCHEMA_VERSION}); it was not changed"
        )
    engine = _make_engine(path, "BEGIN IMMEDIATE")
    database = Database(
        path,
        engine,
        _make_engine(path, "BEGIN"),
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
                _initialise(conn, now)
                log.info("created model file %s (schema %d)", path, SCHEMA_VERSION)
            else:
                _upgrade(conn, path, version, now)
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
    existing = _inspect_existing(path, immutable=immutable)
    if existing.version is None:
        raise StoreError(f"{path} is empty and read-only: there is no model to read")
    if not existing.up_to_date():
        raise StoreError(
            f"{path} is read-only and was written by an older iamdesk: copy it somewhere"
            " writable so it can be upgraded; it was not changed"
        )
    database = Database(
        path,
        _make_engine(path, "BEGIN", read_only=True, immutable=immutable),
        _make_engine(path, "BEGIN", read_only=True, immutable=immutable),
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
