"""Long work off the GUI thread: a ``QRunnable`` per task, progress and result through queued
signals, cooperative cancel.

A task function receives a :class:`TaskControl` to report progress and to ask whether the user
cancelled; it returns plain data (never widgets) which arrives on the GUI thread in
``finished``. Exceptions arrive in ``failed``. Each task opens its own database session
(the Database is shared, sessions are not).

While any task runs, Python's cycle collector runs only on the GUI thread (``_GuiThreadCollector``):
left to itself it runs in whichever thread happens to allocate, and a cycle it frees may hold a Qt
object (a closed dialog, a window's context and its timers) whose destructor must run in the
thread the object lives in. Freed from a worker, a running ``QTimer`` stays registered with the
GUI thread's event loop and the next tick calls into freed memory (a crash seen in CI: "QObject::
~QObject: Timers cannot be stopped from another thread", then SIGSEGV in the GUI thread).
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, QTimer, Signal

log = logging.getLogger(__name__)


COLLECT_MS = 100  # how often the GUI thread collects cycles while tasks run


class _GuiThreadCollector:
    """Automatic garbage collection off while tasks run; the GUI thread collects instead, by the
    same per-generation thresholds, on a timer. Automatic collection comes back once no task
    body is running (counted in the worker itself, so a task that has reported back but is
    still unwinding counts too)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = 0  # tasks started and not yet past the end of run()
        self._restore: bool | None = None  # gc.isenabled() before the first task
        self._timer: QTimer | None = None

    def task_started(self) -> None:  # GUI thread
        with self._lock:
            self._active += 1
        if self._restore is None:
            self._restore = gc.isenabled()
            gc.disable()
        if self._timer is None:
            self._timer = QTimer(QCoreApplication.instance())
            self._timer.setInterval(COLLECT_MS)
            self._timer.timeout.connect(self.tick)
        self._timer.start()

    def task_ended(self) -> None:  # any thread, the last thing a task does
        with self._lock:
            self._active -= 1

    @property
    def active(self) -> int:
        return self._active

    def tick(self) -> None:  # GUI thread
        with self._lock:
            idle = self._active == 0
        counts, thresholds = gc.get_count(), gc.get_threshold()
        # The young garbage the tasks left behind goes now, here, rather than at the next
        # automatic collection, which may run in the next task's worker.
        generation = 0 if idle else -1
        for number in range(3):
            if counts[number] > thresholds[number] > 0:
                generation = number
        if generation >= 0:
            gc.collect(generation)
        if idle and self._restore is not None:
            if self._restore:
                gc.enable()
            self._restore = None
            if self._timer is not None:
                self._timer.stop()


collector = _GuiThreadCollector()


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
            self._run()
        finally:
            collector.task_ended()

    def _run(self) -> None:
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
                # One line: the window says what failed; the traceback is for a debug log only.
                log.error("%s failed: %s", self.name, (str(exc).splitlines() or [repr(exc)])[0])
                log.debug("%s failed", self.name, exc_info=True)
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

        for signal, callback in (
            (task.signals.progress, on_progress),
            (task.signals.finished, on_done),
            (task.signals.failed, on_error),
            (task.signals.cancelled, on_cancelled),
        ):
            if callback is not None:
                signal.connect(self._while_alive(callback))
        for signal in (task.signals.finished, task.signals.failed, task.signals.cancelled):
            signal.connect(forget)
        collector.task_started()
        self._pool.start(task)
        return task

    def _while_alive(self, callback: Callable[..., None]) -> Callable[..., None]:
        """``callback``, dropped once this runner is gone: the callbacks are plain functions
        over the runner's owner (a view), which Qt cannot disconnect when the owner is deleted,
        and a task may finish after its window closed."""

        def deliver(*args: Any) -> None:
            if shiboken6.isValid(self):
                callback(*args)

        return deliver

    @property
    def running(self) -> int:
        return len(self._running)

    def cancel_all(self) -> None:
        for task in list(self._running):
            task.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        return self._pool.waitForDone(msecs)
