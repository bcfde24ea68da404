"""Opening model files for the window: the store's errors become one message the user can act on,
and nothing is overwritten when a file cannot be used."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class OpenError(Exception):
    """The file cannot be opened; ``str()`` is the message for the user."""


def open_model_file(path: Path | str, *, new: bool = False) -> Any:
    """Open the model file at ``path`` (``new``: create it, refusing an existing one); raise
    :class:`OpenError`. A missing file is not created by opening: the app's New does that."""
    from sqlalchemy.exc import DBAPIError

    from iamdesk.store.db import StoreError, new_database, open_database

    if isinstance(path, str):  # a postgresql:// URL (from --db or IAMDESK_DB)
        try:
            return open_database(path)
        except StoreError as exc:
            raise OpenError(str(exc)) from exc
    if path.is_dir():
        raise OpenError(f"{path} is a folder, not an iamdesk model file.")
    try:
        return new_database(path) if new else open_database(path, create=False)
    except FileExistsError as exc:
        raise OpenError(
            f"{path} already exists; choose another name (it was not changed)."
        ) from exc
    except StoreError as exc:
        raise OpenError(str(exc)) from exc
    except PermissionError as exc:
        raise OpenError(f"{path} cannot be opened: permission denied.") from exc
    except DBAPIError as exc:
        reason = str(exc.orig) if exc.orig is not None else str(exc)
        if "readonly" in reason or "read-only" in reason:
            raise OpenError(
                f"{path} is read-only: iamdesk needs to write to it. Copy it somewhere "
                "writable, or change its permissions. It was not changed."
            ) from exc
        raise OpenError(f"{path} cannot be opened: {reason}. It was not changed.") from exc
    except OSError as exc:
        raise OpenError(f"{path} cannot be opened: {exc.strerror or exc}.") from exc


def demo_database_path() -> Path:
    """The demo organization's file, created on first use."""
    try:
        from iamdesk.services.demo import ensure_demo_database
    except ImportError:
        # Until the demo builder ships, an empty scratch file keeps --demo usable.
        path = Path(tempfile.gettempdir()) / "iamdesk-demo-empty.sqlite"
        log.warning("demo organization not available; using empty %s", path)
        return path
    return Path(ensure_demo_database())


def default_account(database: Any, wanted: str | None) -> str:
    """``wanted`` when the file has that account, else the file's default account."""
    from iamdesk.services.queries.accounts import account_exists

    if wanted and account_exists(database, wanted):
        return wanted
    if wanted:
        log.warning("account %s is not in %s; using the default account", wanted, database.path)
    return str(database.default_account_id())
