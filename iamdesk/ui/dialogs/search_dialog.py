"""Edit ▸ Search everything (Ctrl+K): users, groups, roles and policies by name, path, ARN or
id, and policies by what they grant (``iam:PassRole``) or say. The search runs off the GUI
thread (the AWS managed catalog is 1,600 documents); a newer query supersedes a running one.
Enter or a double-click opens the hit in its view."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iamdesk.ui.messages import describe
from iamdesk.ui.workers import Task, TaskRunner

log = logging.getLogger(__name__)

DEBOUNCE_MS = 250
_HIT_ROLE = Qt.ItemDataRole.UserRole


class SearchDialog(QDialog):
    openRequested = Signal(str, str)  # view name, ARN

    def __init__(self, context: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("globalSearch")
        self.setWindowTitle("Search everything")
        self.resize(760, 520)
        self.context = context
        self.runner = TaskRunner(self)
        self._task: Task | None = None
        self._generation = 0
        self.hits: list[Any] = []
        self.field = QLineEdit(self)
        self.field.setObjectName("globalSearchField")
        self.field.setPlaceholderText(
            "Name, path, ARN or id — or an action such as iam:PassRole to find what grants it"
        )
        self.field.setClearButtonEnabled(True)
        self.aws = QCheckBox("AWS managed policies too", self)
        self.aws.setObjectName("globalSearchAws")
        self.aws.setChecked(True)
        self.results = QTreeWidget(self)
        self.results.setObjectName("globalSearchResults")
        self.results.setHeaderLabels(["Kind", "Name", "Why", "ARN"])
        self.results.setRootIsDecorated(False)
        self.results.setUniformRowHeights(True)
        self.results.setColumnWidth(0, 70)
        self.results.setColumnWidth(1, 220)
        self.results.setColumnWidth(2, 220)
        self.results.itemActivated.connect(self._open)
        self.status = QLabel("Type to search.", self)
        self.status.setObjectName("globalSearchStatus")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self.field.textChanged.connect(lambda _t: self._timer.start())
        self.aws.toggled.connect(lambda _on: self._timer.start())
        self.field.returnPressed.connect(self._enter)
        top = QHBoxLayout()
        top.addWidget(self.field, 1)
        top.addWidget(self.aws)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        self.field.setFocus()

    @property
    def busy(self) -> bool:
        return self._timer.isActive() or self._task is not None

    def search_now(self) -> None:
        from iamdesk.analysis.search import search

        self._timer.stop()
        self._generation += 1
        generation = self._generation
        if self._task is not None:
            self._task.cancel()
        query, include_aws = self.field.text(), self.aws.isChecked()
        db, account = self.context.database, self.context.account_id
        if not query.strip():
            self._show([], generation, "Type to search.")
            return
        self.status.setText("Searching…")
        self._task = self.runner.start(
            lambda control: search(db, account, query, include_aws=include_aws, control=control),
            name="search",
            on_done=lambda hits: self._show(hits, generation),
            on_error=lambda error: self._show([], generation, f"Search failed: {describe(error)}"),
            on_cancelled=lambda: self._dropped(generation),
        )

    def _dropped(self, generation: int) -> None:
        if generation == self._generation:
            self._task = None

    def _show(self, hits: list[Any], generation: int, note: str = "") -> None:
        if generation != self._generation:
            return  # an older query's answer
        self._task = None
        self.hits = hits
        self.results.clear()
        for hit in hits:
            item = QTreeWidgetItem([hit.kind, hit.name, hit.why, hit.arn])
            item.setData(0, _HIT_ROLE, hit)
            item.setToolTip(3, hit.arn)
            self.results.addTopLevelItem(item)
        if hits:
            self.results.setCurrentItem(self.results.topLevelItem(0))
        self.status.setText(note or f"{len(hits)} found (Enter opens the selected one).")

    def _enter(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self._open(item)

    def _open(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        hit = item.data(0, _HIT_ROLE)
        self.accept()  # first: the window the hit opens in takes the keyboard back
        self.openRequested.emit(hit.view, hit.arn)

    def done(self, result: int) -> None:
        self.runner.cancel_all()
        super().done(result)
