"""Whole-file operations on a model file that the app offers (Save a Copy)."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from iamdesk.store import sqlite_files
from iamdesk.store.db import Database

log = logging.getLogger(__name__)


def copy_database(db: Database, target: Path) -> Path:
    """Write a consistent copy of the open model to ``target`` (SQLite's online backup, so a
    write in progress is either wholly in the copy or not at all). The copy holds what the
    model holds (MFA seeds among it), so it is readable by its owner only. Refuses to overwrite
    the source; the copy is built beside ``target`` and moved into place only when complete."""
    source = Path(db.path).resolve()
    if target.resolve() == source:
        raise ValueError(f"{target} is the open file; choose another name")
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)  # mkstemp made it 0600; SQLite keeps an existing file's mode
    part = Path(name)
    try:
        src = sqlite_files.connect_read_only(source)
        try:
            dst = sqlite_files.connect(part)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        part.replace(target)
    finally:
        sqlite_files.remove(part)
    log.info("copied %s to %s", source, target)
    return target
