"""The shape every entity view shares: a filterable, sortable table of one kind of entity over a
detail pane with tabs, as in the AWS console's IAM pages but side by side and denser.

A subclass names its columns, how to load rows from the services, and its detail tabs. Rows load
when the view is first shown and again when ``AppContext.modelChanged`` names one of the kinds
the view watches (only while visible; a hidden view reloads when shown). Detail tabs load only
when they are the current tab.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QItemSelection, QPoint, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from iamdesk.ui import theme
from iamdesk.ui.context import AppContext
from iamdesk.ui.fitting import FittingLabel, ScrollingTabs
from iamdesk.ui.icons import icon
from iamdesk.ui.models.table import Column, EntityTableModel, Row
from iamdesk.ui.settings import Settings
from iamdesk.ui.shortcuts import local_shortcut
from iamdesk.ui.views.lazy_table import LazyTableView
from iamdesk.ui.views.reloading import ReloadWhenShown
from iamdesk.ui.workers import TaskRunner

log = logging.getLogger(__name__)

BACKGROUND_ROWS = 5_000  # above this, rows load in a background task


class DetailTab(QWidget):
    """One tab of a detail pane; ``load`` fills it for the selected entity."""

    title = ""
    name = ""  # objectName suffix, e.g. "Permissions"

    def __init__(self, view: EntityView) -> None:
        super().__init__()
        self.view = view
        self.context = view.context
        self.key: str | None = None
        self.row: Row | None = None

    def load(self, key: str, row: Row) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        self.key = None
        self.row = None

    def unsaved_edits(self) -> list[Any]:
        """Edits typed in this tab and not saved yet (``iamdesk.ui.unsaved.UnsavedEdit``)."""
        return []


class EntityView(ReloadWhenShown, QWidget):
    kind = ""  # "users": objectName stem and the modelChanged kind that reloads it
    title = ""
    watches: frozenset[str] = frozenset()
    create_label = ""
    navigateRequested = Signal(str, str)  # view name, entity key
    unsavedChanged = Signal()  # a detail tab gained or lost unsaved edits

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName(f"{self.kind}View")
        self._dirty = True
        self._selected_key: str | None = None
        self._generation = 0
        self._loading: int | None = None  # the generation a background load will deliver
        self._filtering = False
        self._tasks = TaskRunner(self)

        self.heading = QLabel()
        self.heading.setObjectName(f"{self.kind}Heading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.filter = QLineEdit()
        self.filter.setObjectName(f"{self.kind}Filter")
        self.filter.setPlaceholderText("Filter by name, path, ARN or ID  (Ctrl+F)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter)
        self.count_label = QLabel()
        self.count_label.setObjectName(f"{self.kind}Count")
        top = QHBoxLayout()
        self.top = top
        top.addWidget(self.heading)
        top.addSpacing(12)
        top.addWidget(self.filter, 1)
        top.addWidget(self.count_label)
        self.buttons: dict[str, QPushButton] = {}
        for name, text, icon_name in self.toolbar_buttons():
            button = QPushButton(icon(icon_name), text)
            button.setObjectName(f"{self.kind}{name}Button")
            button.clicked.connect(getattr(self, f"on_{name.lower()}"))
            self.buttons[name] = button
            top.addWidget(button)

        self.model = EntityTableModel(self.columns(), self.row_key, self.search_text, self)
        self.table = LazyTableView()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setObjectName(f"{self.kind}Table")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, column in enumerate(self.model.columns):
            header.resizeSection(i, column.width or 140)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        # Right-click (or the Menu key / Shift+F10) on a row: what can be done with it.
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_context_menu)

        self.detail = QWidget()
        self.detail.setObjectName(f"{self.kind}Detail")
        # Name and ARN; narrow, the name alone (the ARN in its tooltip and the copy button).
        self.detail_title = FittingLabel()
        self.detail_title.setObjectName(f"{self.kind}DetailTitle")
        self.detail_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_title.setTextFormat(Qt.TextFormat.RichText)
        self.copy_arn = QToolButton()
        self.copy_arn.setObjectName(f"{self.kind}CopyArnButton")
        self.copy_arn.setIcon(icon("copy"))
        self.copy_arn.setToolTip("Copy the ARN")
        self.copy_arn.clicked.connect(self._copy_arn)
        self.tabs = ScrollingTabs()
        self.tabs.setObjectName(f"{self.kind}DetailTabs")
        self.tabs.setDocumentMode(True)
        self.detail_tabs: list[DetailTab] = []
        for tab_class in self.tab_classes():
            tab = tab_class(self)
            tab.setObjectName(f"{self.kind}{tab.name}Tab")
            page_layout = tab.layout()
            if page_layout is not None:
                # Less above and below than the style's 9 px: in a 650 px window the pane then
                # holds a policy editor without scrolling.
                margins = page_layout.contentsMargins()
                page_layout.setContentsMargins(margins.left(), 6, margins.right(), 4)
            self.detail_tabs.append(tab)
            self.tabs.addTab(tab, tab.title)
        self.tabs.currentChanged.connect(lambda _i: self._load_current_tab())
        title_row = QHBoxLayout()
        title_row.addWidget(self.detail_title, 1)
        title_row.addWidget(self.copy_arn)
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.setContentsMargins(0, 4, 0, 0)
        detail_layout.addLayout(title_row)
        detail_layout.addWidget(self.tabs, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName(f"{self.kind}Splitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([340, 460])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        # Keyboard: Escape clears the filter, Down from the filter enters the table, Enter opens
        # the details, Delete deletes the selected row (after the usual confirmation); each key
        # only where it is typed, so Down still walks the table's rows.
        local_shortcut(self.filter, "Escape", self.filter.clear)
        local_shortcut(self.filter, "Down", self.table.setFocus)
        local_shortcut(self.table, ("Return", "Enter"), self.enter_details)
        # Tab order: filter, table, then the detail pane (not back out to the navigation).
        QWidget.setTabOrder(self.filter, self.table)
        QWidget.setTabOrder(self.table, self.tabs.tabBar())
        if "Create" in self.buttons:
            # Ins anywhere in the view: what the Create button does.
            within = Qt.ShortcutContext.WidgetWithChildrenShortcut
            local_shortcut(self, "Ins", self.buttons["Create"].click, within)
        if "Delete" in self.buttons:
            delete = QKeySequence.StandardKey.Delete
            local_shortcut(self.table, delete, self.buttons["Delete"].click)
        self._update_heading()
        self._show_detail(None)
        context.modelChanged.connect(self._on_model_changed)
        context.accountChanged.connect(self._on_context_switched)
        context.databaseChanged.connect(self._on_context_switched)

    # To override ---------------------------------------------------------------------------
    def columns(self) -> Sequence[Column]:
        raise NotImplementedError

    def load_rows(self) -> list[Row]:
        raise NotImplementedError

    def tab_classes(self) -> Sequence[type[DetailTab]]:
        return ()

    def toolbar_buttons(self) -> Sequence[tuple[str, str, str]]:
        """(name, label, icon): each calls ``on_<name lower>``."""
        return ()

    def row_key(self, row: Row) -> str:
        return str(row.get("Arn", ""))

    def context_actions(self, row: Row) -> list[tuple[str, str, Callable[[], None]]]:
        """(text, objectName suffix, slot) for the row's context menu; views add their own."""
        found: list[tuple[str, str, Callable[[], None]]] = []
        if row.get("Arn"):
            found.append(("Copy ARN", "CopyArn", self._copy_arn))
        if "Edit" in self.buttons:
            found.append(("Edit…", "Edit", self.buttons["Edit"].click))
        if "Delete" in self.buttons:
            found.append(("Delete…", "Delete", self.buttons["Delete"].click))
        return found

    def context_menu(self) -> QMenu | None:
        """The selected row's menu (actions named ``<view><Name>Action``)."""
        row = self.selected_row()
        if row is None:
            return None
        menu = QMenu(self.table)
        menu.setObjectName(f"{self.kind}ContextMenu")
        for text, name, slot in self.context_actions(row):
            action = menu.addAction(text)
            action.setObjectName(f"{self.kind}{name}Action")
            action.triggered.connect(slot)
        return menu

    def _show_context_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        if index.isValid():
            self.table.setCurrentIndex(index)
        menu = self.context_menu()
        if menu is not None:
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.popup(self.table.viewport().mapToGlobal(position))

    def enter_details(self) -> None:
        """Enter on a row: the keyboard moves into the shown detail tab's first control."""
        tab = self.tabs.currentWidget()
        if tab is not None:
            for child in tab.findChildren(QWidget):
                policy = child.focusPolicy()
                if child.isVisible() and child.isEnabled() and policy & Qt.FocusPolicy.TabFocus:
                    child.setFocus(Qt.FocusReason.ShortcutFocusReason)
                    return
        self.tabs.tabBar().setFocus(Qt.FocusReason.ShortcutFocusReason)

    def open_tab(self, name: str) -> DetailTab | None:
        """Show the detail tab called ``name`` (its ``name`` attribute) and return it."""
        for tab in self.detail_tabs:
            if tab.name == name:
                self.tabs.setCurrentWidget(tab)
                return tab
        return None

    def row_name(self, row: Row) -> str:
        return self.row_key(row)

    def search_text(self, row: Row) -> str:
        return " ".join(str(v) for v in row.values() if isinstance(v, str))

    # Loading -------------------------------------------------------------------------------
    def _on_context_switched(self, _value: object) -> None:
        self._selected_key = None
        self.mark_dirty()

    def _on_model_changed(self, kinds: set[str]) -> None:
        if kinds & (self.watches | {self.kind}):
            self.mark_dirty()

    def reload(self) -> None:
        self._dirty = False
        self._generation += 1
        if self.context.database is None:
            self._apply_rows([], self._generation)
            return
        if self.row_count_hint() <= BACKGROUND_ROWS:
            self._apply_rows(self.load_rows(), self._generation)
            return
        # A large account: read the rows off the GUI thread so the window stays responsive;
        # the table keeps its old rows until the new ones arrive.
        generation = self._generation
        self.count_label.setText("Loading…")
        self._loading = generation
        self._tasks.start(
            lambda _control: self.load_rows(),
            name=f"load {self.kind}",
            on_done=lambda rows: self._apply_rows(rows, generation),
            on_error=lambda exc: self._load_failed(exc, generation),
        )

    @property
    def loading(self) -> bool:
        """Rows are being read in the background; the table still shows the old ones (a
        screenshot waits for this to turn false)."""
        return self._loading is not None

    def row_count_hint(self) -> int:
        """Roughly how many rows ``load_rows`` returns (0: load on the GUI thread)."""
        from iamdesk.services.queries.entities import entity_count

        return entity_count(self.context.database, self.context.account_id, self.kind)

    def _load_failed(self, exc: BaseException, generation: int) -> None:
        from iamdesk.ui import messages

        if generation == self._loading:
            self._loading = None
        messages.error(f"Could not load {self.title.lower()}: {messages.describe(exc)}")

    def _apply_rows(self, rows: list[Row], generation: int) -> None:
        if generation != self._generation:
            return  # a newer reload is on its way
        self._loading = None
        self.model.set_rows(rows)
        self._update_heading()
        if self._selected_key is not None and self.select_key(self._selected_key):
            self._show_detail(self._selected_key)
        else:
            self._show_detail(None)

    # Filter and selection ------------------------------------------------------------------
    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    def _on_filter(self, text: str) -> None:
        self._filtering = True  # the reset drops the selection; the detail pane stays
        try:
            self.model.set_filter(text)
        finally:
            self._filtering = False
        self._update_heading()
        # Keep the selection if its row is among the first loaded ones (cheap); the detail pane
        # keeps showing it either way.
        if self._selected_key is not None:
            pos = self.model.position_of(self._selected_key)
            if pos is not None and pos < self.model.rowCount():
                self.table.setCurrentIndex(self.model.index(pos, 0))

    def _update_heading(self) -> None:
        self.heading.setText(self.title)
        total, shown = self.model.total_count(), self.model.match_count()
        self.count_label.setText(
            f"{shown:,} of {total:,}" if self.model.filter_text else f"{total:,}"
        )

    def select_key(self, key: str) -> bool:
        """Select the row with ``key`` (clearing a filter that hides it); False if absent."""
        row = self.model.row_of_key(key)
        if row is None and self.model.filter_text:
            self.filter.clear()
            row = self.model.row_of_key(key)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        return True

    def select_name(self, name: str) -> bool:
        """Reload, then select the entity called ``name`` (after a create or rename)."""
        self.reload()
        for position in range(self.model.match_count()):
            if self.row_name(self.model.row_at(position)) == name:
                return self.select_key(self.model.key_at(position))
        return False

    def take_focus(self) -> None:
        """After a dialog closes: the keyboard is back on the table (Ctrl+Z, Del, arrows)."""
        self.activateWindow()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_naming(self, dialog: Any) -> None:
        """Open a dialog that creates or renames an entity (its ``name`` field holds the name);
        once accepted, the entity is selected under that name."""
        dialog.accepted.connect(lambda: self.select_name(dialog.name.text()))
        dialog.open()

    def select_first(self) -> None:
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.setCurrentIndex(self.model.index(0, 0))

    def selected_row(self) -> Row | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isSelected(index):
            rows = self.table.selectionModel().selectedRows()
            if not rows:
                return None
            index = rows[0]
        return self.model.row_at(index.row())

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self._filtering:
            return
        rows = self.table.selectionModel().selectedRows()
        key = self.model.key_at(rows[0].row()) if rows else None
        if key == self._selected_key and key is not None:
            return
        edits = self.unsaved_edits()
        if edits and self._selected_key is not None:
            # The edit belongs to the row still shown: put the selection back, then ask.
            self._reselect(self._selected_key)
            from iamdesk.ui.unsaved import ask

            ask(self, edits, on_done=lambda: self._move_to(key))
            return
        self._show_detail(key)

    def unsaved_edits(self) -> list[Any]:
        return [edit for tab in self.detail_tabs for edit in tab.unsaved_edits()]

    def _reselect(self, key: str) -> None:
        blocker = QSignalBlocker(self.table.selectionModel())
        position = self.model.row_of_key(key)
        if position is not None:
            self.table.setCurrentIndex(self.model.index(position, 0))
        del blocker
        self.table.viewport().update()

    def _move_to(self, key: str | None) -> None:
        """After the question: go where the user was going (the selection signal shows it)."""
        if key is None:
            self.table.clearSelection()
        else:
            self.select_key(key)

    def _show_detail(self, key: str | None) -> None:
        same = key == self._selected_key
        self._selected_key = key
        for tab in self.detail_tabs:
            if same and tab.unsaved_edits():
                continue  # a reload of the same row keeps what the user is typing
            tab.clear()
        row = None
        if key is not None:
            pos = self.model.row_of_key(key)
            row = self.model.row_at(pos) if pos is not None else None
        self.detail.setEnabled(row is not None)
        for name in self.buttons:
            if name != "Create":
                self.buttons[name].setEnabled(row is not None)
        if row is None:
            self.detail_title.setText(theme.muted("Select a row to see details"))
            self.copy_arn.setEnabled(False)
            return
        self.copy_arn.setEnabled(bool(row.get("Arn")))
        self.detail_title.set_variants(
            [self.detail_heading(row), f"<b style='font-size:13pt'>{self.row_name(row)}</b>"]
        )
        self._load_current_tab()

    def detail_heading(self, row: Row) -> str:
        arn = row.get("Arn", "")
        return f"<b style='font-size:13pt'>{self.row_name(row)}</b>&nbsp;&nbsp;<code>{arn}</code>"

    def _load_current_tab(self) -> None:
        tab = self.tabs.currentWidget()
        if not isinstance(tab, DetailTab) or self._selected_key is None:
            return
        pos = self.model.row_of_key(self._selected_key)
        if pos is None:
            return
        if tab.key != self._selected_key:
            tab.load(self._selected_key, self.model.row_at(pos))
            tab.key = self._selected_key

    def refresh_detail(self) -> None:
        """Reload the current tab (after a change made from the tab itself)."""
        for tab in self.detail_tabs:
            tab.key = None
        self._load_current_tab()

    def _copy_arn(self) -> None:
        row = self.selected_row()
        if row is not None and row.get("Arn"):
            QGuiApplication.clipboard().setText(str(row["Arn"]))

    # State ---------------------------------------------------------------------------------
    def restore_state(self, settings: Settings) -> None:
        header = settings.header_state(self.kind)
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        splitter = settings.splitter_state(self.kind)
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def save_state(self, settings: Settings) -> None:
        settings.set_header_state(self.kind, self.table.horizontalHeader().saveState())
        settings.set_splitter_state(self.kind, self.splitter.saveState())
