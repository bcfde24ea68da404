"""The undo command every edit uses: ``redo`` calls a service operation, ``undo`` its inverse.

An edit runs *before* it is pushed: if the service refuses (an ``IamError`` such as
``EntityAlreadyExists`` or ``DeleteConflict``), nothing is pushed and the caller shows AWS's
message; the stack only ever holds edits that happened. If an undo or redo later fails (the model
changed underneath, e.g. another window), the error is reported and the command is marked
obsolete so the stack drops it rather than pretending.

When others share the model, an edit is refused (``ConcurrentModification``, naming who changed
what) if someone else changed the same entity after this window last showed it; an undo or redo
is refused if someone else changed the entity after this command's own step, so it never reverts
their later change (``iamdesk.store.changelog.guarded``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtGui import QUndoCommand

from iamdesk.ui import messages
from iamdesk.ui.context import AppContext

log = logging.getLogger(__name__)

Step = Callable[[], Any]


class ServiceCommand(QUndoCommand):
    """``do`` and ``undo`` are service calls (closures over the database and account)."""

    def __init__(
        self,
        context: AppContext,
        text: str,
        do: Step,
        undo: Step,
        kinds: Iterable[str],
        *,
        parent: QUndoCommand | None = None,
    ) -> None:
        super().__init__(text, parent)
        self.context = context
        self._do = do
        self._undo = undo
        self.kinds = tuple(kinds)
        self.result: Any = None
        self._done_once = False
        self.failed: BaseException | None = None
        # The change log's newest entry after this command's last step (None: not followed).
        self._after: int | None = None

    def _guarded(self, step: Step, since: int | None) -> Any:
        """``step()``, refused as ``ConcurrentModification`` if another process changed the
        entity after change-log entry ``since``; then note where this step left the log.
        ``since`` None: nobody follows other processes' changes, so nothing to check against."""
        from iamdesk.services.errors import IamError
        from iamdesk.store.changelog import StaleEditError, guarded

        if since is None:
            return step()
        try:
            with guarded(since):
                result = step()
        except StaleEditError as exc:
            self.context.notify(*self.kinds)  # show the others' change
            raise IamError("ConcurrentModification", str(exc)) from None
        self._after = self.context.newest_change()
        return result

    def run_first(self) -> Any:
        """Perform the edit once, before the push; errors propagate to the caller."""
        self.result = self._guarded(self._do, self.context.seen)
        self._done_once = True
        self.context.notify(*self.kinds)
        return self.result

    def redo(self) -> None:
        if self._done_once:
            self._done_once = False  # the push's own redo(): already done in run_first
            return
        self._step(self._do, "Redo")

    def undo(self) -> None:
        self._step(self._undo, "Undo")

    def _step(self, step: Step, verb: str) -> None:
        from iamdesk.services.errors import IamError

        try:
            self._guarded(step, self._after)
        except IamError as exc:
            log.warning("%s %s failed: %s", verb, self.text(), exc)
            self.failed = exc
            self.setObsolete(True)
            messages.error(f"{verb} “{self.text()}” failed: {exc.message}")
        finally:
            self.context.notify(*self.kinds)


class CompositeCommand(ServiceCommand):
    """Several service steps as one undoable edit; undo runs the inverses in reverse order.

    If a step fails, the steps already done are undone, so the model is as before."""

    def __init__(
        self,
        context: AppContext,
        text: str,
        steps: list[tuple[Step, Step]],
        kinds: Iterable[str],
    ) -> None:
        super().__init__(context, text, self._do_all, self._undo_all, kinds)
        self._steps = steps

    def _do_all(self) -> list[Any]:
        done: list[Step] = []
        results = []
        try:
            for do, undo in self._steps:
                results.append(do())
                done.append(undo)
        except Exception:
            for undo in reversed(done):
                undo()
            raise
        return results

    def _undo_all(self) -> None:
        for _do, undo in reversed(self._steps):
            undo()


def created_once(
    create: Callable[[], dict[str, Any]], restore: Callable[[dict[str, Any]], Any]
) -> tuple[Step, dict[str, Any]]:
    """The ``do`` of a creating edit: the first run creates (``create`` returns a snapshot of
    what it made), every redo ``restore``s that snapshot, so the same ids and ARNs come back,
    not look-alikes with new ones. Also the snapshot, filled once ``do`` has run, for the undo
    to name what it removes."""
    made: dict[str, Any] = {}

    def do() -> dict[str, Any]:
        if made:
            restore(made)
        else:
            made.update(create())
        return made

    return do, made


def execute(context: AppContext, command: ServiceCommand) -> Any:
    """Run ``command`` and push it on the undo stack; ``IamError`` propagates, unpushed."""
    result = command.run_first()
    context.undo_stack.push(command)
    messages.info(f"{command.text()} — Ctrl+Z undoes it")
    return result
