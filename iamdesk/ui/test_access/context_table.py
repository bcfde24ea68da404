"""The request-context table of the test-access panel: typed entries, presets, validation.

Types are AWS's ``ContextKeyType`` values (SimulatePrincipalPolicy's ``ContextEntries``), so the
table converts one-to-one into the entries the simulation service takes. A list type holds its
values comma-separated. A row whose value does not parse as its type is marked and refused.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimeZone,
)
from PySide6.QtGui import QAction, QBrush, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QStyledItemDelegate,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from iamdesk.core import catalog
from iamdesk.ui import theme

log = logging.getLogger(__name__)

TYPES = (
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "date",
    "dateList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
)
# Catalog key types -> the context type to suggest when a known key is typed.
_FROM_CATALOG = {
    "String": "string",
    "ARN": "string",
    "Numeric": "numeric",
    "Date": "date",
    "Bool": "boolean",
    "IPAddress": "ip",
    "Binary": "binary",
}
Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Key", "Type", "Value")


@dataclass
class ContextRow:
    key: str
    type: str
    value: str  # list types: comma-separated

    def values(self) -> list[str]:
        if self.type.endswith("List"):
            return [v.strip() for v in self.value.split(",") if v.strip()]
        return [self.value.strip()]

    def problem(self) -> str | None:
        """Why the value does not fit the type, or None."""
        if not self.key.strip():
            return "the key is empty"
        values = self.values()
        if not values or values == [""]:
            return "the value is empty"
        base = self.type.removesuffix("List")
        for value in values:
            error = _check(base, value)
            if error:
                return f"{value!r} is not {error}"
        return None


def _check(base: str, value: str) -> str | None:
    if base == "numeric":
        try:
            float(value)
        except ValueError:
            return "a number"
    elif base == "boolean":
        if value.lower() not in ("true", "false"):
            return "true or false"
    elif base == "ip":
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            return "an IP address or CIDR block"
    elif base == "date" and not value.isdigit():
        try:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return "an ISO 8601 date or epoch seconds"
    return None


def suggested_type(key: str) -> str | None:
    info = catalog.condition_key(key)
    if info is None:
        return None
    base = _FROM_CATALOG.get(info.scalar_type, "string")
    return base + "List" if info.multivalued else base


def presets(now: dt.datetime) -> dict[str, list[ContextRow]]:
    """Named sets of entries for the common situations; ``now`` makes them reproducible."""
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    return {
        "MFA present": [
            ContextRow("aws:MultiFactorAuthPresent", "boolean", "true"),
            ContextRow("aws:MultiFactorAuthAge", "numeric", "300"),
        ],
        "Source IP": [ContextRow("aws:SourceIp", "ip", "203.0.113.10")],
        "Current time": [
            ContextRow("aws:CurrentTime", "date", stamp.strftime("%Y-%m-%dT%H:%M:%SZ")),
            ContextRow("aws:EpochTime", "numeric", str(int(stamp.timestamp()))),
        ],
        "Secure transport": [ContextRow("aws:SecureTransport", "boolean", "true")],
        "Requested region": [ContextRow("aws:RequestedRegion", "string", "us-east-1")],
    }


class ContextModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ContextRow] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        value = (row.key, row.type, row.value)[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return value
        problem = row.problem()
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.key or 'This entry'}: {problem}" if problem else value
        if role == Qt.ItemDataRole.BackgroundRole and problem and index.column() != 1:
            return QBrush(theme.color("missing_bg"))
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row = self.rows[index.row()]
        text = str(value).strip()
        if index.column() == 0:
            row.key = text
            suggested = suggested_type(text)
            if suggested is not None and suggested != row.type:
                row.type = suggested
        elif index.column() == 1:
            if text not in TYPES:
                return False
            row.type = text
        else:
            row.value = text
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), 2))
        return True

    def add(self, row: ContextRow) -> int:
        """Add or replace (same key, case-insensitive) an entry; returns its row number."""
        for number, existing in enumerate(self.rows):
            if existing.key.lower() == row.key.lower() and row.key:
                self.rows[number] = row
                self.dataChanged.emit(self.index(number, 0), self.index(number, 2))
                return number
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(row)
        self.endInsertRows()
        return len(self.rows) - 1

    def remove(self, number: int) -> None:
        if 0 <= number < len(self.rows):
            self.beginRemoveRows(QModelIndex(), number, number)
            del self.rows[number]
            self.endRemoveRows()

    def set_rows(self, rows: list[ContextRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def keys(self) -> set[str]:
        return {row.key.lower() for row in self.rows}

    def entries(self) -> list[dict[str, Any]]:
        """AWS ``ContextEntries``; raises ValueError naming the first bad row."""
        result = []
        for number, row in enumerate(self.rows, start=1):
            problem = row.problem()
            if problem:
                raise ValueError(f"Context entry {number} ({row.key or 'no key'}): {problem}.")
            result.append(
                {
                    "ContextKeyName": row.key,
                    "ContextKeyValues": row.values(),
                    "ContextKeyType": row.type,
                }
            )
        return result


class _Delegate(QStyledItemDelegate):
    """A type picker in the Type column, key completion in the Key column, a date-time picker
    (UTC) for a single date value and true/false for a single boolean."""

    def createEditor(self, parent: QWidget, option: Any, index: Index) -> QWidget:
        kind = str(index.sibling(index.row(), 1).data(Qt.ItemDataRole.EditRole) or "")
        if index.column() == 1 or (index.column() == 2 and kind == "boolean"):
            combo = QComboBox(parent)
            combo.addItems(TYPES if index.column() == 1 else ["true", "false"])
            return combo
        if index.column() == 2 and kind == "date":
            picker = QDateTimeEdit(parent)
            picker.setTimeZone(QTimeZone.utc())
            picker.setDisplayFormat("yyyy-MM-dd HH:mm:ss 'UTC'")
            picker.setCalendarPopup(True)
            return picker
        editor = QLineEdit(parent)
        if index.column() == 0:
            names = [k.name for k in catalog.GLOBAL_CONDITION_KEYS]
            completer = QCompleter(names, editor)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            editor.setCompleter(completer)
            editor.setProperty("newKey", not index.data(Qt.ItemDataRole.EditRole))
        return editor

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Escape in a new row's key cell keeps what was typed: there is no earlier key to go
        # back to, and the first Escape usually meant "close the suggestions" (the completer
        # closes them itself). An existing key still reverts on Escape, as Qt's tables do.
        if (
            isinstance(watched, QLineEdit)
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and watched.property("newKey")
            and watched.text().strip()
        ):
            self.commitData.emit(watched)
            self.closeEditor.emit(watched, QStyledItemDelegate.EndEditHint.NoHint)
            return True
        return super().eventFilter(watched, event)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = str(index.data(Qt.ItemDataRole.EditRole) or "")
        if isinstance(editor, QDateTimeEdit):
            moment = QDateTime.fromString(value.replace("Z", ""), Qt.DateFormat.ISODate)
            if not moment.isValid():
                moment = QDateTime.currentDateTimeUtc()
            moment.setTimeZone(QTimeZone.utc())
            editor.setDateTime(moment)
        elif isinstance(editor, QComboBox):
            editor.setCurrentText(value)
        elif isinstance(editor, QLineEdit):
            editor.setText(value)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, QDateTimeEdit):
            model.setData(index, editor.dateTime().toUTC().toString("yyyy-MM-ddTHH:mm:ss") + "Z")
        elif isinstance(editor, QComboBox):
            model.setData(index, editor.currentText())
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text())


class ContextTable(QWidget):
    """The table plus Add / Remove / Presets buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ContextModel(self)
        self.view = QTableView(self)
        self.view.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.view.setObjectName("testAccessContext")
        self.view.setModel(self.model)
        self.view.setItemDelegate(_Delegate(self.view))
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.view.horizontalHeader()
        # Keys are long (aws:MultiFactorAuthPresent), values short; the type takes what it needs.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 180)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.view.setMinimumHeight(110)
        self.view.setMaximumHeight(170)

        add = QToolButton(self)
        add.setText("Add")
        add.setObjectName("testAccessContextAdd")
        add.clicked.connect(self.add_empty)
        remove = QToolButton(self)
        remove.setText("Remove")
        remove.clicked.connect(lambda: self.model.remove(self.view.currentIndex().row()))
        self.presets_button = QToolButton(self)
        self.presets_button.setObjectName("testAccessContextPresets")
        self.presets_button.setText("Presets")
        self.presets_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.presets_button)
        for name in presets(dt.datetime.now(dt.UTC)):
            action = QAction(name, menu)
            action.triggered.connect(lambda _=False, n=name: self.apply_preset(n))
            menu.addAction(action)
        self.presets_button.setMenu(menu)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addWidget(self.presets_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

    def add_empty(self) -> None:
        number = self.model.add(ContextRow("", "string", ""))
        self.view.edit(self.model.index(number, 0))

    def apply_preset(self, name: str, now: dt.datetime | None = None) -> None:
        for row in presets(now or dt.datetime.now(dt.UTC))[name]:
            self.model.add(ContextRow(row.key, row.type, row.value))

    def add_key(self, key: str) -> int:
        """Add an entry for a missing key, typed from the catalog, and start editing its value."""
        number = self.model.add(ContextRow(key, suggested_type(key) or "string", ""))
        self.view.setCurrentIndex(self.model.index(number, 2))
        self.view.edit(self.model.index(number, 2))
        return number
