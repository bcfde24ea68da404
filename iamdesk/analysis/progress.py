"""How a long analysis reports progress and notices a Cancel, without knowing who runs it.

Every public analysis takes ``progress(done, total)`` and ``cancel() -> bool``, both optional,
so the Analysis view can run it off the GUI thread with a progress bar, and the CLI can ignore
both. ``cancel`` may also raise its own exception (the GUI's worker raises its ``Cancelled`` from
``TaskControl.check``): it propagates unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None


class Cancelled(Exception):
    """The caller asked to stop; partial results are discarded."""


def check(cancel: Cancel) -> None:
    if cancel is not None and cancel():
        raise Cancelled()


def report(progress: Progress, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
