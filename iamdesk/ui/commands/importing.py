"""An import (a new account, or a newer dump replacing one) as one undo step.

The import itself ran on the thread pool before the push (``FileActions``); its outcome holds
the accounts' rows before and after (``services.refresh.snapshot``). Undo puts the "before" rows
back, redo the "after" rows: same unique ids, dates, policies and versions, in one transaction
each, also on the thread pool, so a 5,000-user account does not freeze the window. While one
runs, Undo and Redo wait (their actions are disabled) so the stack never runs ahead of the model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand

from iamdesk.ui import messages
from iamdesk.ui.context import AppContext

log = logging.getLogger(__name__)

# Starts ``work`` off the GUI thread with progress; calls ``done`` or ``failed`` on the GUI thread.
Runner = Callable[[Callable[[Any], Any], str, Callable[[Any], None], Callable[[Any], None]], None]
KINDS = ("users", "groups", "roles", "policies", "account", "organization")


class ImportCommand(QUndoCommand):
    def __init__(
        self,
        context: AppContext,
        text: str,
        outcome: Any,
        run: Runner,
        hold: Callable[[bool], None],
    ) -> None:
        """``run`` starts work on the thread pool; ``hold(True)`` disables Undo and Redo until
        ``hold(False)``."""
        super().__init__(text)
        self.context = context
        self.outcome = outcome
        self._run = run
        self._hold = hold
        self._pushed = False
        self.busy = False

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True  # the push's own redo(): the import has run already
            return
        self._restore(self.outcome.after, "Redo")

    def undo(self) -> None:
        self._restore(self.outcome.before, "Undo")

    def _restore(self, snapshot: Any, verb: str) -> None:
        from iamdesk.services.refresh import restore

        database = self.context.database
        self.busy = True
        QTimer.singleShot(0, self._hold_stack)

        def done(_result: Any) -> None:
            self._release_stack()
            self.context.notify(*KINDS)
            messages.info(f"{verb} “{self.text()}” done")

        def failed(exc: Any) -> None:
            self._release_stack()
            self.setObsolete(True)
            self.context.notify(*KINDS)
            # The database's own words, never its statement or parameters.
            messages.error(f"{verb} “{self.text()}” failed: {getattr(exc, 'orig', exc)}")

        self._run(
            lambda _control: restore(database, snapshot), f"{verb}: {self.text()}", done, failed
        )

    def _hold_stack(self) -> None:
        if self.busy:
            self._hold(True)

    def _release_stack(self) -> None:
        self.busy = False
        self._hold(False)
