"""The ``Database`` object: how services read and write a model, in one transaction each.

``transaction()`` is one write transaction (on SQLite a ``BEGIN IMMEDIATE`` ... ``COMMIT``, see
``store.engine``): it commits when the block ends and any exception rolls it back whole.
``read()`` is a read-only snapshot that never waits for a writer; ``read(one_statement=True)``
lets a server run a single statement without BEGIN and COMMIT. ``remembered`` keeps a value read
in a snapshot until ``change_token()`` says anyone committed a change. A model on a PostgreSQL
server is the subclass ``store.server.ServerDatabase``; ``store.db`` opens either.
"""

from __future__ import annotations

import getpass
import random
import sqlite3
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlmodel import Session

from iamdesk.store import sqlite_files
from iamdesk.store.errors import ReadOnlyError, StorageError, StoreError, plain_errors
from iamdesk.store.tables import DEFAULT_ACCOUNT_ID, Account

Clock = Callable[[], datetime]
T = TypeVar("T")
_TOKEN = "iamdesk.change_token"  # a read session's info key: the token as the read began
_MEMO_LIMIT = 1_000


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
            plain_errors(self.path),
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
            plain_errors(self.path),
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
