"""Which row of a model file is damaged, when reading it failed on something the file holds.

SQLite's own check (``quick_check``) finds damaged pages, not a value that a flipped bit turned
into bytes that are not UTF-8, or into a number where text belongs: such a file opens, and
reading that row then fails deep in a service with a message that names at most a column. Only
then (an error path, so reading every row once is affordable) this module walks the tables and
names the first bad row by table and key, so the user knows what to repair or re-import.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from iamdesk.core.text import quoted
from iamdesk.store import sqlite_files

# SQLite's storage classes a declared column type accepts (NULL is checked by NOT NULL).
_ACCEPTS = {
    "INTEGER": {"integer"},
    "BOOLEAN": {"integer"},
    "FLOAT": {"real", "integer"},
    "REAL": {"real", "integer"},
    "NUMERIC": {"integer", "real"},
    "TEXT": {"text"},
    "VARCHAR": {"text"},
    "DATETIME": {"text"},
    "JSON": {"text"},
    "BLOB": {"blob"},
}
_WORDS = {"integer": "a whole number", "real": "a number", "text": "text", "blob": "bytes"}


def _accepted(declared: str) -> set[str] | None:
    base = declared.upper().split("(")[0].strip()
    return _ACCEPTS.get(base)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def first_bad_row(path: Path | str | None) -> str | None:
    """ "table iam_user, row pk=7: its name is not UTF-8 text" for the first row holding a value
    its column cannot hold; None when every row reads (the damage is elsewhere, or none) or
    the model is not a file (a server's database checks types itself)."""
    if path is None:
        return None
    try:
        conn = sqlite_files.connect_read_only(path)
    except sqlite3.Error:
        return None
    conn.text_factory = bytes
    try:
        tables = [
            row[0].decode("utf-8", "replace")
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        for table in tables:
            found = _bad_row_in(conn, table)
            if found is not None:
                return found
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return None


def _bad_row_in(conn: sqlite3.Connection, table: str) -> str | None:
    columns = [
        (row[1].decode("utf-8", "replace"), row[2].decode("utf-8", "replace"), bool(row[3]), row[5])
        for row in conn.execute(f"PRAGMA table_info({_quote(table)})")
    ]
    if not columns:
        return None
    keys = [name for name, _type, _nn, pk in sorted(columns, key=lambda c: c[3]) if pk] or ["rowid"]
    selected = ", ".join(
        [*(_quote(k) if k != "rowid" else "rowid" for k in keys)]
        + [f"typeof({_quote(name)}), {_quote(name)}" for name, *_ in columns]
    )
    for row in conn.execute(f"SELECT {selected} FROM {_quote(table)}"):
        key_values = row[: len(keys)]
        values = row[len(keys) :]
        for index, (name, declared, not_null, _pk) in enumerate(columns):
            kind, value = values[2 * index], values[2 * index + 1]
            kind = kind.decode() if isinstance(kind, bytes) else str(kind)
            problem = None
            if kind == "null":
                if not_null:
                    problem = "is empty (NULL) where a value is required"
            elif kind == "text":
                try:
                    value.decode("utf-8")
                except UnicodeDecodeError:
                    problem = "is not UTF-8 text"
            accepted = _accepted(declared)
            if problem is None and kind != "null" and accepted and kind not in accepted:
                want = " or ".join(sorted({_WORDS[a] for a in accepted}))
                problem = f"holds {_WORDS.get(kind, kind)} where {want} belongs"
            if problem is not None:
                return f"table {table}, row {_describe_key(keys, key_values)}: its {name} {problem}"
    return None


def _describe_key(keys: list[str], values: tuple[object, ...]) -> str:
    parts = []
    for key, value in zip(keys, values, strict=True):
        shown = value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else value
        parts.append(f"{key}={quoted(shown, 80)}")
    return ", ".join(parts)
