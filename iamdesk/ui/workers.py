"""Long work off the GUI thread: a ``QRunnable`` per task, progress and result through queued
signals, cooperative cancel.

A task function receives a :class:`TaskControl` to report progress and to ask whether the user
cancelled; it returns plain data (never widgets) which arrives on the GUI thread in
``finished``. Exceptions arrive in ``failed``. Each task opens its own database session
(the Database is shared, sessions are not).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside a task by :meth:`TaskControl.check` once the user pressed Cancel."""


class TaskControl:
    def __init__(self, signals: TaskSignals) -> None:
        self._signals = signals
        self._cancel = threading.Event()

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._signals.progress.emit(done, total, text)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled

    def cancel(self) -> None:
        self._cancel.set()


class TaskSignals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()


class Task(QRunnable):
    """One unit of background work. Keep a reference to ``signals`` while it runs."""

    def __init__(self, fn: Callable[[TaskControl], Any], name: str = "task") -> None:
        super().__init__()
        self.name = name
        self.signals = TaskSignals()
        self.control = TaskControl(self.signals)
        self._fn = fn
        # Set in the worker just before it reports back: whoever connects to ``signals`` after
        # start() (the status bar's tracker) can tell that an end it may have missed happened.
        self.ended = False
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self.control.cancel()

    def run(self) -> None:
        try:
            result = self._fn(self.control)
        except Cancelled:
            log.info("%s cancelled", self.name)
            self.ended = True
            self.signals.cancelled.emit()
        except Exception as exc:  # handed to the GUI thread, which shows it
            if getattr(exc, "code", None) and getattr(exc, "message", None):
                # A refusal in AWS's words (bad input, a missing entity): the GUI says it.
                log.info("%s refused: %s", self.name, exc)
            else:
                log.exception("%s failed", self.name)
            self.ended = True
            self.signals.failed.emit(exc)
        else:
            self.ended = True
            if self.control.cancelled:
                self.signals.cancelled.emit()
            else:
                self.signals.finished.emit(result)


# Every task the pool still runs, whoever started it: a runner (and its owner, a dialog or an
# editor) may be deleted while its task runs, and a QRunnable collected by Python mid-run
# crashes the process. A task leaves this set when it reports back.
_ALIVE: set[Task] = set()


class TaskRunner(QObject):
    """Starts tasks on a thread pool and keeps them alive until they report back."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._running: set[Task] = set()

    def start(
        self,
        fn: Callable[[TaskControl], Any],
        *,
        name: str = "task",
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> Task:
        task = Task(fn, name)
        self._running.add(task)
        _ALIVE.add(task)

        def forget(*_args: object) -> None:
            self._running.discard(task)
            _ALIVE.discard(task)

        if on_progress is not None:
            task.signals.progress.connect(on_progress)
        if on_done is not None:
            task.signals.finished.connect(on_done)
        if on_error is not None:
            task.signals.failed.connect(on_error)
        if on_cancelled is not None:
            task.signals.cancelled.connect(on_cancelled)
        for signal in (task.signals.finished, task.signals.failed, task.signals.cancelled):
            signal.connect(forget)
        self._pool.start(task)
        return task

    @property
    def running(self) -> int:
        return len(self._running)

    def cancel_all(self) -> None:
        for task in list(self._running):
            task.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        return self._pool.waitForDone(msecs)
