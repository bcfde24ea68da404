"""The input fields of the analysis questions, each with the completion that fits it: actions
from the catalog (service prefix, then that service's actions), services, and the principals
and resources of the model."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit, QSpinBox, QWidget

from iamdesk.ui.test_access.line_completer import action_candidates

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Field:
    name: str  # objectName suffix: analysis<Question><name>
    label: str
    kind: str  # "action" | "principal" | "resource" | "service" | "days" | "zone" | "text"
    required: bool = True
    placeholder: str = ""
    default: str = ""


class PrefixCompleter(QCompleter):
    """Candidates recomputed from what is typed (the catalog has 20,000 actions: building one
    list up front would cost half a second)."""

    def __init__(self, edit: QLineEdit, source: Callable[[str], list[str]]) -> None:
        self._model = QStringListModel()
        super().__init__(self._model, edit)
        self.source = source
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setMaxVisibleItems(14)
        self._model.setParent(self)
        edit.setCompleter(self)
        edit.textEdited.connect(self._refresh)

    def _refresh(self, text: str) -> None:
        self._model.setStringList(self.source(text.strip())[:500] if text.strip() else [])


def service_candidates(prefix: str) -> list[str]:
    from iamdesk.core import catalog

    return [s for s in catalog.services() if s.startswith(prefix.lower())]


class ChoiceSource:
    """Principals and resources of the model, read once per view reload."""

    def __init__(self) -> None:
        self.principals: list[tuple[str, str]] = []  # (label, arn)
        self.resources: list[str] = []

    @staticmethod
    def read(db: Any) -> tuple[list[tuple[str, str]], list[str]]:
        """(principals, resources) of the model; runs on a worker thread."""
        from iamdesk.services.resources import list_resources
        from iamdesk.ui.test_access.principals import list_principals

        principals = [(p.label, p.arn) for p in list_principals(db)]
        arns = [r["Arn"] for r in list_resources(db)]
        # Roles are resources too (sts:AssumeRole, iam:PassRole).
        arns += [arn for _label, arn in principals if ":role/" in arn]
        return principals, sorted(set(arns))

    def set(self, read: tuple[list[tuple[str, str]], list[str]]) -> None:
        self.principals, self.resources = read

    def resource_candidates(self, prefix: str) -> list[str]:
        needle = prefix.lower()
        return [a for a in self.resources if needle in a.lower()]


def make_input(field: Field, stem: str, choices: ChoiceSource, parent: QWidget) -> QWidget:
    name = f"{stem}{field.name}"
    widget: QWidget
    if field.kind == "principal":
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.setMinimumContentsLength(30)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        combo.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        line = combo.lineEdit()
        assert line is not None
        line.setPlaceholderText(field.placeholder or "user, role or session (or an ARN)")
        widget = combo
    elif field.kind == "days":
        spin = QSpinBox(parent)
        spin.setRange(1, 3650)
        spin.setValue(int(field.default or 90))
        spin.setSuffix(" days")
        widget = spin
    elif field.kind == "zone":
        zone = QComboBox(parent)
        zone.addItem("This account", "account")
        zone.addItem("The organization", "organization")
        widget = zone
    else:
        edit = QLineEdit(field.default, parent)
        edit.setClearButtonEnabled(True)
        edit.setPlaceholderText(field.placeholder)
        if field.kind == "action":
            PrefixCompleter(edit, action_candidates)
        elif field.kind == "service":
            PrefixCompleter(edit, service_candidates)
        elif field.kind == "resource":
            completer = PrefixCompleter(edit, choices.resource_candidates)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
        widget = edit
    widget.setObjectName(name)
    widget.setToolTip(field.placeholder or field.label)
    return widget


def fill_choices(widget: QWidget, field: Field, choices: ChoiceSource) -> None:
    """Refresh a principal picker's list, keeping what was typed or chosen."""
    if field.kind != "principal" or not isinstance(widget, QComboBox):
        return
    current = input_value(widget, field)
    widget.clear()
    for label, arn in choices.principals:
        widget.addItem(label, arn)
    set_input(widget, field, current)


def input_value(widget: QWidget, field: Field) -> Any:
    if isinstance(widget, QSpinBox):
        return widget.value()
    if isinstance(widget, QComboBox):
        if field.kind == "zone":
            return widget.currentData()
        text = widget.currentText().strip()
        index = widget.findText(text)
        if index >= 0 and widget.itemData(index):
            return str(widget.itemData(index))
        return text
    if isinstance(widget, QLineEdit):
        return widget.text().strip()
    return None


def set_input(widget: QWidget, field: Field, value: Any) -> None:
    if isinstance(widget, QSpinBox):
        widget.setValue(int(value))
    elif isinstance(widget, QComboBox):
        index = widget.findData(value)
        if index >= 0:
            widget.setCurrentIndex(index)
        elif widget.isEditable():
            widget.setEditText(str(value or ""))
    elif isinstance(widget, QLineEdit):
        widget.setText(str(value or ""))
