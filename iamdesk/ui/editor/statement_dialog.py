"""Add or edit one statement with pickers, without writing JSON (the Visual tab's dialog)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iamdesk.core import catalog
from iamdesk.ui import theme
from iamdesk.ui.editor.wording import OPERATORS, as_list

log = logging.getLogger(__name__)


def _lines(widget: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in widget.toPlainText().splitlines() if line.strip()]


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


class _KeyDelegate(QStyledItemDelegate):
    """Condition keys complete from the global keys and the keys of the chosen actions."""

    def __init__(self, dialog: StatementDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog

    def createEditor(self, parent: QWidget, option: Any, index: Any) -> QWidget:
        editor = QLineEdit(parent)
        completer = QCompleter(self.dialog.condition_keys(), editor)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        editor.setCompleter(completer)
        return editor


class StatementDialog(QDialog):
    """Effect, actions (service + action picker), resources and conditions of one statement."""

    def __init__(self, statement: Mapping[str, Any] | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statementDialog")
        self.setWindowTitle("Edit statement" if statement else "Add statement")
        self.resize(760, 620)
        statement = statement or {"Effect": "Allow", "Action": [], "Resource": "*"}
        self._extra = {
            k: v
            for k, v in statement.items()
            if k not in ("Sid", "Effect", "Principal", "Action", "Resource", "Condition")
        }

        self.principal = QPlainTextEdit(principal_lines(statement.get("Principal")), self)
        self.principal.setObjectName("statementPrincipal")
        self.principal.setPlaceholderText(
            "Resource and trust policies: one per line, e.g. AWS: arn:aws:iam::111122223333:root"
            " or Service: ec2.amazonaws.com, or * for anyone"
        )
        self.principal.setMaximumHeight(64)
        self.sid = QLineEdit(str(statement.get("Sid", "")), self)
        self.sid.setObjectName("statementSid")
        self.effect = QComboBox(self)
        self.effect.setObjectName("statementEffect")
        self.effect.addItems(["Allow", "Deny"])
        self.effect.setCurrentText(str(statement.get("Effect", "Allow")))

        # Action picker: a service, its actions grouped by access level, a filter.
        self.service = QComboBox(self)
        self.service.setObjectName("statementService")
        self.service.setEditable(True)
        self.service.addItems(catalog.services())
        self.service.setCurrentIndex(-1)
        self.service.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.service.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.action_filter = QLineEdit(self)
        self.action_filter.setPlaceholderText("Filter actions")
        self.action_list = QListWidget(self)
        self.action_list.setObjectName("statementActionPicker")
        self.action_list.setMinimumHeight(220)
        add_actions = QPushButton("Add checked →", self)
        add_actions.setObjectName("statementAddActions")
        self.action_lines = QPlainTextEdit("\n".join(as_list(statement.get("Action"))), self)
        self.action_lines.setObjectName("statementActions")
        self.action_lines.setPlaceholderText("One action per line, e.g. s3:GetObject or s3:List*")

        self.resources = QPlainTextEdit("\n".join(as_list(statement.get("Resource"))), self)
        self.resources.setObjectName("statementResources")
        self.resources.setPlaceholderText("One ARN per line, or *")
        self.resources.setMaximumHeight(90)
        self.arn_templates = QComboBox(self)
        self.arn_templates.setObjectName("statementArnTemplates")
        self.arn_templates.setToolTip("ARN formats of the chosen service's resource types")
        add_arn = QPushButton("Insert ARN format", self)

        self.conditions = QTableWidget(0, 3, self)
        self.conditions.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.conditions.setObjectName("statementConditions")
        self.conditions.setHorizontalHeaderLabels(["Operator", "Key", "Values (comma separated)"])
        self.conditions.horizontalHeader().setStretchLastSection(True)
        self.conditions.setColumnWidth(0, 190)
        self.conditions.setColumnWidth(1, 220)
        self.conditions.setItemDelegateForColumn(1, _KeyDelegate(self))
        block = statement.get("Condition")
        if isinstance(block, Mapping):
            for operator, pairs in block.items():
                if isinstance(pairs, Mapping):
                    for key, values in pairs.items():
                        self.add_condition(str(operator), str(key), as_list(values))
        add_condition = QPushButton("Add condition", self)
        remove_condition = QPushButton("Remove condition", self)

        picker = QVBoxLayout()
        picker.addWidget(self.service)
        picker.addWidget(self.action_filter)
        picker.addWidget(self.action_list, 1)
        action_row = QHBoxLayout()
        action_row.addLayout(picker, 1)
        chosen = QVBoxLayout()
        chosen.addWidget(add_actions)
        chosen.addWidget(self.action_lines, 1)
        action_row.addLayout(chosen, 1)
        arn_row = QHBoxLayout()
        arn_row.addWidget(self.arn_templates, 1)
        arn_row.addWidget(add_arn)
        condition_buttons = QHBoxLayout()
        condition_buttons.addWidget(add_condition)
        condition_buttons.addWidget(remove_condition)
        condition_buttons.addStretch(1)

        form = QFormLayout()
        form.addRow("Sid", self.sid)
        form.addRow("Effect", self.effect)
        form.addRow("Principal", self.principal)
        form.addRow("Actions", action_row)
        resources_box = QVBoxLayout()
        resources_box.addWidget(self.resources)
        resources_box.addLayout(arn_row)
        form.addRow("Resources", resources_box)
        conditions_box = QVBoxLayout()
        conditions_box.addWidget(self.conditions)
        conditions_box.addLayout(condition_buttons)
        form.addRow("Conditions", conditions_box)
        if self._extra:
            form.addRow("", QLabel(f"Kept as written: {', '.join(self._extra)}", self))

        self.error = QLabel(self)
        self.error.setObjectName("statementError")
        self.error.setStyleSheet(f"color:{theme.color_name('deny_fg')}")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

        self.service.currentTextChanged.connect(self._service_chosen)
        self.action_filter.textChanged.connect(self._filter_actions)
        add_actions.clicked.connect(self.add_checked_actions)
        add_arn.clicked.connect(self._insert_arn)
        add_condition.clicked.connect(lambda: self.add_condition("StringEquals", "", []))
        remove_condition.clicked.connect(
            lambda: self.conditions.removeRow(self.conditions.currentRow())
        )
        first = next(iter(as_list(statement.get("Action"))), "")
        if ":" in first and catalog.service_exists(first.split(":", 1)[0]):
            self.service.setCurrentText(first.split(":", 1)[0].lower())

    # -- pickers ------------------------------------------------------------------------------
    def _service_chosen(self, prefix: str) -> None:
        self.action_list.clear()
        self.arn_templates.clear()
        if not catalog.service_exists(prefix):
            return
        by_level: dict[str, list[str]] = {}
        for info in catalog.actions(prefix):
            by_level.setdefault(info.access_level, []).append(info.full_name)
        wildcard = QListWidgetItem(f"{prefix}:*  (every action)")
        wildcard.setData(Qt.ItemDataRole.UserRole, f"{prefix}:*")
        wildcard.setCheckState(Qt.CheckState.Unchecked)
        self.action_list.addItem(wildcard)
        for level in (*catalog.ACCESS_LEVELS, *sorted(set(by_level) - set(catalog.ACCESS_LEVELS))):
            names = by_level.get(level)
            if not names:
                continue
            head = QListWidgetItem(f"— {level} ({len(names)}) —")
            head.setFlags(Qt.ItemFlag.NoItemFlags)
            self.action_list.addItem(head)
            for name in sorted(names):
                item = QListWidgetItem(name)
                item.setData(Qt.ItemDataRole.UserRole, name)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.action_list.addItem(item)
        for rtype in catalog.resource_types(prefix):
            self.arn_templates.addItem(f"{rtype.name}: {rtype.arn_template}", rtype.arn_template)

    def _filter_actions(self, text: str) -> None:
        needle = text.lower()
        for i in range(self.action_list.count()):
            item = self.action_list.item(i)
            name = item.data(Qt.ItemDataRole.UserRole)
            item.setHidden(bool(needle) and (name is None or needle not in str(name).lower()))

    def check_action(self, name: str) -> bool:
        for i in range(self.action_list.count()):
            item = self.action_list.item(i)
            if str(item.data(Qt.ItemDataRole.UserRole) or "").lower() == name.lower():
                item.setCheckState(Qt.CheckState.Checked)
                return True
        return False

    def add_checked_actions(self) -> None:
        current = _lines(self.action_lines)
        lowered = {a.lower() for a in current}
        for i in range(self.action_list.count()):
            item = self.action_list.item(i)
            name = item.data(Qt.ItemDataRole.UserRole)
            if name and item.checkState() == Qt.CheckState.Checked and name.lower() not in lowered:
                current.append(name)
                lowered.add(name.lower())
                item.setCheckState(Qt.CheckState.Unchecked)
        self.action_lines.setPlainText("\n".join(current))

    def _insert_arn(self) -> None:
        template = self.arn_templates.currentData()
        if template:
            filled = str(template).replace("${Partition}", "aws").replace("${Region}", "*")
            filled = filled.replace("${Account}", "*")
            lines = [r for r in _lines(self.resources) if r != "*"]
            lines.append(filled)
            self.resources.setPlainText("\n".join(lines))

    def condition_keys(self) -> list[str]:
        """Global keys, then the keys of the actions in the Actions box."""
        keys: dict[str, None] = {k.name: None for k in catalog.GLOBAL_CONDITION_KEYS}
        for pattern in _lines(self.action_lines):
            for name in catalog.expand_action(pattern)[:200]:
                info = catalog.action(name)
                if info is not None:
                    keys.update(dict.fromkeys(info.all_condition_keys()))
        return list(keys)

    def add_condition(self, operator: str, key: str, values: list[str]) -> None:
        row = self.conditions.rowCount()
        self.conditions.insertRow(row)
        combo = QComboBox(self.conditions)
        combo.setEditable(True)
        combo.addItems(OPERATORS)
        combo.setCurrentText(operator)
        self.conditions.setCellWidget(row, 0, combo)
        self.conditions.setItem(row, 1, QTableWidgetItem(key))
        self.conditions.setItem(row, 2, QTableWidgetItem(", ".join(values)))

    # -- result -------------------------------------------------------------------------------
    def statement(self) -> dict[str, Any]:
        """The statement as a JSON-ready dict, keys in AWS's customary order."""
        result: dict[str, Any] = {}
        if self.sid.text().strip():
            result["Sid"] = self.sid.text().strip()
        result["Effect"] = self.effect.currentText()
        principal = parse_principal(self.principal.toPlainText())
        if principal is not None:
            result["Principal"] = principal
        result.update({k: v for k, v in self._extra.items() if "Principal" in k})
        if "NotAction" not in self._extra:
            result["Action"] = _one_or_list(_lines(self.action_lines))
        resources = _lines(self.resources)
        if resources:
            result["Resource"] = _one_or_list(resources)
        result.update({k: v for k, v in self._extra.items() if "Principal" not in k})
        block: dict[str, dict[str, Any]] = {}
        for row in range(self.conditions.rowCount()):
            combo = self.conditions.cellWidget(row, 0)
            operator = combo.currentText().strip() if isinstance(combo, QComboBox) else ""
            key_item = self.conditions.item(row, 1)
            values_item = self.conditions.item(row, 2)
            key = key_item.text().strip() if key_item else ""
            values = [v.strip() for v in (values_item.text() if values_item else "").split(",")]
            values = [v for v in values if v]
            if operator and key and values:
                block.setdefault(operator, {})[key] = _one_or_list(values)
        if block:
            result["Condition"] = block
        return result

    def accept(self) -> None:
        if "NotAction" not in self._extra and not _lines(self.action_lines):
            self.error.setText("Choose at least one action.")
            return
        try:
            parse_principal(self.principal.toPlainText())
        except ValueError as error:
            self.error.setText(str(error))
            return
        super().accept()


def principal_lines(value: Any) -> str:
    """A Principal element as the dialog's "Kind: value" lines."""
    if value is None:
        return ""
    if value == "*":
        return "*"
    if isinstance(value, Mapping):
        return "\n".join(f"{kind}: {v}" for kind, values in value.items() for v in as_list(values))
    return str(value)


def parse_principal(text: str) -> str | dict[str, Any] | None:
    """The dialog's lines back into a Principal element; ValueError names a bad line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    if lines == ["*"]:
        return "*"
    found: dict[str, list[str]] = {}
    for number, line in enumerate(lines, start=1):
        kind, sep, value = line.partition(":")
        kind, value = kind.strip(), value.strip()
        if not sep or kind not in _PRINCIPAL_KINDS or not value:
            raise ValueError(
                f"Principal line {number} ({line!r}): write Kind: value with Kind one of "
                f"{', '.join(_PRINCIPAL_KINDS)}."
            )
        found.setdefault(kind, []).append(value)
    return {kind: _one_or_list(values) for kind, values in found.items()}


_PRINCIPAL_KINDS = ("AWS", "Service", "Federated", "CanonicalUser")
