"""Where the database file lives unless the user names another."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "iamdesk"
DEFAULT_DB_NAME = "iamdesk.sqlite"


def default_db_path() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / DEFAULT_DB_NAME


def resolve_db_path(explicit: Path | None) -> Path:
    """``--db``, else ``IAMDESK_DB``, else the file under the user data directory."""
    if explicit is not None:
        return explicit
    env = os.environ.get("IAMDESK_DB")
    return Path(env) if env else default_db_path()
