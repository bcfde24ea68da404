"""``TestAccessPanel``: ask "may this principal do these actions on these resources?" and see
which statement decided, fix the policy, run again and see what changed.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from iamdesk.services.errors import IamError
from iamdesk.ui import theme
from iamdesk.ui.fitting import LeadingLabelRow
from iamdesk.ui.icons import icon
from iamdesk.ui.shortcuts import local_shortcut
from iamdesk.ui.test_access.details import DetailPane
from iamdesk.ui.test_access.request_form import RequestForm
from iamdesk.ui.test_access.results_model import (
    SCENARIO_COLUMN,
    SOME,
    InvolvedPolicy,
    ResultRow,
    ResultsFilter,
    ResultsModel,
)
from iamdesk.ui.test_access.runner import (
    RunRequest,
    cli_command,
    explained,
    run,
)

log = logging.getLogger(__name__)


# Model changes that alter the principals, resources or scenarios the panel offers.
_CHOICE_KINDS = {"users", "roles", "resources", "account", "organization"}
# Model changes that can change a decision.
_POLICY_KINDS = {"policies", "users", "groups", "roles", "resources", "account", "organization"}


class TestAccessPanel(QWidget):
    """Built over the window's ``AppContext`` (database, current account, change signals)."""

    __test__ = False  # not a pytest test class, whatever its name says
    ran = Signal(list)  # list[ResultRow] after every run

    def __init__(
        self, context: Any, parent: QWidget | None = None, *, autorun: bool = True
    ) -> None:
        super().__init__(parent)
        self.setObjectName("testAccessPanel")
        self.context = context
        self.last_run_ms = 0.0
        self._last_request: RunRequest | None = None
        self._stale_choices = False
        self._stale_answer = False

        self.form = RequestForm(self)
        self.form.new_session.clicked.connect(self.open_session_dialog)
        # The inputs by their stable names, for callers and tests.
        self.principal = self.form.principal
        self.new_session = self.form.new_session
        self.action_lines = self.form.action_lines
        self.action_completer = self.form.action_completer
        self.resources = self.form.resources
        self.resource_picker = self.form.resource_picker
        self.context_table = self.form.context_table
        self.missing = self.form.missing

        self.run_button = QPushButton("Run  (F5)", self)
        self.run_button.setObjectName("testAccessRun")
        self.run_button.setDefault(True)
        self.run_button.setIcon(icon("test-access"))
        self.run_button.clicked.connect(self.run)
        within = Qt.ShortcutContext.WidgetWithChildrenShortcut
        local_shortcut(self, ("F5", "Ctrl+Return", "Ctrl+Enter"), self.run, within)
        self.copy_command = QPushButton("Copy as command", self)
        self.copy_command.setObjectName("testAccessCopyCommand")
        self.copy_command.setIcon(icon("copy"))
        self.copy_command.setToolTip(
            "Copy the request as an iamdesk simulate-principal-policy command line"
        )
        self.copy_command.clicked.connect(self.copy_as_command)
        self.error = QLabel(self)
        self.error.setObjectName("testAccessError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color:{theme.color_name('deny_fg')}")
        self.error.hide()

        self.model = ResultsModel(self)
        self.proxy = ResultsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.results = QTableView(self)
        self.results.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.results.setObjectName("testAccessResults")
        self.results.setModel(self.proxy)
        self.results.setSortingEnabled(True)
        # Run order until the user clicks a header.
        self.results.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.show_only = QComboBox(self)
        self.show_only.setObjectName("testAccessResultFilter")
        self.show_only.addItems(list(ResultsFilter.CHOICES))
        self.show_only.currentTextChanged.connect(self.proxy.set_choice)
        self.result_find = QLineEdit(self)
        self.result_find.setObjectName("testAccessResultFind")
        self.result_find.setPlaceholderText("Filter by action or resource")
        self.result_find.setClearButtonEnabled(True)
        self.result_find.setMinimumWidth(150)
        self.result_find.textChanged.connect(self.proxy.set_text)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.verticalHeader().setVisible(False)
        self.results.setAlternatingRowColors(True)
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((130, 190, 260, 280, 150)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        header.moveSection(SCENARIO_COLUMN, 1)  # Run all: the scenario's name next to its answer
        self.results.setColumnHidden(SCENARIO_COLUMN, True)
        self.results.selectionModel().currentRowChanged.connect(self._row_selected)
        self.summary = QLabel(self)
        self.summary.setObjectName("testAccessSummary")
        # Wrapped, so a longer summary ("… 3 changed since the last run") takes another line
        # instead of raising the window's minimum width (the window used to widen itself);
        # where the pane is too narrow for it beside the filter, it goes above the filter.
        self.results_head = LeadingLabelRow(self.summary, (self.result_find, self.show_only))
        self.results_head.setObjectName("testAccessResultsHead")

        self.details = DetailPane(self)
        self.details.editRequested.connect(self.edit_policy)

        from iamdesk.ui.test_access.scenarios import ScenarioBar

        self.scenarios = ScenarioBar(self)

        self._layout()
        self._style_placeholders()
        if hasattr(context, "modelChanged"):
            context.modelChanged.connect(self._model_changed)
            context.accountChanged.connect(lambda _account: self.reload_choices())
        self.reload_choices()
        if autorun:
            self.run_first_scenario()

    def run_first_scenario(self) -> list[ResultRow]:
        """Open with a real answer: the first saved scenario that is denied (a red statement
        to look at), else the first scenario. Nothing happens without scenarios."""
        scenarios = self.scenarios.scenarios
        if not scenarios:
            return []
        number = next((i for i, s in enumerate(scenarios) if s["Expected"] == "explicitDeny"), 0)
        self.scenarios.load(number)
        return self.run()

    def _layout(self) -> None:
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button)
        run_row.addStretch(1)
        run_row.addWidget(self.copy_command)
        inputs = QWidget(self)
        inputs.setObjectName("testAccessInputs")
        inputs_layout = QVBoxLayout(inputs)
        inputs_layout.setContentsMargins(8, 8, 8, 8)
        inputs_layout.addWidget(self.form)
        inputs_layout.addWidget(self.error)
        inputs_layout.addLayout(run_row)
        inputs_layout.addWidget(self.scenarios, 1)
        # A short window scrolls the inputs rather than squeezing them over one another (the
        # context buttons used to cover the table's second row).
        inputs_scroll = QScrollArea(self)
        inputs_scroll.setObjectName("testAccessInputsScroll")
        inputs_scroll.setWidgetResizable(True)
        inputs_scroll.setFrameShape(QFrame.Shape.NoFrame)
        inputs_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inputs_scroll.setWidget(inputs)

        results_box = QWidget(self)
        results_layout = QVBoxLayout(results_box)
        results_layout.setContentsMargins(0, 8, 8, 0)
        results_layout.addWidget(self.results_head)
        results_layout.addWidget(self.results, 1)
        # A header and three rows stay visible however short the window.
        self.results.setMinimumHeight(
            self.results.horizontalHeader().sizeHint().height()
            + 3 * self.results.verticalHeader().defaultSectionSize()
            + 2 * self.results.frameWidth()
            + self.results.horizontalScrollBar().sizeHint().height()
        )
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(results_box)
        right.addWidget(self.details)
        # After Run all the list of results is what a person reads first: about six rows at
        # 1000x650, a dozen at 1920x1080, with the policy text and explanation below.
        right.setStretchFactor(0, 2)
        right.setStretchFactor(1, 3)
        right.setSizes([360, 540])
        main = QSplitter(Qt.Orientation.Horizontal, self)
        main.addWidget(inputs_scroll)
        main.addWidget(right)
        main.setStretchFactor(0, 0)
        main.setStretchFactor(1, 1)
        inputs.setMinimumWidth(340)
        inputs_scroll.setMinimumWidth(340 + inputs_scroll.verticalScrollBar().sizeHint().width())
        main.setSizes([400, 1100])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(main)

    # -- choices ------------------------------------------------------------------------------
    @property
    def db(self) -> Any:
        return self.context.database

    def reload_choices(self) -> None:
        if self.db is None:
            return
        self.form.reload(self.db)
        self.scenarios.reload()

    def _model_changed(self, kinds: Any) -> None:
        changed = set(kinds or ())
        self._stale_choices |= not changed or bool(changed & _CHOICE_KINDS)
        # A policy changed (a save here, an edit elsewhere, an undo): the same question needs
        # answering again, with what changed marked.
        self._stale_answer |= self._last_request is not None and (
            not changed or bool(changed & _POLICY_KINDS)
        )
        if self.isVisible():
            self._catch_up()

    def _style_placeholders(self) -> None:
        for edit in (*self.findChildren(QLineEdit), *self.findChildren(QPlainTextEdit)):
            theme.readable_placeholder(edit)

    def changeEvent(self, event: QEvent) -> None:
        # The placeholder colour is set per field: re-read it for the new scheme.
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "scenarios"):
            self._style_placeholders()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Changes made while another view was shown are applied once, now.
        self._catch_up()

    def _catch_up(self) -> None:
        if self._stale_choices:
            self._stale_choices = False
            self.reload_choices()
        if self._stale_answer:
            self._stale_answer = False
            self.rerun()

    # -- the inputs -------------------------------------------------------------------------
    def principal_arn(self) -> str:
        return self.form.principal_arn()

    def select_key(self, arn: str) -> bool:
        """Test access as ``arn`` (a view's "Test access as this user"): the principal is set,
        the cursor waits in Actions."""
        self.set_principal(arn)
        self.action_lines.setFocus()
        return self.principal_arn() == arn

    def set_principal(self, arn: str) -> None:
        self.form.set_principal(arn)

    def set_request(self, principal: str, actions: list[str], resources: list[str]) -> None:
        self.form.set_request(principal, actions, resources)

    def build_request(self) -> RunRequest:
        return self.form.build_request(str(self.context.account_id))

    def missing_keys(self) -> list[str]:
        return self.form.missing_keys()

    def copy_as_command(self) -> str:
        """Put the request on the clipboard as a command line (the CLI answers the same)."""
        try:
            command = cli_command(
                self.build_request(),
                db_path=getattr(self.context, "db_path", None),
                account_id=str(self.context.account_id or "") or None,
            )
        except ValueError as error:
            self._show_error(str(error))
            return ""
        QApplication.clipboard().setText(command)
        return command

    # -- running ------------------------------------------------------------------------------
    def run(self) -> list[ResultRow]:
        """Run the request in the inputs; a bad input is shown inline and nothing runs."""
        try:
            request = self.build_request()
        except ValueError as error:
            self._show_error(str(error))
            return []
        return self.run_request(request)

    def run_request(self, request: RunRequest, *, compare: bool = True) -> list[ResultRow]:
        started = time.perf_counter()
        try:
            rows = run(self.db, request)
        except IamError as error:  # AWS's text: NoSuchEntity, InvalidInput, ...
            message = getattr(error, "message", None) or str(error)
            code = getattr(error, "code", None)
            self._show_error(f"{code}: {message}" if code else message)
            log.info("test-access run refused: %s", error)
            return []
        self._show_error("")
        if (
            compare
            and self._last_request is not None
            and _same_question(self._last_request, request)
        ):
            before = {(r.action, r.resource): r.word for r in self.model.rows}
            for row in rows:
                row.previous = before.get((row.action, row.resource))
        self._last_request = request
        self.model.set_rows(rows)
        self.last_run_ms = (time.perf_counter() - started) * 1000
        self._summarize(rows)
        given = {str(e["ContextKeyName"]).lower() for e in request.context_entries}
        missing = sorted(
            {k for r in rows for k in r.decision.missing_context_values if k.lower() not in given}
        )
        self.form.set_missing(missing)
        if rows:
            self.results.selectRow(0)
        self.ran.emit(rows)
        return rows

    @property
    def last_request(self) -> RunRequest | None:
        return self._last_request

    def show_rows(self, rows: list[ResultRow]) -> None:
        """Show rows computed elsewhere (a scenario run) without comparing to the last run."""
        self._last_request = None
        self.model.set_rows(rows)
        self._summarize(rows)
        self.form.set_missing([])
        if rows:
            self.results.selectRow(0)

    def rerun(self) -> list[ResultRow]:
        """Run the last request again (after a policy changed), marking changed decisions."""
        if self._last_request is None:
            return []
        return self.run_request(self._last_request)

    def _summarize(self, rows: list[ResultRow]) -> None:
        # Expected and Change only mean something for scenarios and re-runs.
        self.results.setColumnHidden(4, all(r.expected is None for r in rows))
        self.results.setColumnHidden(5, all(r.previous is None for r in rows))
        self.results.setColumnHidden(SCENARIO_COLUMN, all("scenario" not in r.extra for r in rows))
        counts = {
            w: sum(1 for r in rows if r.verdict == w)
            for w in ("allowed", SOME, "explicitDeny", "implicitDeny")
        }
        changed = sum(1 for r in rows if r.changed)
        text = (
            f"{len(rows)} result(s): {counts['allowed']} allowed, {counts['explicitDeny']} "
            f"explicitly denied, {counts['implicitDeny']} implicitly denied"
        )
        if counts[SOME]:
            text += f", {counts[SOME]} partly allowed"
        if changed:
            text += f" · <b>{changed} changed since the last run</b>"
        self.summary.setText(text)

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _row_selected(self, current: Any, _previous: Any) -> None:
        source = self.proxy.mapToSource(current) if current.isValid() else current
        row = self.model.row(source.row()) if source.isValid() else None
        if row is None:
            return
        request = self._last_request or row.extra.get("request")
        if request is not None:
            try:
                explained(self.db, request, row)
            except IamError:  # the model changed under the row; show what we have
                log.exception("could not explain %s on %s", row.action, row.resource)
        self.details.show_row(row)

    def current_row(self) -> ResultRow | None:
        current = self.results.currentIndex()
        if not current.isValid():
            return None
        return self.model.row(self.proxy.mapToSource(current).row())

    def select_result(self, action: str, resource: str | None = None) -> ResultRow | None:
        for number, row in enumerate(self.model.rows):
            if row.action.lower() == action.lower() and resource in (None, row.resource):
                shown = self.proxy.mapFromSource(self.model.index(number, 0))
                if shown.isValid():
                    self.results.selectRow(shown.row())
                    return row
        return None

    # -- editing ------------------------------------------------------------------------------
    def edit_policy(self, policy: InvolvedPolicy, span: Any) -> Any:
        """Open the policy in the editor at the statement; after a save, re-run and compare."""
        from iamdesk.ui.editor.save_dialog import PolicySaveDialog

        row = self.current_row()
        principal = self._last_request.principal_arn if self._last_request else ""
        dialog = PolicySaveDialog(
            self.context,
            policy,
            span,
            self,
            principal_arn=principal or self.principal_arn(),
            resource_arn=row.resource if row is not None else None,
            context_entries=[dict(e) for e in self._last_request.context_entries]
            if self._last_request
            else None,
            first_actions=self._last_request.actions if self._last_request else (),
            first_resources=self._last_request.resources if self._last_request else (),
        )
        if not hasattr(self.context, "modelChanged"):
            dialog.saved.connect(self.rerun)  # else the change notice re-runs
        dialog.open()
        self.edit_dialog = dialog
        return dialog

    def open_session_dialog(self) -> Any:
        from iamdesk.ui.test_access.session_dialog import SessionDialog

        dialog = SessionDialog(self.context, self)
        dialog.created.connect(self._session_created)
        dialog.open()
        self.session_dialog = dialog
        return dialog

    def _session_created(self, arn: str) -> None:
        self.reload_choices()
        self.set_principal(arn)


def _same_question(a: RunRequest, b: RunRequest) -> bool:
    return a.principal_arn == b.principal_arn and set(a.actions) & set(b.actions) != set()
