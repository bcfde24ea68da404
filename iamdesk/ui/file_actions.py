"""The File menu: new, open, recent files, save a copy, import, export, quit."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

# No ``Qt`` namespace at import: the window builds this menu before its first paint, and
# importing ``Qt`` builds ~100 enums (~15 ms; see main_window).
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from iamdesk.ui import messages
from iamdesk.ui.opening import OpenError, default_account, open_model_file
from iamdesk.ui.workers import TaskControl

if TYPE_CHECKING:
    from iamdesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)

MODEL_FILTER = "iamdesk models (*.iamdesk *.sqlite *.db);;All files (*)"
JSON_FILTER = "JSON documents (*.json);;All files (*)"


class FileActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.setObjectName("recentMenu")

    def _action(self, text: str, name: str, slot: Any, shortcut: Any = None) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        if shortcut is not None:
            self.window.bind(action, shortcut)
        action.triggered.connect(slot)
        return action

    def populate(self, menu: QMenu) -> None:
        menu.addAction(
            self._action("&New…", "newAction", self.new_file, QKeySequence.StandardKey.New)
        )
        menu.addAction(
            self._action("&Open…", "openAction", self.open_file, QKeySequence.StandardKey.Open)
        )
        menu.addAction(self._action("Open &Server Model…", "openServerAction", self.open_server))
        menu.addMenu(self.recent_menu)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        menu.addAction(
            self._action("Save a &Copy…", "saveCopyAction", self.save_copy, "Ctrl+Shift+S")
        )
        menu.addSeparator()
        menu.addAction(
            self._action("&Import Authorization Details…", "importAction", self.import_details)
        )
        menu.addAction(self._action("&Export…", "exportAction", self.export_details))
        menu.addSeparator()
        menu.addAction(
            self._action("&Quit", "quitAction", self.window.close, QKeySequence.StandardKey.Quit)
        )

    # Files ---------------------------------------------------------------------------------
    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.window.settings.recent_files()
        for path in recent:
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda _c=False, p=path: self.open_path(p))
        if not recent:
            self.recent_menu.addAction("(none)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            clear = self.recent_menu.addAction("Clear list")
            clear.triggered.connect(self.window.settings.clear_recent_files)

    def new_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self.window, "New model file", "iamdesk.sqlite", MODEL_FILTER
        )
        if path:
            self.open_path(Path(path), new=True)

    def open_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self.window, "Open model file", "", MODEL_FILTER)
        if path:
            self.open_path(Path(path))

    def open_server(self) -> None:
        from iamdesk.ui.dialogs.server_dialog import ServerModelDialog

        dialog = ServerModelDialog(self.window)
        if dialog.exec() and dialog.database is not None:
            self.use_server_model(dialog.database)

    def open_server_url(self, url: str, account_id: str | None = None) -> bool:
        """Open the server model ``url`` (``--db``/``IAMDESK_DB``); when the server wants a
        password libpq could not find, ask for it in the Open Server Model dialog."""
        from iamdesk.store.db import StoreError, open_database
        from iamdesk.ui.dialogs.server_dialog import ServerModelDialog

        try:
            database = open_database(url)
        except StoreError as exc:
            if "password" not in str(exc):
                messages.show_error(self.window, "Cannot open the server model", str(exc))
                return False
            dialog = ServerModelDialog(self.window, url)
            dialog.show_error(str(exc))
            if not dialog.exec() or dialog.database is None:
                return False
            database = dialog.database
        self.use_server_model(database, account_id)
        return True

    def use_server_model(self, database: Any, account_id: str | None = None) -> None:
        """Show the server model ``database`` in this window (not added to recent files: the
        URL may carry a user name someone else should not see)."""
        context = self.window.context
        context.set_database(database, None, default_account(database, account_id))
        self.window.update_title()
        if database.read_only:
            messages.info(f"Opened {database.location} read-only: this role may not change it")
        else:
            messages.info(f"Opened {database.location}")

    def open_path(self, path: Path, account_id: str | None = None, *, new: bool = False) -> bool:
        """Open ``path`` in this window (``new``: create it; an existing file is refused); on
        failure say why and keep the current file."""
        try:
            database = open_model_file(path, new=new)
        except OpenError as exc:
            title = "New model file" if new else "Cannot open file"
            messages.show_error(self.window, title, str(exc))
            return False
        context = self.window.context
        context.set_database(database, path, default_account(database, account_id))
        self.window.settings.add_recent_file(path)
        self.window.update_title()
        messages.info(f"Opened {path}")
        return True

    def save_copy(self) -> None:
        source = self.window.context.db_path
        database = self.window.context.database
        if database is None:
            return
        from PySide6.QtWidgets import QFileDialog

        stem = source.stem if source is not None else "server-model"
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Save a copy", f"{stem}-copy.sqlite", MODEL_FILTER
        )
        if path:
            self.copy_to(Path(path))

    def copy_to(self, target: Path) -> None:
        from iamdesk.services.queries.files import copy_database

        database = self.window.context.database
        if database.path is None:  # a server model: copied row by row into a new file
            self._run(
                lambda control: _copy_server_model(database, target),
                "Saving a copy",
                lambda _r: messages.info(f"Saved a copy as {target}"),
            )
            return
        if target.resolve() == Path(database.path).resolve():
            messages.show_error(
                self.window, "Save a copy", "Choose a file other than the open one."
            )
            return
        self._run(
            lambda control: copy_database(database, target),
            "Saving a copy",
            lambda _r: messages.info(f"Saved a copy as {target}"),
        )

    # Import / export -----------------------------------------------------------------------
    def import_details(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self.window, "Import authorization details", "", JSON_FILTER
        )
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> None:
        """Import ``path``: read and checked off the GUI thread; an account the model already
        has asks first (replace it, or show the differences); the import is one undo step."""
        from iamdesk.services.refresh import accounts_present, read_file

        database = self.window.context.database

        def work(control: TaskControl) -> Any:
            # Bytes, as the command line reads them: the same files (a BOM, bad UTF-8) give
            # the same result and the same error, through the same service.
            source = path.read_bytes()
            control.progress(0, 0, "Import: reading")
            plan, text = read_file(source)
            control.check()
            return plan, text, accounts_present(database, plan.accounts)

        def checked(result: Any) -> None:
            plan, text, present = result
            if not present:
                self._import(path, (plan, text), replace=False)
                return
            from iamdesk.ui.dialogs.import_dialogs import ask_replace

            ask_replace(
                self.window,
                path.name,
                present,
                lambda: self._import(path, (plan, text), replace=True),
                lambda: self.show_differences(path, (plan, text)),
            )

        self._run(work, f"Importing {path.name}", checked)

    def show_differences(self, path: Path, read: Any) -> None:
        """The differences a replacement would make (computed off the GUI thread), then the
        dialog that applies or cancels it."""
        from iamdesk.services.refresh.differences import differences

        database = self.window.context.database

        def shown(found: Any) -> None:
            from PySide6.QtCore import Qt

            from iamdesk.ui.dialogs.import_dialogs import DifferencesDialog

            dialog = DifferencesDialog(self.window, path.name, found)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.accepted.connect(lambda: self._import(path, read, replace=True))
            dialog.open()

        self._run(lambda control: differences(database, read[0]), f"Comparing {path.name}", shown)

    def _import(self, path: Path, read: Any, *, replace: bool) -> None:
        from iamdesk.services.refresh import import_file
        from iamdesk.ui.commands.importing import ImportCommand

        database = self.window.context.database
        context = self.window.context

        def work(control: TaskControl) -> Any:
            control.check()
            return import_file(
                database,
                read,
                replace=replace,
                progress=lambda stage: control.progress(0, 0, f"Import: {stage}"),
            )

        def done(outcome: Any) -> None:
            accounts = ", ".join(outcome.summary.accounts)
            text = (
                f"Replace account {accounts} from {path.name}" if replace else f"Import {path.name}"
            )
            command = ImportCommand(context, text, outcome, self._run_step, self._hold_stack)
            context.undo_stack.push(command)
            context.notify("users", "groups", "roles", "policies", "account", "organization")
            sentence = import_sentence(path.name, outcome.summary)
            if replace:
                sentence = sentence.replace("Imported", "Replaced with", 1)
            messages.info(f"{sentence} Ctrl+Z undoes it.")

        label = f"Replacing from {path.name}" if replace else f"Importing {path.name}"
        self._run(work, label, done)

    def _run_step(self, work: Any, label: str, done: Any, failed: Any) -> None:
        """An undo or redo of an import: on the thread pool, tracked, not cancellable midway."""
        task = self.window.tasks.start(work, name=label, on_done=done, on_error=failed)
        self.window.track_task(task, label)

    def _hold_stack(self, hold: bool) -> None:
        stack = self.window.context.undo_stack
        self.window.undo_action.setEnabled(not hold and stack.canUndo())
        self.window.redo_action.setEnabled(not hold and stack.canRedo())

    def export_details(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export authorization details", "authorization-details.json", JSON_FILTER
        )
        if path:
            self.export_path(Path(path))

    def export_path(self, path: Path) -> None:
        from iamdesk.services import importexport

        database = self.window.context.database
        account_id = self.window.context.account_id
        exporter = getattr(importexport, "export_authorization_details", None)
        if exporter is None:
            messages.show_error(self.window, "Export", "Export is not available in this build.")
            return

        def work(control: TaskControl) -> None:
            import json
            import shutil

            document = exporter(database, account_id=account_id)
            control.check()
            tmp = path.with_suffix(path.suffix + ".part")
            tmp.write_text(json.dumps(document, indent=4, default=str), encoding="utf-8")
            shutil.move(tmp, path)

        self._run(work, f"Exporting to {path.name}", lambda _r: messages.info(f"Exported {path}"))

    def _run(self, work: Any, label: str, done: Any) -> None:
        def failed(exc: BaseException) -> None:
            messages.show_error(self.window, label, f"{label} failed: {exc}")

        task = self.window.tasks.start(
            work,
            name=label,
            on_done=done,
            on_error=failed,
            on_cancelled=lambda: messages.info(f"{label}: cancelled"),
        )
        self.window.track_task(task, label)


def import_sentence(file_name: str, summary: Any) -> str:
    """The import's result as a person reads it: "Imported 44 users, 78 roles and 3 policies
    from f.json into account 1234…", naming only what the file added."""
    from iamdesk.ui.views.deleting import plural

    counts = [
        (summary.users, "user"),
        (summary.groups, "group"),
        (summary.roles, "role"),
        (summary.policies, "policy"),
        (summary.aws_managed_policies, "AWS managed policy"),
        (summary.instance_profiles, "instance profile"),
    ]
    parts = [plural(count, word) for count, word in counts if count]
    what = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)
    accounts = summary.accounts
    noun = "account" if len(accounts) == 1 else "accounts"
    where = f" into {noun} {', '.join(accounts)}" if accounts else ""
    return f"Imported {what or 'nothing new'} from {file_name}{where}."


def _copy_server_model(database: Any, target: Path) -> Path:
    """The server model ``database`` into the new file ``target`` (``iamdesk db copy``)."""
    from iamdesk.store.copy import copy_model
    from iamdesk.store.db import new_database
    from iamdesk.store.sqlite_files import remove

    copy = new_database(target)
    try:
        copy_model(database, copy)
    except BaseException:
        copy.close()
        remove(target)
        raise
    copy.close()
    return target
