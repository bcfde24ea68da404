"""Showing other people's changes: when another process commits to the open model, every view
reloads within a second, without a manual refresh.

A model on a PostgreSQL server announces each commit (``NOTIFY iamdesk_change``): a socket
notifier on the listening connection wakes the GUI thread only when one arrives. A model whose
``Database`` offers ``change_token()`` but no listener (an SQLite file) is polled twice a second
(``PRAGMA data_version``: microseconds, no page read). Either way the window's ``seen`` mark
moves to the newest change-log entry, which is what ``ServiceCommand`` checks an edit against
(see ``iamdesk.store.changelog.guarded``). Entries this window wrote itself reload nothing: each
command already told the views it touched.

A reload keeps what the user is doing: views re-select the selected row and detail tabs with
unsaved edits keep them (``EntityView._show_detail``); dialogs do not listen at all. The window's
own background tasks may run meanwhile: each opens its own session, and Python's cycle
collector runs on the GUI thread while they do (``iamdesk.ui.workers``).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

from iamdesk.ui.context import KINDS, AppContext

log = logging.getLogger(__name__)

POLL_MS = 500


class ModelWatcher(QObject):
    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.context = context
        self._listener: Any = None
        self._notifier: QSocketNotifier | None = None
        self._token: object = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        context.databaseChanged.connect(self._watch)
        self._watch(None)

    def _stop(self) -> None:
        self._timer.stop()
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _watch(self, _path: object) -> None:
        self._stop()
        database = self.context.database
        if database is None:
            return
        self.context.seen = self.context.newest_change()
        listen = getattr(database, "listen", None)
        if listen is not None:
            try:
                self._listener = listen()
            except Exception as exc:  # the model opened; a missing listener only costs liveness
                log.warning("not following other people's changes: %s", exc)
                return
            self._notifier = QSocketNotifier(
                self._listener.fileno(), QSocketNotifier.Type.Read, self
            )
            self._notifier.activated.connect(self._on_notified)
            return
        token = getattr(database, "change_token", None)
        if token is not None:
            self._token = token()
            self._timer.start()

    def _on_notified(self) -> None:
        if self._listener is not None and self._listener.drain():
            self._changed()

    def _poll(self) -> None:
        from iamdesk.store.db import StoreError

        try:
            token = self.context.database.change_token()
        except StoreError as exc:  # the file went away or became unreadable: say so once
            log.warning("not following other people's changes any more: %s", exc)
            self._timer.stop()
            return
        if token != self._token:
            self._token = token
            self._changed()

    def _changed(self) -> None:
        newest, seen = self.context.newest_change(), self.context.seen
        if newest == seen:
            return
        self.context.seen = newest
        if seen is not None and not self.context.changed_elsewhere(seen):
            return  # only this window's own edits: each command showed its change already
        log.debug("the model changed elsewhere: reloading the views")
        self.context.notify(*KINDS)

    def close(self) -> None:
        self._stop()
