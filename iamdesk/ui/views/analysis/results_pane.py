"""One question's results: a filter, the table, the selected row's links and details, and export
to CSV or JSON. Double-click (or Enter) on a row opens what it is about: the deciding statement
when the row has one and the cell clicked is not an entity, else the entity."""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from iamdesk.analysis.refs import EntityRef, StatementRef
from iamdesk.ui import theme
from iamdesk.ui.shortcuts import local_shortcut
from iamdesk.ui.views.analysis.results import (
    ResultColumn,
    ResultsModel,
    ResultsProxy,
    refs_in,
    write_csv,
    write_json,
)

log = logging.getLogger(__name__)


class ResultsPane(QWidget):
    openEntity = Signal(object)  # EntityRef
    openStatement = Signal(object)  # StatementRef

    def __init__(
        self,
        stem: str,
        columns: Sequence[ResultColumn],
        parent: QWidget | None,
        statement_of: Callable[[Any], Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.stem = stem
        # A row that locates a statement without a StatementRef (a validation finding).
        self.statement_of = statement_of
        self.model = ResultsModel(columns, self)
        self.proxy = ResultsProxy(self)
        self.proxy.setSourceModel(self.model)
        self.export_dialog: QFileDialog | None = None

        self.filter = QLineEdit(self)
        self.filter.setObjectName(f"{stem}Filter")
        self.filter.setPlaceholderText("Filter the results (every word must appear)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        self.count = QLabel(self)
        self.count.setObjectName(f"{stem}Count")
        self.csv_button = QPushButton("Export CSV…", self)
        self.csv_button.setObjectName(f"{stem}ExportCsv")
        self.csv_button.clicked.connect(lambda: self.ask_export("csv"))
        self.json_button = QPushButton("Export JSON…", self)
        self.json_button.setObjectName(f"{stem}ExportJson")
        self.json_button.clicked.connect(lambda: self.ask_export("json"))
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.filter, 1)
        top.addWidget(self.count)
        top.addWidget(self.csv_button)
        top.addWidget(self.json_button)

        self.table = QTableView(self)
        self.table.setObjectName(f"{stem}Table")
        self.table.setModel(self.proxy)
        # The engine's order until a header is clicked (what-can groups by access level).
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, as in a form
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._size_columns()
        self.table.doubleClicked.connect(self.activate)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._menu)
        self.menu: QMenu | None = None
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        local_shortcut(
            self.table, ("Return", "Enter"), lambda: self.activate(self.table.currentIndex())
        )
        local_shortcut(self.filter, "Down", self.table.setFocus)
        local_shortcut(self.filter, "Escape", self.filter.clear)

        self.detail = QTextBrowser(self)
        self.detail.setObjectName(f"{stem}Detail")
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._link)
        self.detail.setPlaceholderText("Select a row: its entities and statements link here.")
        self._detail_refs: list[Any] = []

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName(f"{stem}Splitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        self._update_count()

    # Rows -----------------------------------------------------------------------------------
    def set_columns(self, columns: Sequence[ResultColumn]) -> None:
        self.model.set_columns(columns)
        self._size_columns()

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        for i, column in enumerate(self.model.columns):
            header.resizeSection(i, column.width)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.model.set_rows(rows)
        self._update_count()
        self._show_detail(QModelIndex())
        if self.proxy.rowCount():
            self.table.selectRow(0)

    def shown_rows(self) -> list[Any]:
        return self.proxy.shown_rows()

    def _filter(self, text: str) -> None:
        self.proxy.set_filter(text)
        self._update_count()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        self.count.setText(f"{shown:,} of {total:,}" if shown != total else f"{total:,} rows")

    def current_row(self) -> Any:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.row(self.proxy.mapToSource(index).row())

    # Opening --------------------------------------------------------------------------------
    def activate(self, index: QModelIndex) -> None:
        """Open what the row (and the cell) is about."""
        if not index.isValid():
            return
        row = self.model.row(self.proxy.mapToSource(index).row())
        cell = self.model.columns[index.column()].value(row)
        first = cell[0] if isinstance(cell, list | tuple) and cell else cell
        if isinstance(first, EntityRef):
            self.openEntity.emit(first)
            return
        if isinstance(first, StatementRef):
            self.openStatement.emit(first)
            return
        statements = refs_in(row, StatementRef)
        if not statements and self.statement_of is not None:
            statements = [self.statement_of(row)]
        if statements:
            self.openStatement.emit(statements[0])
            return
        entities = refs_in(row, EntityRef)
        if entities:
            self.openEntity.emit(entities[0])

    def _menu(self, point: Any) -> QMenu | None:
        """Right-click (or the Menu key): open the row's entity, its deciding statement, or
        copy the entity's ARN."""
        index = self.table.indexAt(point)
        if not index.isValid():
            index = self.table.currentIndex()
        if not index.isValid():
            return None
        row = self.model.row(self.proxy.mapToSource(index).row())
        entities = refs_in(row, EntityRef)
        statements = refs_in(row, StatementRef) or (
            [self.statement_of(row)] if self.statement_of is not None else []
        )
        menu = QMenu(self)
        menu.setObjectName(f"{self.stem}Menu")
        if entities:
            entity = entities[0]
            menu.addAction(
                f"Open {entity.kind} {entity.name}", lambda: self.openEntity.emit(entity)
            )
        if statements:
            statement = statements[0]
            menu.addAction(
                "Open the deciding statement", lambda: self.openStatement.emit(statement)
            )
        if entities:
            arn = entities[0].arn
            menu.addAction("Copy ARN", lambda: QGuiApplication.clipboard().setText(arn))
        menu.popup(self.table.viewport().mapToGlobal(point))
        self.menu = menu
        return menu

    def _show_detail(self, index: QModelIndex, _previous: Any = None) -> None:
        if not index.isValid():
            self.detail.clear()
            self._detail_refs = []
            return
        row = self.model.row(self.proxy.mapToSource(index).row())
        self._detail_refs = list(_all_refs(row))
        if self.statement_of is not None:
            self._detail_refs.insert(0, self.statement_of(row))
        links = [self._anchor(ref) for ref in self._detail_refs]
        steps = getattr(row, "steps", None)
        story = ""
        if isinstance(steps, tuple | list) and steps:
            # An escalation path: each step in words, with its own links.
            items = []
            for step in steps:
                parts = [
                    self._anchor(step.source),
                    f"<b>{html.escape(str(step.technique))}</b> →",
                    self._anchor(step.target),
                ]
                described = html.escape(str(getattr(step, "description", "") or ""))
                statements = ", ".join(self._anchor(s) for s in step.statements)
                items.append(
                    "<li>"
                    + " ".join(parts)
                    + (f"<br>{described}" if described else "")
                    + (f"<br><small>allowed by {statements}</small>" if statements else "")
                    + "</li>"
                )
            story = "<ol>" + "".join(items) + "</ol>"
        conditions = getattr(row, "conditions", None)
        if isinstance(conditions, tuple | list) and conditions:
            story += "<p>Only when: " + "; ".join(html.escape(str(c)) for c in conditions) + "</p>"
        body = json.dumps(row.to_json() if hasattr(row, "to_json") else row, indent=2, default=str)
        self.detail.setHtml(
            ("<p>" + " · ".join(links) + "</p>" if links else "")
            + story
            + f"<pre>{html.escape(body)}</pre>"
        )

    def _anchor(self, ref: Any) -> str:
        if ref not in self._detail_refs:
            self._detail_refs.append(ref)
        number = self._detail_refs.index(ref)
        if isinstance(ref, EntityRef):
            text = f"{ref.kind}: {ref.name}"
        else:
            text = f"policy: {getattr(ref, 'display', None) or ref.policy_label}"
        # A theme colour: the palette's link blue is unreadable on some dark schemes.
        color = theme.color_name("key")
        return f"<a style='color:{color}' href='ref:{number}'>{html.escape(text)}</a>"

    def _link(self, url: QUrl) -> None:
        text = url.toString()
        if not text.startswith("ref:"):
            return
        ref = self._detail_refs[int(text.removeprefix("ref:"))]
        if isinstance(ref, EntityRef):
            self.openEntity.emit(ref)
        else:
            self.openStatement.emit(ref)

    # Export ---------------------------------------------------------------------------------
    def ask_export(self, kind: str) -> QFileDialog:
        dialog = QFileDialog(self, f"Export {kind.upper()}")
        dialog.setObjectName("analysisExportDialog")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("CSV files (*.csv)" if kind == "csv" else "JSON files (*.json)")
        dialog.setDefaultSuffix(kind)
        dialog.selectFile(f"{self.stem.removeprefix('analysis').lower()}.{kind}")
        dialog.fileSelected.connect(lambda path: self.export(Path(path), kind))
        dialog.open()
        self.export_dialog = dialog
        return dialog

    def export(self, path: Path, kind: str) -> None:
        """Write the rows shown (filtered, in their sort order)."""
        from iamdesk.ui import messages

        rows = self.shown_rows()
        try:
            if kind == "csv":
                write_csv(path, self.model, rows)
            else:
                write_json(path, rows)
        except OSError as exc:
            messages.error(f"Could not write {path}: {exc.strerror or exc}")
            return
        messages.info(f"Exported {len(rows)} row(s) to {path}")


def _all_refs(row: Any) -> list[Any]:
    """Every EntityRef and StatementRef of a row, nested ones (a path's steps) included, once."""
    seen: list[Any] = []

    def visit(value: Any, depth: int) -> None:
        if depth > 4:
            return
        if isinstance(value, EntityRef | StatementRef):
            if value not in seen:
                seen.append(value)
            if isinstance(value, StatementRef) and value.owner is not None:
                visit(value.owner, depth + 1)
            return
        if isinstance(value, list | tuple):
            for item in value:
                visit(item, depth + 1)
            return
        if hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                visit(getattr(value, name, None), depth + 1)

    visit(row, 0)
    return seen
