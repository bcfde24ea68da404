"""Whole-file operations on a model file that the app offers (Save a Copy)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from iamdesk.store.db import Database

log = logging.getLogger(__name__)


def copy_database(db: Database, target: Path) -> Path:
    """Write a consistent copy of the open model to ``target`` (SQLite's online backup, so a
    write in progress is either wholly in the copy or not at all). Refuses to overwrite the
    source."""
    source = Path(db.path).resolve()
    if target.resolve() == source:
        raise ValueError(f"{target} is the open file; choose another name")
    part = target.with_name(target.name + ".part")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(part)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    part.replace(target)
    log.info("copied %s to %s", source, target)
    return target
