"""Connecting to an SQLite file by its exact name, whatever characters the name holds.

A path pasted into ``sqlite:///{path}`` or ``file:{path}?mode=ro`` is read as a URL: ``?`` starts
a query, ``#`` a fragment and ``%20`` is a space, so ``plan?v2.db`` silently opens ``plan``. And
this SQLite build treats a plain name starting with ``file:`` as a URI even when asked not to.
So every connection here names the file by its absolute path as bytes (names that are not UTF-8
survive), and the read-only connection percent-escapes every byte of the path in its URI.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import quote


def absolute(path: Path | str) -> Path:
    """``path`` made absolute without resolving symbolic links (SQLite follows them itself)."""
    return Path(os.path.abspath(path))


def file_name(path: Path | str) -> bytes:
    """What SQLite's plain open takes: the absolute path's bytes (never starts with ``file:``)."""
    return os.fsencode(absolute(path))


def read_only_uri(path: Path | str, *, immutable: bool = False) -> str:
    """A ``file:`` URI that opens exactly ``path`` read-only (every special byte escaped).
    ``immutable``: read the file as it is, without the -shm file a WAL reader otherwise needs
    (for a file in a folder this process cannot write)."""
    return f"file:{quote(file_name(path), safe='/')}?mode=ro" + (
        "&immutable=1" if immutable else ""
    )


def connect(path: Path | str, **options: object) -> sqlite3.Connection:
    """``sqlite3.connect`` on exactly ``path`` (created if missing, as SQLite does)."""
    return sqlite3.connect(file_name(path), **options)  # type: ignore[call-overload,no-any-return]


def connect_read_only(
    path: Path | str, *, immutable: bool = False, **options: object
) -> sqlite3.Connection:
    """A read-only connection to exactly ``path``; fails if the file does not exist."""
    return sqlite3.connect(  # type: ignore[call-overload,no-any-return]
        read_only_uri(path, immutable=immutable), uri=True, **options
    )


def checkpoint(path: Path | str) -> None:
    """Fold the write-ahead log into the file, so that the one file holds everything."""
    conn = connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def publish(built: Path, target: Path) -> None:
    """Give the finished file ``built`` the name ``target``, refusing (``FileExistsError``) if
    anything is at ``target``: a hard link is created only where no name exists, so unlike a
    rename it can never replace a model that appeared meanwhile. ``built`` keeps its name (the
    caller removes it). Where hard links are unsupported the bytes are copied into a file
    created exclusively."""
    try:
        os.link(built, target, follow_symlinks=False)
        return
    except FileExistsError:
        raise FileExistsError(f"{target} already exists; it was not changed") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
    try:
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise FileExistsError(f"{target} already exists; it was not changed") from None
    try:
        with os.fdopen(fd, "wb") as out, built.open("rb") as source:
            shutil.copyfileobj(source, out)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def remove(path: Path) -> None:
    """Delete an SQLite file with its -wal and -shm companions (missing ones are fine)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
