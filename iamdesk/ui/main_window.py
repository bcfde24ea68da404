"""The main window: navigation, the account switcher, the views, menus and the status bar."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

# No ``Qt`` namespace here: importing it builds ~100 enums (20 ms) before the first paint.
from PySide6.QtCore import QEvent, QObject, QSize, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QToolBar,
    QUndoView,
    QWidget,
)

from iamdesk.ui import messages
from iamdesk.ui.context import AppContext
from iamdesk.ui.icons import app_icon, icon
from iamdesk.ui.model_watcher import ModelWatcher
from iamdesk.ui.settings import Settings
from iamdesk.ui.views import VIEWS, ViewSpec, build_view, spec_named
from iamdesk.ui.workers import Task, TaskRunner

if TYPE_CHECKING:
    from iamdesk.ui.file_actions import FileActions

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """``firstPainted`` fires once, on the event-loop turn after the window first painted: the
    app opens the model file then, so the user sees a window at once."""

    firstPainted = Signal()
    _painted = False

    def __init__(self, context: AppContext, settings: Settings) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.installEventFilter(self)
        self._pending_shortcuts: list[tuple[QAction, tuple[str | QKeySequence.StandardKey, ...]]]
        self._pending_shortcuts = []
        self._shortcuts_applied = False
        self.firstPainted.connect(self.apply_shortcuts)
        self.context = context
        self.settings = settings
        self.tasks = TaskRunner(self)
        self.views: dict[str, QWidget] = {}
        self._close_confirmed = False
        self._current_task: Task | None = None
        self.setWindowIcon(app_icon())

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setIconSize(QSize(20, 20))
        self.navigation.setSpacing(1)
        self.navigation.setFixedWidth(176)
        self.navigation.setFrameShape(QListWidget.Shape.NoFrame)
        for spec in VIEWS:
            item = QListWidgetItem(icon(spec.icon), spec.label)
            item.setToolTip(f"{spec.label} ({spec.shortcut})")
            self.navigation.addItem(item)
        self.stack = QStackedWidget()
        self.stack.setObjectName("viewStack")
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.navigation)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_toolbar()
        self._build_status_bar()
        self.file_actions: FileActions | None = None
        self._build_menus()

        self.navigation.currentRowChanged.connect(self._on_navigate)
        context.accountChanged.connect(self._on_account_changed)
        context.databaseChanged.connect(self._on_database_changed)
        context.modelChanged.connect(self._on_model_changed)
        context.undo_stack.indexChanged.connect(self._on_undo_index)
        messages.bridge().message.connect(self.show_message)
        self.reload_accounts()
        self.update_title()
        self.resize(1280, 800)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Installed on itself until the first paint, then removed: later events do not pass
        # through Python at all.
        if watched is self and event.type() == QEvent.Type.Paint:
            self.removeEventFilter(self)
            self._painted = True
            QTimer.singleShot(0, self.firstPainted.emit)
        return False

    def _add_appearance_menu(self, view_menu: QMenu) -> None:
        from iamdesk.ui import appearance

        sub = view_menu.addMenu("&Appearance")
        sub.setObjectName("appearanceMenu")
        group = QActionGroup(self)
        chosen = self.settings.appearance()
        for mode in appearance.MODES:
            action = QAction(appearance.LABELS[mode], self)
            action.setObjectName(f"appearance{mode.title()}Action")
            action.setCheckable(True)
            action.setChecked(mode == chosen)
            action.triggered.connect(lambda _c=False, m=mode: self.set_appearance(m))
            group.addAction(action)
            sub.addAction(action)

    def set_appearance(self, mode: str) -> None:
        """Show the app in ``mode`` ("system", "light" or "dark") now and at the next start."""
        from iamdesk.ui import appearance

        app = QApplication.instance()
        assert isinstance(app, QApplication)
        appearance.apply(app, mode)
        self.settings.set_appearance(mode)

    def bind(self, action: QAction, *keys: str | QKeySequence.StandardKey) -> None:
        """Give ``action`` its shortcuts once the window has painted: the first shortcut set
        makes PySide build the ``Qt`` namespace's enums (about 40 ms), which the first paint
        does not need."""
        if self._shortcuts_applied:
            action.setShortcuts(_distinct(keys))
        else:
            self._pending_shortcuts.append((action, keys))

    def apply_shortcuts(self) -> None:
        if self._shortcuts_applied:
            return
        self._shortcuts_applied = True
        for action, keys in self._pending_shortcuts:
            action.setShortcuts(_distinct(keys))
        self._pending_shortcuts.clear()

    # Building ------------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = QToolBar("Main")
        bar.setObjectName("mainToolBar")
        bar.setMovable(False)
        bar.setIconSize(QSize(18, 18))
        undo = self.context.undo_stack.createUndoAction(self, "&Undo")
        self.bind(undo, QKeySequence.StandardKey.Undo)
        undo.setIcon(icon("undo"))
        undo.setObjectName("undoAction")
        redo = self.context.undo_stack.createRedoAction(self, "&Redo")
        # Both common redo keys, each bound once (the platform's Redo is one of them, and a key
        # bound twice is ambiguous: Qt fires neither).
        self.bind(redo, "Ctrl+Shift+Z", "Ctrl+Y")
        redo.setIcon(icon("redo"))
        redo.setObjectName("redoAction")
        self.undo_action, self.redo_action = undo, redo
        bar.addAction(undo)
        bar.addAction(redo)
        bar.addSeparator()
        label = QLabel(" Account ")
        bar.addWidget(label)
        self.account_switcher = QComboBox()
        self.account_switcher.setObjectName("accountSwitcher")
        self.account_switcher.setMinimumWidth(300)
        self.account_switcher.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.account_switcher.activated.connect(self._on_account_chosen)
        label.setBuddy(self.account_switcher)
        bar.addWidget(self.account_switcher)
        self.addToolBar(bar)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        status.setObjectName("statusBar")
        self.progress = QProgressBar()
        self.progress.setObjectName("taskProgress")
        self.progress.setMaximumWidth(220)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("taskCancelButton")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_task)
        self.db_label = QLabel()
        self.db_label.setObjectName("databaseLabel")
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.cancel_button)
        status.addPermanentWidget(self.db_label)

    def _build_menus(self) -> None:
        from iamdesk.ui.file_actions import FileActions

        menu = self.menuBar()
        self.file_menu = menu.addMenu("&File")
        self.file_menu.setObjectName("fileMenu")
        self.file_actions = FileActions(self)
        self.model_watcher = ModelWatcher(self.context)
        self.file_actions.populate(self.file_menu)

        edit = menu.addMenu("&Edit")
        edit.setObjectName("editMenu")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        history = QAction("Undo &History", self)
        history.setObjectName("undoHistoryAction")
        self.bind(history, "Ctrl+H")
        history.triggered.connect(self.show_undo_history)
        edit.addAction(history)
        edit.addSeparator()
        find = QAction("&Filter", self)
        find.setObjectName("findAction")
        self.bind(find, QKeySequence.StandardKey.Find)
        find.triggered.connect(self.focus_filter)
        edit.addAction(find)
        search = QAction("&Search Everything…", self)
        search.setObjectName("searchAction")
        self.bind(search, "Ctrl+K")
        search.triggered.connect(self.show_search)
        edit.addAction(search)

        view_menu = menu.addMenu("&View")
        view_menu.setObjectName("viewMenu")
        for spec in VIEWS:
            action = QAction(icon(spec.icon), spec.label, self)
            self.bind(action, spec.shortcut)
            action.triggered.connect(lambda _c=False, n=spec.name: self.show_view(n))
            view_menu.addAction(action)
        view_menu.addSeparator()
        refresh = QAction(icon("refresh"), "&Refresh", self)
        self.bind(refresh, "Ctrl+R")  # F5 runs the test-access panel
        refresh.triggered.connect(lambda: self.context.notify(*_ALL_KINDS))
        view_menu.addAction(refresh)
        view_menu.addSeparator()
        self._add_appearance_menu(view_menu)

        help_menu = menu.addMenu("&Help")
        help_menu.setObjectName("helpMenu")
        shortcuts = QAction("&Keyboard Shortcuts", self)
        shortcuts.setObjectName("shortcutsAction")
        self.bind(shortcuts, "F1")
        shortcuts.triggered.connect(self.show_shortcuts)
        help_menu.addAction(shortcuts)
        about = QAction("&About iamdesk", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    # Views ---------------------------------------------------------------------------------
    def show_view(self, name: str) -> QWidget:
        spec = spec_named(name)
        row = [s.name for s in VIEWS].index(name)
        if self.navigation.currentRow() != row:
            self.navigation.setCurrentRow(row)
        widget = self.views.get(spec.name)
        if widget is None or self.stack.currentWidget() is not widget:
            self._on_navigate(row, explicit=True)
        return self.views[spec.name]

    def current_view_name(self) -> str:
        row = self.navigation.currentRow()
        return VIEWS[row].name if row >= 0 else ""

    def _on_navigate(self, row: int, *, explicit: bool = False) -> None:
        # Before the first paint only an explicit request builds a view (focus moving into the
        # navigation list would otherwise build the first view and delay the window).
        if row < 0 or not (explicit or self._painted):
            return
        spec = VIEWS[row]
        widget = self._ensure_view(spec)
        self.stack.setCurrentWidget(widget)
        self.settings.set_last_view(spec.name)

    def _ensure_view(self, spec: ViewSpec) -> QWidget:
        widget = self.views.get(spec.name)
        if widget is None:
            widget = build_view(spec, self.context, self.stack)
            restore = getattr(widget, "restore_state", None)
            if restore is not None:
                restore(self.settings)
            navigate = getattr(widget, "navigateRequested", None)
            if navigate is not None:
                navigate.connect(self._on_navigate_request)
            unsaved = getattr(widget, "unsavedChanged", None)
            if unsaved is not None:
                unsaved.connect(self.update_title)
            self.views[spec.name] = widget
            self.stack.addWidget(widget)
        return widget

    def _on_navigate_request(self, view: str, key: str) -> None:
        """Show ``view`` and select ``key`` (an ARN, or ``name:NAME``)."""
        widget = self.show_view(view)
        if key.startswith("name:"):
            by_name = getattr(widget, "select_name", None)
            if by_name is not None:
                by_name(key.removeprefix("name:"))
            return
        select = getattr(widget, "select_key", None)
        if select is not None and key:
            select(key)
        # The keyboard follows: a dialog that asked for this (search, a row menu) has closed,
        # and without a focus widget the window's shortcuts would not answer.
        self.activateWindow()
        table = getattr(widget, "table", None)
        if table is not None and hasattr(table, "setFocus"):
            table.setFocus()

    def focus_filter(self) -> None:
        widget = self.stack.currentWidget()
        focus = getattr(widget, "focus_filter", None)
        if focus is not None:
            focus()

    # Accounts ------------------------------------------------------------------------------
    def reload_accounts(self) -> None:
        self.account_switcher.clear()
        if self.context.database is None:
            return  # before a file is open: no database layer imported yet (start-up speed)
        from iamdesk.services.queries.accounts import list_accounts

        for account in list_accounts(self.context.database):
            label = account["AccountId"]
            name = account.get("Alias") or account.get("Name")
            if name:
                label = f"{name} ({account['AccountId']})"
            self.account_switcher.addItem(icon("account"), label, account["AccountId"])
        index = self.account_switcher.findData(self.context.account_id)
        self.account_switcher.setCurrentIndex(max(index, 0))

    def _on_database_changed(self, _path: object) -> None:
        self.reload_accounts()
        self.update_title()

    def _on_undo_index(self, _index: int) -> None:
        self.update_title()

    def _on_account_chosen(self, index: int) -> None:
        account_id = self.account_switcher.itemData(index)
        if account_id:
            self.context.set_account(str(account_id))

    def _on_account_changed(self, account_id: str) -> None:
        index = self.account_switcher.findData(account_id)
        if index >= 0 and index != self.account_switcher.currentIndex():
            self.account_switcher.setCurrentIndex(index)
        self.update_title()

    def _on_model_changed(self, kinds: set[str]) -> None:
        if "account" in kinds or "organization" in kinds:
            self.reload_accounts()
            self.update_title()

    def update_title(self) -> None:
        path = self.context.db_path
        database = self.context.database
        file_name = path.name if path is not None else "no file"
        where = str(path) if path is not None else ""
        if database is not None and database.path is None:  # a server: its URL, no password
            file_name = where = database.location
        if database is not None and database.read_only:
            file_name += " (read-only)"
            where += " — read-only: this role may not change the model"
        account = self.account_switcher.currentText() or self.context.account_id
        # "[*]" shows as "*" while an editor holds unsaved edits.
        self.setWindowTitle(f"{file_name}[*] — {account} — iamdesk")
        self.setWindowModified(bool(self.unsaved_edits()))
        self.db_label.setText(where)

    # Messages, tasks -----------------------------------------------------------------------
    def show_message(self, level: str, text: str) -> None:
        self.statusBar().showMessage(text, 8000 if level == "info" else 15000)
        if level == "error":
            messages.show_error(self, "iamdesk", text)

    def track_task(self, task: Task, label: str) -> None:
        """Show the task's progress in the status bar with a Cancel button until it ends."""
        self._current_task = task
        self.progress.setRange(0, 0)
        self.progress.setFormat(f"{label} %p%")
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.statusBar().showMessage(label)

        shown = {label, "Cancelling…"}  # what this task put in the status bar

        def on_progress(done: int, total: int, text: str) -> None:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)
            if text:
                shown.add(text)
                self.statusBar().showMessage(text)

        def on_end(*_args: object) -> None:
            # A stage ("Import: writing") must not outlive the task; a result message the
            # task's own handler showed just before this stays.
            if self.statusBar().currentMessage() in shown:
                self.statusBar().clearMessage()
            if self._current_task is task:
                self._current_task = None
                self.progress.setVisible(False)
                self.cancel_button.setVisible(False)

        task.signals.progress.connect(on_progress)
        for signal in (task.signals.finished, task.signals.failed, task.signals.cancelled):
            signal.connect(on_end)
        if task.ended:
            # It reported back before these connections existed (a bad file fails at once):
            # end the tracking after the task's own handlers, already queued, have run.
            QTimer.singleShot(0, on_end)

    def cancel_task(self) -> None:
        if self._current_task is not None:
            self._current_task.cancel()
            self.statusBar().showMessage("Cancelling…")

    # Dialogs -------------------------------------------------------------------------------
    def show_undo_history(self) -> None:
        view = self.findChild(QUndoView, "undoHistory")
        if view is None:
            view = QUndoView(self.context.undo_stack)
            view.setObjectName("undoHistory")
            view.setEmptyLabel("<opened file>")
            view.setWindowTitle("Undo history")
            from PySide6.QtCore import Qt

            view.setParent(self, Qt.WindowType.Tool)
            view.resize(360, 420)
        view.show()
        view.raise_()

    def show_search(self) -> QWidget:
        """Ctrl+K: search every entity and policy of the account; a hit opens in its view."""
        from PySide6.QtCore import Qt

        from iamdesk.ui.dialogs.search_dialog import SearchDialog

        dialog = SearchDialog(self.context, self)
        dialog.openRequested.connect(self._on_navigate_request)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_shortcuts(self) -> None:
        from iamdesk.ui.dialogs.shortcuts import ShortcutsDialog

        self.apply_shortcuts()
        ShortcutsDialog(self).open()

    def show_about(self) -> None:
        from iamdesk import __version__

        messages.message_box(
            self,
            "About iamdesk",
            f"iamdesk {__version__}",
            informative="An offline model of AWS IAM accounts: administration, policy "
            "debugging and training.",
            object_name="aboutBox",
        )

    # State ---------------------------------------------------------------------------------
    def restore_state(self, view: str | None = None, *, show_view: bool = True) -> None:
        geometry = self.settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        if show_view:
            self.show_initial_view(view)

    def show_initial_view(self, view: str | None) -> None:
        """``view``, else the view shown when the app was last closed."""
        name = view or self.settings.last_view()
        try:
            self.show_view(name)
        except ValueError:
            log.warning("unknown last view %r; showing the dashboard", name)
            self.show_view("dashboard")

    def save_state(self) -> None:
        self.settings.set_window_geometry(self.saveGeometry())
        self.settings.set_window_state(self.saveState())
        for widget in self.views.values():
            save = getattr(widget, "save_state", None)
            if save is not None:
                save(self.settings)
        self.settings.sync()

    def unsaved_edits(self) -> list[Any]:
        """Every edit typed and not saved: the views' detail tabs and open Edit policy dialogs."""
        edits: list[Any] = []
        for widget in getattr(self, "views", {}).values():
            edits += getattr(widget, "unsaved_edits", list)()
        # Asked on every title update: found by what they offer rather than by class, so the
        # editor (and the analysis it imports) loads only once the user opens one.
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible() and hasattr(dialog, "unsaved_edits"):
                edits += dialog.unsaved_edits()
        return edits

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window or Ctrl+Q: ask before unsaved edits are lost."""
        edits = [] if self._close_confirmed else self.unsaved_edits()
        if edits:
            event.ignore()
            from iamdesk.ui.unsaved import ask, asking

            if not asking(self):
                ask(self, edits, on_done=self._close_after_question)
            return
        self.save_state()
        self.tasks.cancel_all()
        self.model_watcher.close()  # a closed window stops polling its model
        super().closeEvent(event)

    def _close_after_question(self) -> None:
        self._close_confirmed = True
        self.close()


def _distinct(keys: tuple[str | QKeySequence.StandardKey, ...]) -> list[QKeySequence]:
    """Key sequences of ``keys`` (a standard key is the platform's first binding), each once: a
    key bound twice to one action is an ambiguous shortcut that Qt then refuses to fire."""
    found: dict[str, QKeySequence] = {}
    for key in keys:
        sequence = QKeySequence(key)
        found.setdefault(sequence.toString(), sequence)
    return [sequence for text, sequence in found.items() if text]


_ALL_KINDS = ("users", "groups", "roles", "policies", "account", "resources", "organization")
