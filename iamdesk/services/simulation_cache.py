"""A cache of what simulations read from a model file, dropped whenever the file changes.

Simulating one principal reads a dozen rows (its policies, groups, tags, the organization path,
the resource's policy); the GUI and the CLI ask many questions between edits. Entries are kept
per model file and checked against SQLite's ``PRAGMA data_version`` on one dedicated connection:
it changes when any other connection, in this process or another, commits to the file. So a
cached answer is never older than the last committed change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from iamdesk.store import sqlite_files
from iamdesk.store.db import Database

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_ENTRIES = 20_000
MAX_FILES = 8  # scratch copies (e.g. the editor's impact preview) come and go


class _FileCache:
    def __init__(self, path: Path) -> None:
        # A file replaced at the same path is another file: the watcher must follow the inode.
        self.identity = _identity(path)
        # Read-only and never in a transaction: it only watches the file's data version.
        self._watch = sqlite_files.connect_read_only(path, check_same_thread=False)
        self._version: int | None = None
        self.entries: dict[Hashable, Any] = {}

    def fresh(self) -> None:
        version = self._watch.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version:
            if self.entries:
                log.debug("model file changed: dropping %d cached entries", len(self.entries))
            self.entries.clear()
            self._version = version

    def close(self) -> None:
        self._watch.close()


_lock = threading.Lock()
_files: dict[Path, _FileCache] = {}


def cached(path: Path, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``'s value for ``key`` in the model file at ``path``, reused until the file
    changes. ``compute`` runs outside the lock (it reads the database)."""
    resolved = Path(path).resolve()
    with _lock:
        cache = _files.pop(resolved, None)
        if cache is not None and cache.identity != _identity(resolved):
            cache.close()
            cache = None
        if cache is None:
            cache = _FileCache(resolved)
            while len(_files) >= MAX_FILES:
                _files.pop(next(iter(_files))).close()
        _files[resolved] = cache  # most recently used last
        cache.fresh()
        if key in cache.entries:
            value: T = cache.entries[key]
            return value
    value = compute()
    with _lock:
        if len(cache.entries) >= MAX_ENTRIES:
            cache.entries.clear()
        cache.entries[key] = value
    return value


def _identity(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_dev, stat.st_ino


def forget(path: Path) -> None:
    """Drop a file's cache and close its watcher (e.g. before the file is deleted)."""
    with _lock:
        cache = _files.pop(Path(path).resolve(), None)
    if cache is not None:
        cache.close()


class _TokenCache:
    """The same cache for a model on a server: fresh while the model's ``change_token()``
    (a counter every commit bumps) is unchanged."""

    def __init__(self) -> None:
        self.token: object = None
        self.entries: dict[Hashable, Any] = {}


_servers: dict[str, _TokenCache] = {}


def cached_by_token(
    location: str, token: Callable[[], object], key: Hashable, compute: Callable[[], T]
) -> T:
    """``compute()``'s value for ``key`` in the model at ``location``, reused until ``token()``
    changes. The token is read before computing: a change committed meanwhile may make an entry
    newer than its token, never older, and the next call sees the new token and recomputes."""
    current = token()
    with _lock:
        cache = _servers.setdefault(location, _TokenCache())
        if cache.token != current:
            cache.entries.clear()
            cache.token = current
        if key in cache.entries:
            value: T = cache.entries[key]
            return value
    value = compute()
    with _lock:
        if cache.token == current:
            if len(cache.entries) >= MAX_ENTRIES:
                cache.entries.clear()
            cache.entries[key] = value
    return value


def model_cached(db: Database, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``'s value for ``key`` in the open model ``db``, reused until the model
    changes: a file is watched through its data version, a server model by its change token."""
    if db.path is None:  # a model on a server
        return cached_by_token(db.location, db.change_token, key, compute)
    return cached(db.path, key, compute)
