"""A model on a PostgreSQL server: the same ``Database`` interface as a file, for a team.

``open_server(url)`` connects through SQLAlchemy and psycopg 3 (libpq: a password comes from the
URL, ``PGPASSWORD`` or ``~/.pgpass``, as for ``psql``). Before anything writes, it reads the schema
version: a model written by a newer iamdesk is refused untouched, an empty database is initialised,
an older one migrated (Alembic, under a lock so two first opens do not both initialise).

Writers queue as on SQLite: every write transaction first bumps the one row of
``iamdesk_change``, so the row lock makes writers take turns (no lost update, no deadlock between
iamdesk writers: they all take the same first lock), and the new counter value is both the
``change_token()`` other processes poll and the payload of a ``NOTIFY iamdesk_change`` sent when
the transaction commits, which an app's listener turns into a refresh within a second.

The password never leaves this module: ``location`` and every error name the URL without it.
A role that may only read the tables (``GRANT SELECT``) opens the model with ``read_only`` set;
``transaction()`` then refuses with a message saying so.
"""

from __future__ import annotations

import itertools
import logging
import random
import select
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from iamdesk.store.errors import StoreError
from iamdesk.store.schema import SCHEMA_VERSION, initialise, migrate, refuse_newer
from iamdesk.store.sessions import Clock, Database, iso

log = logging.getLogger(__name__)

CHANNEL = "iamdesk_change"
LOCK_TIMEOUT_MS = 10_000
# Serialises initialising and migrating between processes opening one empty database at once.
_SCHEMA_LOCK = 0x1A4D_E5C0


_serials = itertools.count()


class ReadOnlyModelError(StoreError):
    """A write on a model the role may only read."""


def server_url(text: str, password: str | None = None) -> URL:
    """The SQLAlchemy URL for a ``postgresql://`` URL (driver psycopg 3)."""
    url = make_url(text).set(drivername="postgresql+psycopg")
    return url.set(password=password) if password is not None else url


def display_url(url: URL | str) -> str:
    """The URL as shown to people (title bar, logs, errors): never the password, wherever it
    was given (``user:password@`` or ``?password=``)."""
    url = make_url(url) if isinstance(url, str) else url
    query = {k: v for k, v in url.query.items() if k.lower() != "password"}
    # URL.set ignores None; the named tuple's own _replace really drops the password.
    shown = url.set(drivername="postgresql", query=query)._replace(password=None)
    return shown.render_as_string(hide_password=True)


def connection_reason(exc: BaseException, url: URL) -> str:
    """psycopg's reason for a failure, first line only and with any password removed."""
    orig = getattr(exc, "orig", None) or exc
    reason = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    if url.password:
        reason = reason.replace(str(url.password), "***")
    return reason


class ServerDatabase(Database):
    backend = "postgresql"

    def __init__(
        self,
        url: URL,
        engine: Engine,
        read_engine: Engine,
        statement_engine: Engine,
        *,
        clock: Clock,
        actor: str,
        rng: random.Random | None,
        read_only: bool,
    ) -> None:
        super().__init__(None, engine, read_engine, clock=clock, actor=actor, rng=rng)  # type: ignore[arg-type]
        self._statement_engine = statement_engine
        self.url = url
        self.location = display_url(url)
        self.read_only = read_only
        self._listener: Any = None  # a ChangeListener once change_token() is first asked
        self._announced = 0
        self._own_commits = 0
        self._serial = next(_serials)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        if self.read_only:
            raise ReadOnlyModelError(
                f"{self.location} is open read-only: the role "
                f"{self.url.username or '(default)'} may read this model but not change it"
            )
        with super().transaction() as session:
            yield session
        self._own_commits += 1

    def bulk_loaded(self, session: Session) -> None:
        """Refresh the planner's statistics of every model table, in the loading transaction
        (ANALYZE counts the rows this transaction inserted; the statistics commit with them).
        Without it the tables look as small as before the load until autovacuum next samples
        them, and a page of users ordered by name is read by sorting the whole account (a few
        ms) instead of walking the name index (microseconds). A role that does not own the
        tables is skipped with a server warning, not an error."""
        from sqlmodel import SQLModel

        names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
        session.connection().exec_driver_sql(f"ANALYZE {names}")

    def _reader(self, one_statement: bool) -> Engine:
        return self._statement_engine if one_statement else self._read_engine

    def _snapshot_token(self) -> object:
        if self._listener is False:
            return None  # no listener: the token would cost a query per read
        return super()._snapshot_token()

    def listen(self) -> ChangeListener:
        return ChangeListener(self.url)

    def change_token(self) -> object:
        """A value that changes whenever any process commits a change to the model.

        Read without a round trip to the server: a listening connection counts the commits
        announced by NOTIFY (another process's commit counts once its notification has arrived,
        well under a millisecond after it) and this object's own commits count at once. Without
        a listener (it could not connect) the server's counter is read instead."""
        if self._listener is None:
            try:
                self._listener = self.listen()
            except Exception:  # psycopg's connection errors: fall back to asking the server
                log.debug("no change listener; reading the counter", exc_info=True)
                self._listener = False
        if self._listener:
            try:
                if self._listener.drain():
                    self._announced += 1
                # The object's own number: counts of another Database object (which may have
                # missed commits made before it listened) never compare equal to these.
                return (self._serial, self._announced, self._own_commits)
            except Exception:
                log.debug("change listener lost; reading the counter", exc_info=True)
                self._listener = False
        with self._read_engine.connect() as conn:
            value = conn.exec_driver_sql("SELECT n FROM iamdesk_change WHERE id = 1").scalar()
            conn.rollback()
        return int(value or 0)

    def close(self) -> None:
        if self._listener:
            self._listener.close()
        self._listener = None
        super().close()


class ChangeListener:
    """``LISTEN iamdesk_change`` on a connection of its own: an app watches ``fileno()`` (a
    socket notifier) and calls ``drain()``, true when another commit was announced."""

    def __init__(self, url: URL) -> None:
        import psycopg

        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn = psycopg.connect(conninfo, autocommit=True)
        self._conn.execute(f"LISTEN {CHANNEL}")

    def fileno(self) -> int:
        return int(self._conn.fileno())

    def drain(self) -> bool:
        """Consume every notification already received; true if there was any. Every read
        asks (``Database.remembered``): a quiet socket answers in microseconds, without going
        through psycopg's notification machinery (tens of them)."""
        if not select.select([self._conn.fileno()], [], [], 0)[0]:
            return False  # drained to the end last time: anything new would be on the socket
        return sum(1 for _ in self._conn.notifies(timeout=0)) > 0

    def close(self) -> None:
        self._conn.close()


def _engines(url: URL) -> tuple[Engine, Engine, Engine]:
    """The writer's, the reader's and the one-statement reader's engines: three faces of one
    pool of connections, so a command that reads, then writes, connects once (and SQLAlchemy
    learns the server once). Writers run READ COMMITTED behind the change counter's lock;
    readers take a REPEATABLE READ snapshot, READ ONLY (the server refuses a write there, and
    needs no write bookkeeping); a read of one statement runs it alone (autocommit: no BEGIN
    and COMMIT round trips; one statement sees one snapshot anyway). Autocommit is the pool's
    own state, so those reads, the most frequent, switch nothing on checkout and checkin."""
    # A writer waiting longer than this for another's transaction gives up with an error instead
    # of hanging (SQLite's busy timeout plays the same part). Given as a start-up option, it costs
    # no round trip per connection; options already in the URL are kept.
    options = f"{url.query.get('options', '')} -c lock_timeout={LOCK_TIMEOUT_MS}".strip()
    base = create_engine(
        url,
        pool_size=5,
        max_overflow=10,
        connect_args={"options": options},
        isolation_level="AUTOCOMMIT",
    )
    writer = base.execution_options(isolation_level="READ COMMITTED")
    reader = base.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    statement = base

    @event.listens_for(writer, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("schema_work"):
            return  # opening builds the schema, the counter included, under its own lock
        # The write lock (see the module's docstring); NOTIFY is delivered on commit only.
        conn.exec_driver_sql(
            "UPDATE iamdesk_change SET n = n + 1 WHERE id = 1"
            f" RETURNING pg_notify('{CHANNEL}', n::text)"
        )

    return writer, reader, statement


# What opening needs to know, in two round trips: whether the model's tables exist and this role
# may write them (privileges are asked only of tables that exist: CASE evaluates its branches in
# order, and has_table_privilege fails on a missing table), then the schema version.
_TABLES = """
SELECT
  to_regclass('schema_version') IS NOT NULL,
  to_regclass('iamdesk_change') IS NOT NULL,
  CASE WHEN to_regclass('iamdesk_change') IS NOT NULL AND to_regclass('iam_user') IS NOT NULL
       THEN has_table_privilege('iam_user', 'INSERT')
            AND has_table_privilege('iamdesk_change', 'UPDATE') END
"""


def _state(conn: Connection) -> tuple[int | None, bool, bool]:
    """(schema version or None, whether the change counter exists, whether the role may write)."""
    versioned, counter, may_write = conn.exec_driver_sql(_TABLES).one()
    version = None
    if versioned:
        found = conn.exec_driver_sql("SELECT version FROM schema_version WHERE id = 1").scalar()
        version = None if found is None else int(found)
    return version, bool(counter), bool(may_write)


def _counter(conn: Connection) -> None:
    """The change counter (PostgreSQL only: SQLite has ``PRAGMA data_version``)."""
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS iamdesk_change (id integer PRIMARY KEY, n bigint NOT NULL)"
    )
    conn.exec_driver_sql("INSERT INTO iamdesk_change VALUES (1, 0) ON CONFLICT (id) DO NOTHING")


def open_server(
    text: str,
    *,
    clock: Clock,
    actor: str,
    rng: random.Random | None = None,
    password: str | None = None,
) -> ServerDatabase:
    """Open the model in the PostgreSQL database ``text`` names, initialising an empty one."""
    url = server_url(text, password)
    shown = display_url(url)
    engine, read_engine, statement_engine = _engines(url)
    try:
        with read_engine.connect() as conn:
            version, counter, may_write = _state(conn)
            ready = version == SCHEMA_VERSION and counter
            read_only = ready and not may_write
            conn.rollback()
        refuse_newer(shown, version)
        if not ready:
            with engine.connect().execution_options(schema_work=True) as conn, conn.begin():
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
                version = _state(conn)[0]  # another process may have done it meanwhile
                if version is None:
                    initialise(conn, iso(clock()))
                    log.info("initialised a new model in %s (schema %d)", shown, SCHEMA_VERSION)
                else:
                    migrate(conn, shown, version, iso(clock()))
                _counter(conn)
    except StoreError:
        engine.dispose()
        read_engine.dispose()
        raise
    except DBAPIError as exc:
        engine.dispose()
        read_engine.dispose()
        reason = connection_reason(exc, url)
        if "permission denied" in reason:
            raise StoreError(
                f"{shown} has no iamdesk model and this role may not create one: {reason}"
            ) from None
        raise StoreError(f"{shown} cannot be opened: {reason}") from None
    database = ServerDatabase(
        url,
        engine,
        read_engine,
        statement_engine,
        clock=clock,
        actor=actor,
        rng=rng,
        read_only=read_only,
    )
    if read_only:
        log.info("opened %s read-only (the role may not write)", shown)
    return database
