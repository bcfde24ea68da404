"""The Visual tab: statements as a readable table; add, edit and remove them without JSON.

The JSON text stays the one source of truth: the table is rebuilt from it when shown, and every
edit here rewrites the text as one undoable edit of the editor (so Ctrl+Z undoes it).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iamdesk.core import jsontext
from iamdesk.ui import theme
from iamdesk.ui.editor.statement_dialog import StatementDialog
from iamdesk.ui.editor.wording import statement_in_words

if TYPE_CHECKING:
    from iamdesk.ui.editor.policy_editor import PolicyEditor

log = logging.getLogger(__name__)

COLUMNS = [
    ("sid", "Sid"),
    ("effect", "Effect"),
    ("principal", "Principal"),
    ("actions", "Actions"),
    ("resources", "Resources"),
    ("conditions", "Conditions"),
]


class VisualView(QWidget):
    def __init__(self, editor: PolicyEditor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.setObjectName("policyVisual")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setObjectName("policyVisualTable")
        self.table.setHorizontalHeaderLabels([title for _, title in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((100, 60, 150, 220, 220)):
            header.resizeSection(column, width)
        self.table.doubleClicked.connect(lambda index: self.edit_statement(index.row()))

        self.add_button = QPushButton("Add statement", self)
        self.add_button.setObjectName("policyVisualAdd")
        self.edit_button = QPushButton("Edit…", self)
        self.edit_button.setObjectName("policyVisualEdit")
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName("policyVisualRemove")
        self.add_button.clicked.connect(lambda: self.edit_statement(None))
        self.edit_button.clicked.connect(lambda: self.edit_statement(self.table.currentRow()))
        self.remove_button.clicked.connect(lambda: self.remove_statement(self.table.currentRow()))
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.dialog: StatementDialog | None = None
        self._document: dict[str, Any] | None = None
        self.editable = True

    def set_editable(self, editable: bool) -> None:
        """A read-only editor still shows its statements, without the edit buttons."""
        self.editable = editable
        for button in (self.add_button, self.edit_button, self.remove_button):
            button.setVisible(editable)

    # -- reading ------------------------------------------------------------------------------
    def _load(self) -> dict[str, Any] | None:
        try:
            data = jsontext.loads(self.editor.text() or "{}")
        except json.JSONDecodeError as error:
            self.message.setText(
                f"Fix the JSON first: {error.msg} at line {error.lineno}, column {error.colno}."
            )
            return None
        if not isinstance(data, dict):
            self.message.setText("The policy must be a JSON object.")
            return None
        return data

    def statements(self) -> list[dict[str, Any]]:
        if self._document is None:
            return []
        raw = self._document.get("Statement", [])
        if isinstance(raw, dict):
            return [raw]
        return [s for s in raw if isinstance(s, dict)] if isinstance(raw, list) else []

    def refresh(self) -> None:
        self._document = self._load()
        editable = self._document is not None and self.editable
        for button in (self.add_button, self.edit_button, self.remove_button):
            button.setEnabled(editable)
        self.table.setRowCount(0)
        if self._document is None:
            return
        statements = self.statements()
        self.message.setText(
            f"{len(statements)} statement(s). Double-click a row to edit it; changes are written "
            "to the JSON tab (Ctrl+Z undoes them)."
        )
        self.table.setRowCount(len(statements))
        for row, statement in enumerate(statements):
            words = statement_in_words(statement)
            for column, (key, _) in enumerate(COLUMNS):
                item = QTableWidgetItem(words[key])
                item.setToolTip(words[key])
                if key == "effect":
                    color = theme.color_name("allow_fg" if words[key] == "Allow" else "deny_fg")
                    item.setForeground(QBrush(QColor(color)))
                self.table.setItem(row, column, item)
        # A principal column only matters for resource and trust policies.
        self.table.setColumnHidden(
            2, not any(statement_in_words(s)["principal"] for s in statements)
        )
        self.table.resizeRowsToContents()

    # -- editing ------------------------------------------------------------------------------
    def _write(self, statements: list[dict[str, Any]]) -> None:
        document = dict(self._document or {})
        document.setdefault("Version", "2012-10-17")
        document["Statement"] = statements
        # Version first, as AWS writes it.
        ordered = {"Version": document.pop("Version"), **document}
        self.editor.replace_text(json.dumps(ordered, indent=4, ensure_ascii=False))
        self.refresh()

    def edit_statement(self, row: int | None) -> StatementDialog | None:
        """Open the statement dialog (non-blocking); ``row`` None adds a statement."""
        if not self.editable:
            return None
        if self._document is None:
            self.refresh()
            if self._document is None:
                return None
        statements = self.statements()
        if row is not None and not 0 <= row < len(statements):
            return None
        dialog = StatementDialog(statements[row] if row is not None else None, self)
        self.dialog = dialog

        def accepted() -> None:
            current = self.statements()
            if row is None:
                current.append(dialog.statement())
            else:
                current[row] = dialog.statement()
            self._write(current)

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def remove_statement(self, row: int) -> None:
        if not self.editable:
            return
        statements = self.statements()
        if 0 <= row < len(statements):
            del statements[row]
            self._write(statements)
