"""Help ▸ Keyboard shortcuts: every shortcut of the window's actions, read from the actions."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# Shortcuts owned by widgets rather than menu actions.
EXTRA = (
    ("Move between table, filter and detail tabs", "Tab / Shift+Tab"),
    ("From the filter into the table", "Down"),
    ("Open the selected row's details", "Enter"),
    ("Delete the selected row (asks first)", "Del"),
    ("Create in the current view (user, role, resource…)", "Ins"),
    ("Organization: new OU / delete the selected OU (in the tree)", "Ins / Del"),
    ("Organization: attach / detach a policy (in the policy list)", "Ins / Del"),
    ("Dialogs: accept / close (asks if you typed something)", "Enter / Esc"),
    ("Clear the filter", "Esc"),
    ("Row actions (Test access, Copy ARN, Attach, Delete…)", "Menu / Shift+F10"),
    # The policy editor (wherever a policy is edited).
    ("Editor: complete an action, key or ARN", "Ctrl+Space"),
    ("Editor: format the policy", "Ctrl+Shift+F"),
    ("Editor: close the completion list", "Esc"),
    ("Editor: undo / redo typing", "Ctrl+Z / Ctrl+Shift+Z"),
    ("Edit policy dialog: review the impact, then save", "Ctrl+S"),
    ("Edit policy dialog: close (asks about unsaved edits)", "Esc"),
    # The test-access panel.
    ("Test access: run", "F5 / Ctrl+Enter"),
    ("Test access: next field", "Tab / Shift+Tab"),
    ("Versions tab: view the selected version", "Enter"),
    # The Analysis view.
    ("Analysis: run the question", "Enter in a field / Ctrl+Enter"),
    ("Analysis: open a result's entity or deciding statement", "Enter / double-click"),
    ("Analysis graph: zoom in / out / whole graph", "Ctrl+= / Ctrl+- / Ctrl+0, wheel"),
    ("Analysis graph: open the selected node", "Enter / double-click"),
)


def shortcut_rows(window: QWidget) -> list[tuple[str, str]]:
    rows: dict[str, str] = {}
    for action in window.findChildren(QAction):
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        keys = list(dict.fromkeys(k for k in keys if k))
        if keys:
            rows.setdefault(action.text().replace("&", ""), " or ".join(keys))
    return sorted(rows.items()) + list(EXTRA)


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(window)
        table = QTableWidget(len(rows), 2, self)
        table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        table.setObjectName("shortcutsTable")
        table.setHorizontalHeaderLabels(["Command", "Shortcut"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for row, (name, keys) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(name))
            table.setItem(row, 1, QTableWidgetItem(keys))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(460, 480)
