"""The rows an analysis returned, as a table: columns read values from the engine's result
objects, a proxy filters and sorts them, and the shown rows export to CSV (the columns as seen)
or JSON (each row's ``to_json()``, what ``iamdesk analyze`` prints).

Rows stay the engine's frozen dataclasses: the table keeps them whole so a double-click can open
the entity or the deciding statement each one carries.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from iamdesk.ui.models.table import TitledColumns

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the result object itself
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # numbers sort as numbers


@dataclass(frozen=True)
class ResultColumn:
    title: str
    value: Callable[[Any], object]
    width: int = 160
    color: Callable[[Any], str | None] | None = None  # a theme colour name for the text


def text_of(value: object) -> str:
    """How a cell shows a value: lists joined, refs by their display text, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    display = getattr(value, "display", None)
    if isinstance(display, str):
        return display
    name = getattr(value, "name", None)
    if isinstance(name, str) and hasattr(value, "arn"):
        return name
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(text_of(v) for v in value)
    return str(value)


def refs_in(row: Any, kind: type) -> list[Any]:
    """The values of type ``kind`` among a result row's fields (and inside list fields), in field
    order: how the view finds what to open without knowing each result class."""
    found: list[Any] = []
    if not is_dataclass(row):
        return found
    for field in fields(row):
        value = getattr(row, field.name, None)
        if isinstance(value, kind):
            found.append(value)
        elif isinstance(value, list | tuple):
            found.extend(v for v in value if isinstance(v, kind))
    return found


class ResultsModel(TitledColumns):
    def __init__(self, columns: Sequence[ResultColumn], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = []
        self._cells: list[list[str]] = []

    def set_columns(self, columns: Sequence[ResultColumn]) -> None:
        self.beginResetModel()
        self.columns = list(columns)
        self._cells = [[text_of(c.value(r)) for c in self.columns] for r in self.rows]
        self.endResetModel()

    def set_rows(self, rows: Iterable[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        # Cell texts are computed once: filtering and sorting read them many times.
        self._cells = [[text_of(c.value(r)) for c in self.columns] for r in self.rows]
        self.endResetModel()

    def row(self, number: int) -> Any:
        return self.rows[number]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        text = self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return text if len(text) > 40 else None
        if role == ROW_ROLE:
            return self.rows[index.row()]
        if role == SORT_ROLE:
            value = self.columns[index.column()].value(self.rows[index.row()])
            return value if isinstance(value, int | float) and not isinstance(value, bool) else text
        if role == Qt.ItemDataRole.ForegroundRole:
            color = self.columns[index.column()].color
            name = color(self.rows[index.row()]) if color is not None else None
            if name:
                from iamdesk.ui import theme

                return theme.color(name)
        return None


class ResultsProxy(QSortFilterProxyModel):
    """Every word typed must appear in some column of the row (case-insensitive)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_filter(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+; invalidateRowsFilter is deprecated
            self.beginFilterChange()
            self._words = text.lower().split()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._words = text.lower().split()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        assert isinstance(model, ResultsModel)
        line = " ".join(model._cells[source_row]).lower()
        return all(word in line for word in self._words)

    def shown_rows(self) -> list[Any]:
        model = self.sourceModel()
        assert isinstance(model, ResultsModel)
        return [model.row(self.mapToSource(self.index(i, 0)).row()) for i in range(self.rowCount())]


def write_csv(path: Path, model: ResultsModel, rows: Sequence[Any]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.title for c in model.columns])
        for row in rows:
            writer.writerow([text_of(c.value(row)) for c in model.columns])


def write_json(path: Path, rows: Sequence[Any]) -> None:
    payload = [row.to_json() if hasattr(row, "to_json") else row for row in rows]
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
