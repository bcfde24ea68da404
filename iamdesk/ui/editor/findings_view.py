"""The findings list under the editor: grouped by severity, click a finding to jump to it."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from iamdesk.ui.editor.code_view import SEVERITY_COLORS
from iamdesk.ui.editor.lint import SEVERITIES, SEVERITY_TITLES, EditorFinding

log = logging.getLogger(__name__)

_FINDING_ROLE = Qt.ItemDataRole.UserRole + 1


class FindingsView(QTreeWidget):
    """A two-level tree: severity groups, then each finding with its line and code."""

    findingActivated = Signal(object)  # EditorFinding

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("policyFindings")
        self.setColumnCount(3)
        self.setHeaderLabels(["Finding", "Line", "Code"])
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)
        self._findings: list[EditorFinding] | None = None
        self._empty = False

    def set_findings(self, findings: list[EditorFinding], *, empty: bool = False) -> None:
        if findings == self._findings and empty == self._empty:
            return  # unchanged: keep the user's scroll position and selection
        self._findings = list(findings)
        self._empty = empty
        self.clear()
        bold = QFont(self.font())
        bold.setBold(True)
        for severity in SEVERITIES:
            group = [f for f in findings if f.severity == severity]
            if not group:
                continue
            head = QTreeWidgetItem([f"{SEVERITY_TITLES[severity]} ({len(group)})", "", ""])
            head.setFont(0, bold)
            head.setForeground(0, QBrush(QColor(SEVERITY_COLORS[severity])))
            head.setFirstColumnSpanned(False)
            self.addTopLevelItem(head)
            for finding in group:
                line = str(finding.span.start.line) if finding.span else ""
                item = QTreeWidgetItem([finding.message, line, finding.code])
                item.setToolTip(0, finding.message)
                item.setData(0, _FINDING_ROLE, finding)
                head.addChild(item)
            head.setExpanded(True)
        if not findings:
            text = "No policy yet." if empty else "No findings: the policy is valid."
            self.addTopLevelItem(QTreeWidgetItem([text, "", ""]))

    def findings(self) -> list[EditorFinding]:
        return list(self._findings or [])

    def finding_items(self) -> list[QTreeWidgetItem]:
        items: list[QTreeWidgetItem] = []
        for i in range(self.topLevelItemCount()):
            head = self.topLevelItem(i)
            items.extend(head.child(j) for j in range(head.childCount()))
        return items

    def select(self, finding: EditorFinding) -> None:
        for item in self.finding_items():
            if item.data(0, _FINDING_ROLE) == finding:
                self.setCurrentItem(item)
                self.scrollToItem(item)
                return

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        finding = item.data(0, _FINDING_ROLE)
        if isinstance(finding, EditorFinding):
            self.findingActivated.emit(finding)
