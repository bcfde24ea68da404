"""External access findings with Access Analyzer's archive: a finding judged acceptable is
archived with a reason (it comes back when its policy changes); archiving and unarchiving are
undoable edits on the window's stack."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from PySide6.QtWidgets import QCheckBox, QPushButton, QWidget

from iamdesk.ui.dialogs.form import FormDialog
from iamdesk.ui.views.analysis.inputs import ChoiceSource
from iamdesk.ui.views.analysis.question_tab import QuestionTab
from iamdesk.ui.views.analysis.questions import EXTERNAL

log = logging.getLogger(__name__)


class ArchiveDialog(FormDialog):
    ok_text = "Archive"

    def __init__(self, tab: ExternalTab, finding: Any) -> None:
        super().__init__("archiveFinding", "Archive finding", tab)
        self.tab = tab
        self.finding = finding
        self.reason = self.line("Reason", "Reason", "why this access is intended")
        self.add_check(self._check_reason)
        self.validate()

    def _check_reason(self) -> None:
        if not self.reason.text().strip():
            raise ValueError("Say why this access is acceptable (the reason is kept).")
        if len(self.reason.text()) > 1000:
            raise ValueError("The reason can have at most 1000 characters.")

    def perform(self) -> None:
        self.tab.archive(self.finding, self.reason.text().strip())


class ExternalTab(QuestionTab):
    def __init__(self, context: Any, choices: ChoiceSource, parent: QWidget | None = None) -> None:
        super().__init__(EXTERNAL, context, choices, parent)
        self.show_archived = QCheckBox("Show archived", self)
        self.show_archived.setObjectName("analysisExternalShowArchived")
        self.show_archived.toggled.connect(lambda _on: self._show_rows())
        self.archive_button = QPushButton("Archive…", self)
        self.archive_button.setObjectName("analysisExternalArchive")
        self.archive_button.setToolTip("Mark the selected finding as intended, with a reason")
        self.archive_button.clicked.connect(self.ask_archive)
        self.unarchive_button = QPushButton("Unarchive", self)
        self.unarchive_button.setObjectName("analysisExternalUnarchive")
        self.unarchive_button.clicked.connect(self.unarchive_current)
        self.extra_row.addWidget(self.show_archived)
        self.extra_row.addWidget(self.archive_button)
        self.extra_row.addWidget(self.unarchive_button)
        self.archive_dialog: ArchiveDialog | None = None
        self.pane.table.selectionModel().currentRowChanged.connect(lambda *_a: self._buttons())
        self._buttons()

    def show_result(self, result: Any, seconds: float) -> None:
        super().show_result(result, seconds)
        self._show_rows()

    def _show_rows(self) -> None:
        shown = [r for r in self.rows if self.show_archived.isChecked() or r.status != "archived"]
        self.pane.set_rows(shown)
        archived = sum(1 for r in self.rows if r.status == "archived")
        active = len(self.rows) - archived
        self.summary.setText(
            f"<b>{active}</b> active finding{'s' if active != 1 else ''}, {archived} archived"
        )
        self._buttons()

    def _buttons(self) -> None:
        row = self.pane.current_row()
        self.archive_button.setEnabled(row is not None and row.status != "archived")
        self.unarchive_button.setEnabled(row is not None and row.status == "archived")

    def ask_archive(self) -> ArchiveDialog | None:
        row = self.pane.current_row()
        if row is None:
            return None
        self.archive_dialog = ArchiveDialog(self, row)
        self.archive_dialog.open()
        return self.archive_dialog

    def _replace(self, finding: Any, **changes: Any) -> Any:
        updated = dataclasses.replace(finding, **changes)
        self.rows = [updated if r.finding_id == finding.finding_id else r for r in self.rows]
        self._show_rows()
        return updated

    def archive(self, finding: Any, reason: str) -> None:
        from iamdesk.analysis import external_access
        from iamdesk.ui.commands.base import ServiceCommand, execute

        db = self.context.database

        def do() -> None:
            external_access.archive_finding(db, finding, reason)
            self._replace(finding, status="archived", archive_reason=reason)

        def undo() -> None:
            external_access.unarchive_finding(db, finding)
            self._replace(finding, status="active", archive_reason=None)

        name = finding.resource.name
        execute(
            self.context, ServiceCommand(self.context, f"Archive finding on {name}", do, undo, ())
        )

    def unarchive_current(self) -> None:
        finding = self.pane.current_row()
        if finding is None or finding.status != "archived":
            return
        from iamdesk.analysis import external_access
        from iamdesk.ui.commands.base import ServiceCommand, execute

        db, reason = self.context.database, finding.archive_reason or ""

        def do() -> None:
            external_access.unarchive_finding(db, finding)
            self._replace(finding, status="active", archive_reason=None)

        def undo() -> None:
            external_access.archive_finding(db, finding, reason)
            self._replace(finding, status="archived", archive_reason=reason)

        name = finding.resource.name
        execute(
            self.context, ServiceCommand(self.context, f"Unarchive finding on {name}", do, undo, ())
        )
