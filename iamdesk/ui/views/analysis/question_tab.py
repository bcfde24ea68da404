"""One analysis question as a tab: its inputs, Run (Enter in any field) and Cancel, a one-line
summary or error, and the results pane. The question runs on the thread pool through the app's
``TaskRunner``; the main window's status bar shows its progress with Cancel too."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from iamdesk.ui import theme
from iamdesk.ui.views.analysis.inputs import (
    ChoiceSource,
    Field,
    fill_choices,
    input_value,
    make_input,
    set_input,
)
from iamdesk.ui.views.analysis.results import ResultColumn
from iamdesk.ui.views.analysis.results_pane import ResultsPane
from iamdesk.ui.workers import Task, TaskControl, TaskRunner

log = logging.getLogger(__name__)

# (db, account_id, inputs by field name, progress(done, total), cancel()) -> rows
Call = Callable[[Any, str | None, dict[str, Any], Any, Any], Any]


@dataclass(frozen=True)
class Question:
    key: str  # objectName stem after "analysis": "WhoCan"
    title: str  # the tab's title
    intro: str
    fields: tuple[Field, ...]
    call: Call
    columns: Callable[[], Sequence[ResultColumn]]
    # A row's statement when it carries a location rather than a StatementRef (validation).
    statement_of: Callable[[Any], Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class QuestionTab(QWidget):
    openEntity = Signal(object)
    openStatement = Signal(object)
    finished = Signal()  # a run ended (done, failed or cancelled)

    def __init__(
        self,
        question: Question,
        context: Any,
        choices: ChoiceSource,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.question = question
        self.choices = choices
        self.context = context
        self.stem = f"analysis{question.key}"
        self.setObjectName(f"{self.stem}Tab")
        self.runner = TaskRunner(self)
        self.task: Task | None = None
        self.rows: list[Any] = []
        self._started = 0.0
        self._ran_for: tuple[Any, ...] | None = None

        intro = QLabel(question.intro, self)
        intro.setObjectName(f"{self.stem}Intro")
        intro.setWordWrap(True)
        intro.setStyleSheet(f"color: {theme.color_name('muted_fg')};")
        self.inputs: dict[str, QWidget] = {}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        # Two fields per row, so a 1000-pixel window keeps them readable.
        for number, spec in enumerate(question.fields):
            widget = make_input(spec, self.stem, choices, self)
            label = QLabel(f"{spec.label}:", self)
            label.setBuddy(widget)
            row, column = divmod(number, 2)
            grid.addWidget(label, row, column * 2)
            grid.addWidget(widget, row, column * 2 + 1)
            if spec.kind in ("days", "zone"):  # short values: no field across the window
                widget.setMaximumWidth(220)
            grid.setColumnStretch(column * 2 + 1, 1)
            self.inputs[spec.name] = widget
            line = getattr(widget, "lineEdit", lambda: None)() or widget
            returned = getattr(line, "returnPressed", None)
            if returned is not None:
                returned.connect(self.run)
        self.run_button = QPushButton("Run", self)
        self.run_button.setObjectName(f"{self.stem}Run")
        self.run_button.setDefault(True)
        self.run_button.setToolTip("Run the analysis (Enter in a field, Ctrl+Enter anywhere)")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName(f"{self.stem}Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(self)
        self.progress.setObjectName(f"{self.stem}Progress")
        self.progress.setMaximumWidth(180)
        self.progress.setVisible(False)
        self.summary = QLabel(self)
        self.summary.setObjectName(f"{self.stem}Summary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setObjectName(f"{self.stem}Error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress)
        buttons.addWidget(self.summary, 1)

        self.pane = ResultsPane(self.stem, question.columns(), self, question.statement_of)
        self.pane.openEntity.connect(self.openEntity)
        self.pane.openStatement.connect(self.openStatement)

        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(8, 8, 8, 4)
        self.layout_.addWidget(intro)
        if question.fields:
            self.layout_.addLayout(grid)
        self.layout_.addLayout(buttons)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.pane, 1)
        self.extra_row = buttons  # question-specific buttons (archive, ...) go after the summary

    # Inputs ---------------------------------------------------------------------------------
    def reload_choices(self) -> None:
        for spec in self.question.fields:
            fill_choices(self.inputs[spec.name], spec, self.choices)

    def values(self) -> dict[str, Any]:
        return {
            spec.name: input_value(self.inputs[spec.name], spec) for spec in self.question.fields
        }

    def set_values(self, **values: Any) -> None:
        for spec in self.question.fields:
            if spec.name in values:
                set_input(self.inputs[spec.name], spec, values[spec.name])

    def focus_first(self) -> None:
        first = next(iter(self.inputs.values()), self.run_button)
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    # Running --------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.task is not None

    def run(self) -> Task | None:
        if self.context.database is None:
            return None
        values = self.values()
        missing = [s.label for s in self.question.fields if s.required and not values.get(s.name)]
        if missing:
            self.show_error(f"{', '.join(missing)}: required.")
            return None
        if self.task is not None:
            self.task.cancel()
        self.show_error("")
        db, account, call = self.context.database, self.context.account_id, self.question.call

        def work(control: TaskControl) -> Any:
            def cancel() -> bool:
                control.check()  # raises the worker's Cancelled, which the engine lets through
                return False

            return call(
                db, account, values, lambda done, total: control.progress(done, total), cancel
            )

        self._started = time.perf_counter()
        self._ran_for = (account, tuple(sorted(values.items())))
        task = self.runner.start(
            work,
            name=f"analysis {self.question.key}",
            on_done=lambda result: self._done(task, result),
            on_error=lambda exc: self._failed(task, exc),
            on_progress=self._progress,
            on_cancelled=lambda: self._cancelled(task),
        )
        self.task = task
        self.run_button.setEnabled(False)
        self.cancel_button.setVisible(True)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.summary.setText(f"Running {self.question.title.lower()}…")
        window = self.window()
        track = getattr(window, "track_task", None)
        if track is not None:
            track(task, self.question.title)
        return task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.summary.setText("Cancelling…")

    def _progress(self, done: int, total: int, _text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _end(self, task: Task) -> bool:
        if task is not self.task:
            return False  # an older run that was replaced
        self.task = None
        self.run_button.setEnabled(True)
        self.cancel_button.setVisible(False)
        self.progress.setVisible(False)
        self.finished.emit()
        return True

    def _done(self, task: Task, result: Any) -> None:
        if not self._end(task):
            return
        seconds = time.perf_counter() - self._started
        self.show_result(result, seconds)

    def show_result(self, result: Any, seconds: float) -> None:
        self.rows = list(result)
        self.pane.set_rows(self.rows)
        word = "row" if len(self.rows) == 1 else "rows"
        self.summary.setText(f"<b>{len(self.rows):,}</b> {word} in {seconds:.2f} s")

    def _failed(self, task: Task, exc: BaseException) -> None:
        if not self._end(task):
            return
        if type(exc).__name__ == "Cancelled":
            self.summary.setText("Cancelled.")
            return
        message = getattr(exc, "message", None) or str(exc)
        code = getattr(exc, "code", None)
        if isinstance(exc, NotImplementedError):
            self.show_error(f"Not available yet: {message}")
        elif code or isinstance(exc, ValueError | LookupError):
            self.show_error(f"{code}: {message}" if code else message)
        else:
            raise exc  # a bug, not bad input: the crash dialog shows it
        self.summary.setText("")

    def _cancelled(self, task: Task) -> None:
        if self._end(task):
            self.summary.setText("Cancelled; the previous results are kept.")

    def show_error(self, text: str) -> None:
        self.error.setStyleSheet(f"color: {theme.color_name('error_fg')};")
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def mark_stale(self) -> None:
        if self.rows and "changed" not in self.summary.text():
            self.summary.setText(
                self.summary.text() + " · <i>the model changed since: run again</i>"
            )
