"""Where the model lives: the file under the user data directory unless the user names another
file or a PostgreSQL server URL."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "iamdesk"
DEFAULT_DB_NAME = "iamdesk.sqlite"


def default_db_path() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / DEFAULT_DB_NAME


SERVER_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_server_url(location: object) -> bool:
    """A ``postgresql://user@host/dbname`` URL (a model on a server), not a file name."""
    return isinstance(location, str) and location.startswith(SERVER_SCHEMES)


def model_location(text: str) -> Path | str:
    """What ``--db`` or ``IAMDESK_DB`` names: a server URL stays text (``Path`` would fold its
    ``//``), anything else is a file path."""
    return text if is_server_url(text) else Path(text)


def resolve_db_path(explicit: Path | str | None) -> Path | str:
    """``--db``, else ``IAMDESK_DB``, else the file under the user data directory."""
    if explicit is not None:
        return explicit
    env = os.environ.get("IAMDESK_DB")
    return model_location(env) if env else default_db_path()
