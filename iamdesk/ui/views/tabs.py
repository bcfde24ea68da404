"""Detail tabs shared by several entity views: a list with buttons, Tags and History."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iamdesk.ui import messages
from iamdesk.ui.fitting import OverflowBar
from iamdesk.ui.icons import icon
from iamdesk.ui.models.table import Row
from iamdesk.ui.views.entity_view import DetailTab, EntityView

log = logging.getLogger(__name__)

ITEM_ROLE = Qt.ItemDataRole.UserRole


def make_list(headers: Sequence[str], name: str) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setObjectName(name)
    tree.setHeaderLabels(list(headers))
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setUniformRowHeights(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.header().setStretchLastSection(True)
    tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    tree.header().setDefaultSectionSize(180)
    return tree


def add_item(tree: QTreeWidget, values: Sequence[object], data: Any = None) -> QTreeWidgetItem:
    item = QTreeWidgetItem(["" if v is None else str(v) for v in values])
    item.setData(0, ITEM_ROLE, data)
    for column, value in enumerate(values):
        if value is not None and len(str(value)) > 40:
            item.setToolTip(column, str(value))
    tree.addTopLevelItem(item)
    return item


def list_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    items = (tree.topLevelItem(i) for i in range(tree.topLevelItemCount()))
    return [item for item in items if item is not None]


def selected_data(tree: QTreeWidget) -> Any:
    item = tree.currentItem()
    if item is None or not item.isSelected():
        return None
    return item.data(0, ITEM_ROLE)


class ButtonBar(QHBoxLayout):
    """A tab's buttons, right-aligned after whatever is inserted at 0 (a note); those without
    room fold into a ">>" menu, so the buttons never set the window's minimum width."""

    def __init__(self, owner: QWidget, stem: str) -> None:
        super().__init__()
        self.owner = owner
        self.stem = stem
        self.buttons: dict[str, QPushButton] = {}
        self._actions: dict[str, QAction] = {}
        self.toolbar = OverflowBar(owner)
        self.toolbar.setObjectName(f"{stem}Buttons")
        self.addStretch(1)
        self.addWidget(self.toolbar)

    def add(
        self, name: str, text: str, slot: Callable[[], None], icon_name: str = ""
    ) -> QPushButton:
        if not icon_name:
            adding = name.startswith(("Add", "Attach", "Create", "Set", "Assign"))
            icon_name = "add" if adding else "delete"
        button = QPushButton(icon(icon_name), text)
        button.setObjectName(f"{self.stem}{name}Button")
        button.clicked.connect(slot)
        self._actions[name] = self.toolbar.addWidget(button)
        self.buttons[name] = button
        return button

    def add_note(self, note: QLabel) -> None:
        """A line of text before the buttons; it wraps rather than widen the tab (a Lambda
        function's note is a sentence long)."""
        note.setWordWrap(True)
        self.insertWidget(0, note, 1)

    def set_shown(self, name: str, shown: bool) -> None:
        """Show or hide a button (a toolbar shows its widgets by their actions)."""
        self._actions[name].setVisible(shown)


def report(parent: QWidget, title: str, exc: Exception) -> None:
    """Show an expected service error (AWS's text) without a traceback."""
    text = getattr(exc, "message", None) or str(exc)
    code = getattr(exc, "code", "")
    messages.show_error(parent, title, f"{code}: {text}" if code else text)


class TagsTab(DetailTab):
    title = "Tags"
    name = "Tags"
    entity_type = "user"  # as services.tags names it

    def __init__(self, view: EntityView) -> None:
        super().__init__(view)
        stem = f"{view.kind}Tags"
        self.list = make_list(["Key", "Value"], f"{stem}List")
        self.bar = ButtonBar(self, stem)
        self.bar.add("Add", "Add tag…", self.add_tag)
        self.bar.add("Remove", "Remove", self.remove_tag)
        layout = QVBoxLayout(self)
        layout.addLayout(self.bar)
        layout.addWidget(self.list)

    def entity_name(self, row: Row) -> str:
        return self.view.row_name(row)

    def load(self, key: str, row: Row) -> None:
        from iamdesk.services.tags import list_tags

        self.row = row
        self.list.clear()
        tags = list_tags(
            self.context.database, self.context.account_id, self.entity_type, self.entity_name(row)
        )["Tags"]
        for tag in tags:
            add_item(self.list, [tag["Key"], tag["Value"]], tag)

    def add_tag(self) -> None:
        from iamdesk.ui.dialogs.create_dialogs import TagDialog

        if self.row is None:
            return
        dialog = TagDialog(self, self._submit_tag)
        dialog.open()

    def _submit_tag(self, key: str, value: str) -> None:
        from iamdesk.ui.commands.identity import tag_command

        assert self.row is not None
        tag_command(self.context, self.entity_type, self.entity_name(self.row), {key: value})
        self.view.refresh_detail()

    def remove_tag(self) -> None:
        from iamdesk.services.errors import IamError
        from iamdesk.ui.commands.identity import untag_command

        tag = selected_data(self.list)
        if tag is None or self.row is None:
            return
        try:
            untag_command(self.context, self.entity_type, self.entity_name(self.row), [tag["Key"]])
        except IamError as exc:
            report(self, "Remove tag", exc)
        self.view.refresh_detail()


class HistoryTab(DetailTab):
    """The change-log entries about the entity, newest first, with the before/after JSON."""

    title = "History"
    name = "History"
    entity_type = "user"

    def __init__(self, view: EntityView) -> None:
        super().__init__(view)
        self.list = make_list(["When (UTC)", "Operation", "On", "By"], f"{view.kind}HistoryList")
        self.list.header().resizeSection(0, 170)
        self.list.header().resizeSection(1, 190)
        self.detail = QLabel()
        self.detail.setObjectName(f"{view.kind}HistoryDetail")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setWordWrap(True)
        self.list.currentItemChanged.connect(self._show_entry)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        QVBoxLayout(self).addWidget(splitter)

    def load(self, key: str, row: Row) -> None:
        from iamdesk.services.queries.history import list_changes

        self.list.clear()
        self.detail.clear()
        entries = list_changes(
            self.context.database,
            self.context.account_id,
            entity_type=self.entity_type,
            entity_name=self.view.row_name(row) if self.entity_type != "policy" else key,
        )
        for entry in entries:
            at = str(entry["At"]).replace("T", " ").replace("+00:00", "")
            on = f"{entry['EntityType']} {entry['EntityName']}"
            add_item(self.list, [at, entry["Operation"], on, entry["Actor"]], entry)
        if not entries:
            self.detail.setText("No changes recorded.")

    def _show_entry(self, item: QTreeWidgetItem | None, _previous: object) -> None:
        if item is None:
            self.detail.clear()
            return
        entry = item.data(0, ITEM_ROLE)
        parts = []
        for label in ("Before", "After"):
            if entry.get(label) is not None:
                text = json.dumps(entry[label], indent=2, sort_keys=True)
                parts.append(f"<b>{label}</b><pre>{_escape(text)}</pre>")
        self.detail.setText("".join(parts) or "No details.")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
