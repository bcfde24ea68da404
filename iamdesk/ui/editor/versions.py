"""A managed policy's versions: the list, set the default, compare two side by side with the
differences marked, and edit (a new default version, through the save flow)."""

from __future__ import annotations

import difflib
import json
import logging
from typing import Any

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iamdesk.core.policy.document import PolicyKind
from iamdesk.ui import theme
from iamdesk.ui.editor.code_view import CodeView
from iamdesk.ui.editor.targets import PolicyTarget
from iamdesk.ui.icons import icon

log = logging.getLogger(__name__)

REMOVED = "deny_bg"  # theme colour names
ADDED = "allow_bg"


def line_differences(left: str, right: str) -> tuple[list[int], list[int]]:
    """1-based line numbers that differ: (lines only in ``left``, lines only in ``right``)."""
    a, b = left.splitlines(), right.splitlines()
    only_left: list[int] = []
    only_right: list[int] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            only_left.extend(range(i1 + 1, i2 + 1))
        if tag in ("replace", "insert"):
            only_right.extend(range(j1 + 1, j2 + 1))
    return only_left, only_right


class VersionDiff(QDialog):
    """Two versions side by side; removed lines red on the left, added lines green on the right;
    the two texts scroll together."""

    def __init__(
        self, left: tuple[str, str], right: tuple[str, str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("policyVersionDiff")
        self.setWindowTitle(f"Compare {left[0]} and {right[0]}")
        self.resize(1100, 700)
        self.left = CodeView(self)
        self.left.setObjectName("policyVersionDiffLeft")
        self.right = CodeView(self)
        self.right.setObjectName("policyVersionDiffRight")
        for view, (_, text) in ((self.left, left), (self.right, right)):
            view.setReadOnly(True)
            view.setPlainText(text)
        self.removed, self.added = line_differences(left[1], right[1])
        self.left.set_layer("highlight", self._lines(self.left, self.removed, REMOVED))
        self.right.set_layer("highlight", self._lines(self.right, self.added, ADDED))
        self.left.verticalScrollBar().valueChanged.connect(self.right.verticalScrollBar().setValue)
        self.right.verticalScrollBar().valueChanged.connect(self.left.verticalScrollBar().setValue)
        summary = QLabel(
            f"{len(self.removed)} line(s) only in {left[0]}, {len(self.added)} line(s) only in "
            f"{right[0]}."
            if self.removed or self.added
            else "The two versions are identical.",
            self,
        )
        summary.setObjectName("policyVersionDiffSummary")
        grid = QGridLayout(self)
        grid.addWidget(summary, 0, 0, 1, 2)
        grid.addWidget(QLabel(f"<b>{left[0]}</b>", self), 1, 0)
        grid.addWidget(QLabel(f"<b>{right[0]}</b>", self), 1, 1)
        grid.addWidget(self.left, 2, 0)
        grid.addWidget(self.right, 2, 1)

    @staticmethod
    def _lines(view: CodeView, lines: list[int], color: str) -> list[Any]:
        result = []
        for line in lines:
            result.extend(view.line_selection(line, line, theme.color_name(color)))
        return result


def version_document(context: Any, account_id: str, arn: str, version_id: str) -> str:
    """One version's document as indented text (AWS managed versions from the catalog)."""
    from iamdesk.services.policies import get_policy_version

    got = get_policy_version(context.database, account_id, arn, version_id)
    document = got["PolicyVersion"]["Document"]
    return document if isinstance(document, str) else json.dumps(document, indent=4)


class VersionView(QDialog):
    """One version, read-only, in the policy editor (findings and the Visual and Summary tabs
    describe that version)."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        from iamdesk.ui.editor.policy_editor import PolicyEditor

        super().__init__(parent)
        self.setObjectName("policyVersionView")
        self.setWindowTitle(title)
        self.resize(900, 680)
        self.editor = PolicyEditor(self, text=text, read_only=True)
        close = QPushButton("Close", self)
        close.setObjectName("policyVersionViewClose")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addLayout(buttons)


class SetDefaultVersionCommand(QUndoCommand):
    def __init__(self, context: Any, arn: str, account_id: str, old: str, new: str) -> None:
        super().__init__(f"Set default version of {arn.rsplit('/', 1)[-1]} to {new}")
        self.context, self.arn, self.account_id = context, arn, account_id
        self.old, self.new = old, new

    def _set(self, version: str) -> None:
        from iamdesk.services.policies import set_default_policy_version

        set_default_policy_version(self.context.database, self.account_id, self.arn, version)
        if hasattr(self.context, "notify"):
            self.context.notify("policies")

    def redo(self) -> None:
        self._set(self.new)

    def undo(self) -> None:
        self._set(self.old)


class PolicyVersionsPanel(QWidget):
    """Versions of one customer managed policy (AWS managed ones list read-only)."""

    def __init__(
        self, context: Any, policy_arn: str, account_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("policyVersions")
        self.context = context
        self.arn = policy_arn
        self.account_id = account_id
        self.editable = ":aws:policy/" not in policy_arn
        self.table = QTableWidget(0, 3, self)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setObjectName("policyVersionsTable")
        self.table.setHorizontalHeaderLabels(["Version", "Default", "Created"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.set_default_button = QPushButton("Set as default", self)
        self.set_default_button.setObjectName("policyVersionSetDefault")
        self.compare_button = QPushButton("Compare selected", self)
        self.compare_button.setObjectName("policyVersionCompare")
        self.edit_button = QPushButton("Edit…", self)
        self.edit_button.setObjectName("policyVersionEdit")
        self.edit_button.setIcon(icon("edit"))
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        for button in (self.set_default_button, self.edit_button):
            button.setEnabled(self.editable)
        self.set_default_button.clicked.connect(self.set_default_selected)
        self.compare_button.clicked.connect(self.compare_selected)
        self.edit_button.clicked.connect(self.edit)
        buttons = QHBoxLayout()
        for button in (self.set_default_button, self.compare_button, self.edit_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.versions: list[dict[str, Any]] = []
        if hasattr(context, "modelChanged"):
            context.modelChanged.connect(
                lambda kinds: self.reload() if "policies" in kinds else None
            )
        self.reload()

    def reload(self) -> None:
        from iamdesk.services.policies import list_policy_versions

        db = self.context.database
        self.versions = list_policy_versions(db, self.account_id, self.arn)["Versions"]
        self.table.setRowCount(len(self.versions))
        for row, version in enumerate(self.versions):
            cells = [
                version["VersionId"],
                "default" if version["IsDefaultVersion"] else "",
                version["CreateDate"],
            ]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def selected_versions(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.versions[r]["VersionId"] for r in rows]

    def default_version(self) -> str:
        return str(next(v["VersionId"] for v in self.versions if v["IsDefaultVersion"]))

    def document(self, version_id: str) -> str:
        return version_document(self.context, self.account_id, self.arn, version_id)

    def set_default_selected(self) -> bool:
        chosen = self.selected_versions()
        if len(chosen) != 1:
            self.message.setText("Select one version to make it the default.")
            return False
        old = self.default_version()
        if chosen[0] == old:
            self.message.setText(f"{old} is already the default version.")
            return False
        command = SetDefaultVersionCommand(self.context, self.arn, self.account_id, old, chosen[0])
        self.context.undo_stack.push(command)
        self.reload()
        self.message.setText(f"{chosen[0]} is now the default version.")
        return True

    def compare_selected(self) -> VersionDiff | None:
        chosen = self.selected_versions()
        if len(chosen) != 2:
            self.message.setText("Select two versions to compare (Ctrl+click).")
            return None
        older, newer = sorted(chosen, key=lambda v: int(v.lstrip("v")))
        dialog = VersionDiff((older, self.document(older)), (newer, self.document(newer)), self)
        dialog.open()
        self.diff = dialog
        return dialog

    def edit(self) -> Any:
        from iamdesk.ui.editor.save_dialog import PolicySaveDialog

        target = PolicyTarget(
            "managed",
            self.account_id,
            self.arn.rsplit("/", 1)[-1],
            PolicyKind.IDENTITY,
            arn=self.arn,
        )
        dialog = PolicySaveDialog(self.context, target, None, self)
        dialog.saved.connect(self.reload)
        dialog.open()
        self.edit_dialog = dialog
        return dialog
