"""Importing onto an account the model already has: replace it, or see the differences first.

``ask_replace`` offers the choice (``importChoiceBox``); ``DifferencesDialog`` lists what a
replacement would add, remove and change (``services.refresh.differences``' answer), one row
per user, group, role or policy with its changed fields beneath, filterable by text and by
kind of change, and then replaces the account or cancels. Nothing here decides anything: the
dialog shows the service's answer and hands the choice back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)

CHANGES = ("Added", "Removed", "Changed")
_WORDS = {"Added": "added", "Removed": "removed", "Changed": "changed"}
_COLOURS = {"Added": "allow_fg", "Removed": "deny_fg", "Changed": "changed_fg"}


def ask_replace(
    parent: QWidget,
    file_name: str,
    accounts: list[str],
    on_replace: Callable[[], None],
    on_diff: Callable[[], None],
) -> QMessageBox:
    """The choice when the file's account is already in the model (opened, not blocking)."""
    noun = "Account" if len(accounts) == 1 else "Accounts"
    box = QMessageBox(QMessageBox.Icon.Question, "Import", "", QMessageBox.StandardButton.NoButton)
    box.setParent(parent, box.windowFlags())
    box.setObjectName("importChoiceBox")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setText(f"{noun} {', '.join(accounts)} already in the model.")
    box.setInformativeText(
        f"Replace with what {file_name} holds (one step: Ctrl+Z brings the current account "
        "back), or look at the differences first?"
    )
    replace = box.addButton("Replace this account", QMessageBox.ButtonRole.AcceptRole)
    replace.setObjectName("importReplaceButton")
    diff = box.addButton("Show differences first", QMessageBox.ButtonRole.ActionRole)
    diff.setObjectName("importDiffButton")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setObjectName("importCancelButton")
    box.setDefaultButton(diff)

    def chosen(_result: int) -> None:
        clicked = box.clickedButton()
        if clicked is replace:
            on_replace()
        elif clicked is diff:
            on_diff()

    box.finished.connect(chosen)
    box.open()
    return box


def _describe(change: Mapping[str, Any]) -> str:
    """One changed field in words: "Path: / → /eng/", "+ arn:…, − arn:…"."""
    if change["Field"] == "Tags":
        before, after = change.get("Before", {}), change.get("After", {})
        parts = [f"+ {k}={after[k]}" for k in sorted(set(after) - set(before))]
        parts += [f"− {k}" for k in sorted(set(before) - set(after))]
        parts += [
            f"{k}: {before[k]} → {after[k]}"
            for k in sorted(set(before) & set(after))
            if before[k] != after[k]
        ]
        return ", ".join(parts)
    if "Before" in change or "After" in change:
        before, after = change.get("Before"), change.get("After")
        if isinstance(before, str) and isinstance(after, str) and max(len(before), len(after)) > 60:
            return "document changed"
        shown = ["(none)" if value is None else str(value) for value in (before, after)]
        return " → ".join(shown)
    parts = [f"+ {v}" for v in change.get("Added", [])]
    parts += [f"− {v}" for v in change.get("Removed", [])]
    parts += [f"~ {v}" for v in change.get("Changed", [])]
    return ", ".join(parts)


class DifferencesDialog(QDialog):
    """What replacing the account would do; Replace applies it, Cancel leaves the model."""

    def __init__(
        self, parent: QWidget | None, file_name: str, differences: Mapping[str, Any]
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importDiffDialog")
        self.setWindowTitle(f"Differences: {file_name}")
        self.differences = differences
        layout = QVBoxLayout(self)
        counts = {key: len(differences.get(key, [])) for key in CHANGES}
        accounts = differences.get("Accounts", [])
        noun = "account" if len(accounts) == 1 else "accounts"
        self.summary = QLabel(
            f"Replacing {noun} {', '.join(accounts)} with {file_name}: "
            + ", ".join(f"{counts[k]} {_WORDS[k]}" for k in CHANGES)
            + ("." if sum(counts.values()) else " — nothing would change.")
        )
        self.summary.setObjectName("importDiffSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        bar = QHBoxLayout()
        self.filter = QLineEdit()
        self.filter.setObjectName("importDiffFilter")
        self.filter.setPlaceholderText("Filter by name, type, field or ARN…")
        self.filter.setClearButtonEnabled(True)
        self.kind = QComboBox()
        self.kind.setObjectName("importDiffKind")
        self.kind.addItems(["All changes", *CHANGES])
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.kind)
        layout.addLayout(bar)
        self.tree = QTreeWidget()
        self.tree.setObjectName("importDiffTree")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["Change", "Type", "Name", "Details"])
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        for column in (0, 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        layout.addWidget(self.tree, 1)
        self._fill()
        self.tree.resizeColumnToContents(2)
        header.resizeSection(2, min(max(header.sectionSize(2), 160), 380))
        self.count = QLabel()
        self.count.setObjectName("importDiffCount")
        buttons = QDialogButtonBox()
        self.apply_button = buttons.addButton(
            "Replace account", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.apply_button.setObjectName("importDiffApplyButton")
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("importDiffCancelButton")
        self.cancel_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        footer = QHBoxLayout()
        footer.addWidget(self.count, 1)
        footer.addWidget(buttons)
        layout.addLayout(footer)
        self.filter.textChanged.connect(self._apply_filter)
        self.kind.currentIndexChanged.connect(self._apply_filter)
        self._apply_filter()
        self.resize(900, 560)

    def _fill(self) -> None:
        from PySide6.QtGui import QBrush

        from iamdesk.ui.theme import color

        for change in CHANGES:
            for entity in self.differences.get(change, []):
                fields = [f["Field"] for f in entity.get("Changes", [])]
                details = ", ".join(fields) if fields else entity["Arn"]
                item = QTreeWidgetItem([_WORDS[change], entity["Type"], entity["Name"], details])
                item.setData(0, Qt.ItemDataRole.UserRole, change)
                item.setData(3, Qt.ItemDataRole.UserRole, entity["Arn"])
                item.setForeground(0, QBrush(color(_COLOURS[change])))
                for column in range(4):
                    item.setToolTip(column, entity["Arn"])
                for field in entity.get("Changes", []):
                    text = _describe(field)
                    child = QTreeWidgetItem(["", "", field["Field"], text])
                    child.setToolTip(3, text)
                    item.addChild(child)
                self.tree.addTopLevelItem(item)
        self.tree.expandAll()

    def _apply_filter(self) -> None:
        words = self.filter.text().lower().split()
        kind = self.kind.currentText()
        shown = 0
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            text = " ".join(
                item.text(c)
                + " "
                + " ".join(item.child(i).text(c) for i in range(item.childCount()))
                for c in range(4)
            ).lower()
            visible = all(w in text for w in words) and kind in (
                "All changes",
                item.data(0, Qt.ItemDataRole.UserRole),
            )
            item.setHidden(not visible)
            shown += visible
        total = self.tree.topLevelItemCount()
        self.count.setText(f"{shown} of {total} shown")

    def visible_rows(self) -> list[tuple[str, str, str]]:
        """(change, type, name) of the rows the user sees now."""
        rows = []
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if not item.isHidden():
                rows.append((item.text(0), item.text(1), item.text(2)))
        return rows
