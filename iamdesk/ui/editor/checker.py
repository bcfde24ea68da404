"""Checking the editor's text off the GUI thread.

Every edit makes the previous check stale: a newer edit cancels the running check (its answer
is dropped when it arrives) and the next check starts once the running one has returned, so at
most one check runs and only the latest text's findings are ever shown. The validator itself is
linear in the text and a text far beyond its quota is answered by its size alone
(``lint.oversized``), so one check is bounded however much was pasted.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from iamdesk.core.policy.document import PolicyKind
from iamdesk.ui.editor.lint import EditorFinding, check_policy, sort_key
from iamdesk.ui.workers import Task, TaskControl, TaskRunner

log = logging.getLogger(__name__)


def findings_for(text: str, kind: PolicyKind) -> list[EditorFinding]:
    """Sorted findings; an empty text is a policy not yet written, not a malformed one."""
    return sorted(check_policy(text, kind), key=sort_key) if text.strip() else []


class BackgroundCheck(QObject):
    """``request(text, kind)`` checks in a worker; ``checked(findings, ms)`` brings the answer
    for the latest request only."""

    checked = Signal(list, float)  # list[EditorFinding], milliseconds the check took

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = TaskRunner(self)
        self._running: Task | None = None
        self._pending: tuple[str, PolicyKind] | None = None
        self._generation = 0
        self.superseded = 0  # checks whose answer was dropped for a newer edit

    @property
    def busy(self) -> bool:
        return self._running is not None or self._pending is not None

    def invalidate(self) -> None:
        """The text changed: whatever runs now answers for an old text."""
        self._generation += 1
        if self._running is not None:
            self._running.cancel()

    def request(self, text: str, kind: PolicyKind) -> None:
        self._pending = (text, kind)
        if self._running is None:
            self._start()

    def _start(self) -> None:
        assert self._pending is not None
        text, kind = self._pending
        self._pending = None
        generation = self._generation

        def work(control: TaskControl) -> tuple[list[EditorFinding], float]:
            started = time.perf_counter()
            control.check()
            found = findings_for(text, kind)
            return found, (time.perf_counter() - started) * 1000

        self._running = self._runner.start(
            work,
            name="policy check",
            on_done=lambda result: self._finished(generation, result),
            on_error=lambda error: self._finished(generation, None, error),
            on_cancelled=lambda: self._finished(generation, None),
        )

    def _finished(self, generation: int, result: Any, error: BaseException | None = None) -> None:
        if not shiboken6.isValid(self):
            return  # the editor closed while its last check ran
        self._running = None
        if error is not None:
            log.error("policy check failed: %s", error)
        current = generation == self._generation and self._pending is None
        if result is not None and current:
            self.checked.emit(*result)
        elif error is None:
            self.superseded += 1  # cancelled, or answered for an older text: dropped
        if self._pending is not None:
            self._start()

    def cancel(self) -> None:
        """Drop everything: the editor is going away or validating synchronously."""
        self._pending = None
        self.invalidate()

    def wait(self, msecs: int = 30000) -> bool:
        return self._runner.wait(msecs)
