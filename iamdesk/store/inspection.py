"""What an existing model file holds, read before anything writes to it.

``open_database`` asks here first: a path that cannot be a model file (a folder, a FIFO, a
device), a file that is not SQLite or fails SQLite's quick check, a schema whose text a flipped
bit damaged, are refused with a ``StoreError`` naming the file, and the file is left exactly as
it was. What the check finds (``Existing``) tells opening whether it has anything to write.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from pathlib import Path

from sqlmodel import SQLModel

from iamdesk.core.text import quoted
from iamdesk.store import sqlite_files
from iamdesk.store.errors import CorruptDatabaseError, StoreError, refuse_storage
from iamdesk.store.schema import SCHEMA_VERSION, TRIGGER_NAMES

SQLITE_MAGIC = b"SQLite format 3\x00"


class Existing:
    """What an existing file holds, read without writing: its schema version (None for an empty
    file) and the names of its tables, indexes and triggers."""

    def __init__(self, version: int | None, names: frozenset[str]) -> None:
        self.version = version
        self.names = names

    def up_to_date(self) -> bool:
        """Nothing for ``open_database`` to write: the current version and every table, index
        and trigger this iamdesk declares. Names are only ever added, so a file found complete
        stays complete whatever another process does meanwhile."""
        return self.version == SCHEMA_VERSION and expected_names() <= self.names


def expected_names() -> frozenset[str]:
    names = set(TRIGGER_NAMES)
    for table in SQLModel.metadata.tables.values():
        names.add(table.name)
        names.update(str(index.name) for index in table.indexes)
    return frozenset(names)


def check_kind(path: Path) -> bool:
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


def writable(path: Path) -> bool:
    """SQLite writes the file and creates its -wal and -shm companions beside it."""
    folder = sqlite_files.absolute(path).parent
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK)


def inspect_existing(path: Path, *, immutable: bool = False) -> Existing:
    """The schema version and object names of an existing file, without writing to it."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path} cannot be read: {exc.strerror or exc}") from None
    if not header:
        return Existing(None, frozenset())
    if header != SQLITE_MAGIC:
        raise CorruptDatabaseError(f"{path} is not an iamdesk database (not an SQLite file)")
    try:
        conn = sqlite_files.connect_read_only(path, immutable=immutable)
    except sqlite3.Error as exc:
        refuse_storage(path, exc)
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
            return Existing(None, names)
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
        return Existing(row[0], names)
    except sqlite3.DatabaseError as exc:
        refuse_storage(path, exc)
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


def wal_is_empty(path: Path) -> bool:
    """Nothing committed waits in the -wal file: the main file alone is the whole model."""
    try:
        return os.stat(f"{sqlite_files.absolute(path)}-wal").st_size == 0
    except FileNotFoundError:
        return True
    except OSError:
        return False
