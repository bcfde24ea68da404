"""What every view, dialog and command of the window shares: the open database, the one undo
stack, the current account, and the signals that tell views to refresh."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

if TYPE_CHECKING:
    from iamdesk.store.db import Database

log = logging.getLogger(__name__)

# Kinds named in ``modelChanged``; a view refreshes when one of the kinds it shows is in the set.
KINDS = frozenset(
    {
        "users",
        "groups",
        "roles",
        "policies",
        "access_keys",
        "mfa",
        "login_profiles",
        "tags",
        "account",
        "resources",
        "organization",
    }
)


class AppContext(QObject):
    """The shared state of one main window.

    ``modelChanged(kinds)`` is emitted with a ``set`` of kind names after every change made
    through a command (and after undo/redo); ``accountChanged(account_id)`` when the user
    switches accounts; ``databaseChanged(path)`` when another file is opened.
    """

    modelChanged = Signal(object)
    accountChanged = Signal(str)
    databaseChanged = Signal(object)

    def __init__(
        self,
        database: Database | None = None,
        account_id: str | None = None,
        db_path: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.database: Any = database
        self.db_path = db_path
        self._account_id = account_id or ""
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setObjectName("undoStack")
        # The newest change-log entry the views have shown, while ``ModelWatcher`` follows other
        # processes' changes (None otherwise): an edit is checked against it, so a change made
        # elsewhere since is never silently overwritten.
        self.seen: int | None = None

    def newest_change(self) -> int:
        """The change log's newest entry (0 without a model)."""
        if self.database is None:
            return 0
        from iamdesk.store.changelog import head

        with self.database.read() as session:
            return head(session)

    def changed_elsewhere(self, since: int) -> bool:
        """Whether someone else wrote to the model after change-log entry ``since``."""
        if self.database is None:
            return False
        from iamdesk.store.changelog import others_since

        with self.database.read() as session:
            return others_since(session, since, self.database.engine)

    @property
    def account_id(self) -> str:
        return self._account_id

    def set_account(self, account_id: str) -> None:
        if account_id == self._account_id:
            return
        log.info("switching to account %s", account_id)
        self._account_id = account_id
        self.accountChanged.emit(account_id)

    def set_database(self, database: Database, db_path: Path | None, account_id: str) -> None:
        """Replace the open database; the undo history belongs to the old file, so it goes."""
        self.undo_stack.clear()
        old = self.database
        self.database = database
        self.db_path = db_path
        self._account_id = account_id
        self.seen = None  # until the watcher follows the new model
        if old is not None and old is not database and hasattr(old, "close"):
            old.close()
        self.databaseChanged.emit(db_path)
        self.accountChanged.emit(account_id)

    def notify(self, *kinds: str) -> None:
        """Tell every view that the given kinds of entity changed."""
        unknown = set(kinds) - KINDS
        if unknown:
            raise ValueError(f"unknown model kinds {sorted(unknown)}; known: {sorted(KINDS)}")
        self.modelChanged.emit(set(kinds))
