"""Starting the application: the QApplication, the model file, the window.

The window paints before the model file is opened (the database layer's imports are the
slowest part of start-up), then the file opens on the first turn of the event loop.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from iamdesk.core.packaged import APP_ID
from iamdesk.ui import theme
from iamdesk.ui.context import AppContext
from iamdesk.ui.icons import app_icon
from iamdesk.ui.main_window import MainWindow
from iamdesk.ui.settings import Settings

log = logging.getLogger(__name__)


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName("iamdesk")
        QCoreApplication.setApplicationName("iamdesk")
        app = QApplication(sys.argv[:1])
        # Fusion draws the same everywhere and follows the system's light or dark scheme.
        app.setStyle("Fusion")
    assert isinstance(app, QApplication)
    theme.keep_links_readable(app)
    # The task switcher and Wayland match windows to the installed desktop entry by this name.
    QGuiApplication.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    return app


def choose_path(db: Path | None, demo: bool, *, interactive: bool) -> Path | None:
    """The file to open: ``--demo``, ``--db``/``IAMDESK_DB``, else the default file; on the
    very first start offer the demo or an empty account (None: the user closed the offer)."""
    from iamdesk.store.location import resolve_db_path
    from iamdesk.ui.opening import demo_database_path

    if demo:
        return demo_database_path()
    path = resolve_db_path(db)
    if isinstance(path, str) or path.exists() or db is not None:
        return path
    if not interactive:
        return demo_database_path()
    from iamdesk.ui.dialogs.first_run import DEMO, EMPTY, FirstRunDialog

    answer = FirstRunDialog(path).exec()
    if answer == DEMO:
        return demo_database_path()
    if answer == EMPTY:
        from iamdesk.store.db import StoreError, new_database

        try:
            new_database(path).close()
        except (FileExistsError, StoreError) as exc:
            log.warning("%s", exc)  # opening it next says what is wrong, in the window
        return path
    return None


class Application:
    """One window on one model file."""

    def __init__(self, settings: Settings | None = None, appearance: str | None = None) -> None:
        self.app = application()
        self.settings = settings or Settings()
        # ``appearance`` (the command line's) is for this run; the menu's choice is remembered.
        mode = appearance or self.settings.appearance()
        if mode != "system":
            from iamdesk.ui import appearance as modes

            modes.apply(self.app, mode)
        self.context = AppContext()
        self.window = MainWindow(self.context, self.settings)
        self.crash: Any = None

    def open(self, path: Path | str, account_id: str | None) -> bool:
        assert self.window.file_actions is not None
        if isinstance(path, str):  # a postgresql:// URL
            return self.window.file_actions.open_server_url(path, account_id)
        return self.window.file_actions.open_path(path, account_id)

    def start(self, path: Path, account_id: str | None, view: str | None) -> None:
        """Show the window at once; once it has painted, install the crash handler, open the
        file and build the view (the slow parts), on the next turns of the event loop."""
        self.window.restore_state(view, show_view=False)
        self.window.show()
        self.window.firstPainted.connect(lambda: self._after_paint(path, account_id, view))

    def _after_paint(self, path: Path, account_id: str | None, view: str | None) -> None:
        from iamdesk.ui.crash import CrashHandler

        self.crash = CrashHandler(lambda: self.window)
        self.crash.install()
        if not self.open(path, account_id):
            log.error("could not open %s", path)
        self.window.show_initial_view(view)


def run(
    *,
    db: Path | None,
    demo: bool,
    account_id: str | None,
    screenshot: Path | None,
    view: str | None,
    appearance: str | None = None,
) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if view is not None:
        from iamdesk.ui.views import VIEW_NAMES

        if view not in VIEW_NAMES:
            print(
                f"iamdesk: unknown view {view!r}; choose from {', '.join(VIEW_NAMES)}",
                file=sys.stderr,
            )
            return 2
    application()
    path = choose_path(db, demo, interactive=screenshot is None)
    if path is None:
        return 0
    if screenshot is not None:
        # A picture must not change the user's window state or recent files.
        scratch = Path(tempfile.gettempdir()) / f"iamdesk-screenshot-{os.getpid()}.ini"
        instance = Application(Settings(scratch), appearance)
        try:
            return _screenshot(instance, path, account_id, screenshot, view)
        finally:
            scratch.unlink(missing_ok=True)
    instance = Application(appearance=appearance)
    instance.start(path, account_id, view)
    return instance.app.exec()


SCREENSHOT_WAIT_S = 300
PNG_QUALITY = 80


def _settle(app: QApplication, shown: Any, seconds: float) -> bool:
    """Run the event loop until no background task runs and ``shown`` has its data (its
    ``loading`` is false), at most ``seconds``."""
    import time

    from PySide6.QtCore import QThreadPool

    pool = QThreadPool.globalInstance()
    deadline = time.monotonic() + seconds
    quiet = 0
    while time.monotonic() < deadline:
        app.processEvents()
        busy = pool.activeThreadCount() > 0 or bool(getattr(shown, "loading", False))
        # Idle twice in a row: a task that just finished has delivered its result and the
        # reload it caused (if any) has started.
        quiet = 0 if busy else quiet + 1
        if quiet >= 3:
            return True
        pool.waitForDone(20)
    return False


def _screenshot(
    instance: Application, path: Path, account_id: str | None, out: Path, view: str | None
) -> int:
    from iamdesk.ui.opening import OpenError, default_account, open_model_file

    try:
        database = open_model_file(path)
    except OpenError as exc:
        print(f"iamdesk: {exc}", file=sys.stderr)
        return 1
    place = None if isinstance(path, str) else path  # a server model has no file
    instance.context.set_database(database, place, default_account(database, account_id))
    window = instance.window
    window.resize(1440, 900)
    shown = window.show_view(view or "dashboard")
    window.show()
    # A picture shows the view's data, not "Loading…": views that read or compute off the GUI
    # thread (a large account's rows, the dashboard's best practices) finish first; then an
    # entity view shows a selected row with its details, as a user would.
    if not _settle(instance.app, shown, SCREENSHOT_WAIT_S):
        print(
            f"iamdesk: the {view or 'dashboard'} view was still loading after"
            f" {SCREENSHOT_WAIT_S} s; no picture was written",
            file=sys.stderr,
        )
        window.close()
        return 1
    select_first = getattr(shown, "select_first", None)
    if select_first is not None:
        select_first()
        _settle(instance.app, shown, SCREENSHOT_WAIT_S)
    # Qt's PNG quality 80 is zlib level 1: a third faster than the default level and, for a
    # window's flat colours, no larger.
    quality = PNG_QUALITY if out.suffix.lower() == ".png" else -1
    if not window.grab().save(str(out), None, quality):
        print(f"iamdesk: cannot write {out}", file=sys.stderr)
        return 1
    window.close()
    return 0
