"""Pick one or more items from a filterable list: groups to add a user to, users to add to a
group, and the attach-policy dialog over every AWS managed and customer managed policy."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from iamdesk.ui import theme
from iamdesk.ui.models.choice import ROW_ROLE, ChoiceModel

log = logging.getLogger(__name__)


class ChooseDialog(QDialog):
    """``submit(rows)`` runs on OK; an ``IamError`` keeps the dialog open with AWS's message."""

    def __init__(
        self,
        stem: str,
        title: str,
        headers: Sequence[str],
        keys: Sequence[str],
        rows: Sequence[dict[str, Any]],
        submit: Callable[[list[dict[str, Any]]], None],
        parent: QWidget | None = None,
        *,
        ok_text: str = "Add",
        prompt: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{stem}Dialog")
        self.setWindowTitle(title)
        self._submit = submit
        self.filter = QLineEdit()
        self.filter.setObjectName(f"{stem}Filter")
        self.filter.setPlaceholderText("Search by name or description")
        self.filter.setClearButtonEnabled(True)
        self.model = ChoiceModel(headers, keys, rows, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)  # every column: name and description
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter.textChanged.connect(self._on_filter)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setObjectName(f"{stem}Table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 300)
        self.table.doubleClicked.connect(lambda _i: self.submit())
        self.count = QLabel()
        self.count.setObjectName(f"{stem}Count")
        self.error = QLabel()
        self.error.setObjectName(f"{stem}Error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.color_name('error_fg')};")
        self.error.setVisible(False)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button = ok
        ok.setText(ok_text)
        ok.setObjectName(f"{stem}OkButton")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update())
        layout = QVBoxLayout(self)
        if prompt:
            layout.addWidget(QLabel(prompt))
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(820, 560)
        self._update()

    def _on_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._update()

    def _update(self) -> None:
        chosen = len(self.chosen())
        self.count.setText(
            f"{self.proxy.rowCount():,} of {self.model.rowCount():,} shown, {chosen} selected"
        )
        self.ok_button.setEnabled(chosen > 0)

    def chosen(self) -> list[dict[str, Any]]:
        rows = self.table.selectionModel().selectedRows()
        return [index.data(ROW_ROLE) for index in sorted(rows, key=lambda i: i.row())]

    def choose(self, key: str, value: str) -> bool:
        """Select the row whose ``key`` is ``value`` (for keyboard-free tests and scripts)."""
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ROW_ROLE).get(key) == value:
                self.table.selectionModel().select(
                    index,
                    self.table.selectionModel().SelectionFlag.Select
                    | self.table.selectionModel().SelectionFlag.Rows,
                )
                self.table.scrollTo(index)
                return True
        return False

    def submit(self) -> None:
        from iamdesk.services.errors import IamError

        rows = self.chosen()
        if not rows:
            return
        try:
            self._submit(rows)
        except IamError as exc:
            self.error.setText(f"{exc.code}: {exc.message}")
            self.error.setVisible(True)
            return
        self.accept()
