"""Settings, messages, crash dialog and background tasks, driven as the window uses them."""

from __future__ import annotations

import sys
import threading
import time

import pytest
import shiboken6
from PySide6.QtCore import QByteArray
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from iamdesk.ui import messages
from iamdesk.ui.context import AppContext
from iamdesk.ui.crash import CrashDialog, CrashHandler
from iamdesk.ui.settings import MAX_RECENT, Settings
from iamdesk.ui.workers import TaskRunner


def test_settings_round_trip_and_recent_files(tmp_path):
    settings = Settings(tmp_path / "s.ini")
    assert settings.recent_files() == []
    assert settings.window_geometry() is None
    settings.set_window_geometry(QByteArray(b"geom"))
    for i in range(MAX_RECENT + 3):
        settings.add_recent_file(tmp_path / f"f{i}.sqlite")
    settings.add_recent_file(tmp_path / "f4.sqlite")
    settings.sync()
    again = Settings(tmp_path / "s.ini")
    recent = again.recent_files()
    assert len(recent) == MAX_RECENT
    assert recent[0].name == "f4.sqlite"
    assert [p.name for p in recent].count("f4.sqlite") == 1
    assert recent[1].name == f"f{MAX_RECENT + 2}.sqlite"
    assert again.last_file() == (tmp_path / "f4.sqlite").resolve()
    assert bytes(again.window_geometry()) == b"geom"


def test_single_recent_file_survives_round_trip(tmp_path):
    settings = Settings(tmp_path / "s.ini")
    settings.add_recent_file(tmp_path / "only.sqlite")
    settings.sync()
    assert Settings(tmp_path / "s.ini").recent_files() == [(tmp_path / "only.sqlite").resolve()]


def test_context_rejects_unknown_kinds_and_signals_changes(qtbot):
    context = AppContext(account_id="111122223333")
    with qtbot.waitSignal(context.modelChanged) as blocker:
        context.notify("users", "groups")
    assert blocker.args == [{"users", "groups"}]
    with pytest.raises(ValueError, match="unknown model kinds"):
        context.notify("usrs")
    with qtbot.waitSignal(context.accountChanged) as switched:
        context.set_account("444455556666")
    assert switched.args == ["444455556666"]
    assert context.account_id == "444455556666"


def test_confirm_runs_callback_only_on_yes(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    answers: list[str] = []
    box = messages.confirm(parent, "Delete", "Delete alice?", lambda: answers.append("yes"))
    assert box.isVisible()  # open() returned: nothing blocked
    [cancel] = [b for b in box.buttons() if b.objectName() == "confirmNoButton"]
    cancel.click()
    assert answers == []
    box = messages.confirm(parent, "Delete", "Delete alice?", lambda: answers.append("yes"))
    [yes] = [b for b in box.buttons() if b.objectName() == "confirmYesButton"]
    yes.click()
    assert answers == ["yes"]


@pytest.mark.allow_ui_warnings
def test_bridge_carries_messages(qtbot):
    with qtbot.waitSignal(messages.bridge().message) as blocker:
        messages.warning("disk is full")
    assert blocker.args == ["warning", "disk is full"]


@pytest.mark.allow_ui_warnings
def test_crash_handler_shows_traceback_and_copies(qtbot, caplog):
    handler = CrashHandler()
    handler.install()
    try:
        assert sys.excepthook == handler.handle
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError as exc:
            handler.handle(type(exc), exc, exc.__traceback__)
    finally:
        handler.uninstall()
    assert sys.excepthook != handler.handle
    [dialog] = handler.dialogs
    qtbot.addWidget(dialog)
    assert isinstance(dialog, CrashDialog)
    assert "RuntimeError: boom in a slot" in dialog.details.toPlainText()
    assert "test_crash_handler_shows_traceback_and_copies" in dialog.report
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.report
    assert any("unexpected error" in r.message for r in caplog.records)


def test_task_reports_progress_and_result_on_gui_thread(qtbot):
    runner = TaskRunner()
    progress: list[tuple[int, int, str]] = []
    results: list[object] = []

    def work(control):
        for i in range(3):
            control.progress(i + 1, 3, f"step {i + 1}")
        return {"sum": 6}

    runner.start(work, on_done=results.append, on_progress=lambda *a: progress.append(a))
    qtbot.waitUntil(lambda: results == [{"sum": 6}])
    assert progress == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]
    qtbot.waitUntil(lambda: runner.running == 0)


def test_a_task_that_outlives_its_view_reports_to_nobody(qtbot):
    """A view closed while its task runs (a window closed during the dashboard's best-practice
    check): the answer arrives after the view is gone and must not touch it."""
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    runner = TaskRunner(label)
    release = threading.Event()
    shown: list[str] = []

    def show(text: str) -> None:
        label.setText(text)  # raises once the label is deleted
        shown.append(text)

    runner.start(lambda _control: release.wait(10) and "done", on_done=show)
    label.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(label))
    release.set()
    assert QThreadPool.globalInstance().waitForDone(10000)
    qtbot.wait(50)  # the finished signal is delivered on the GUI thread
    assert shown == []


@pytest.mark.allow_ui_warnings
def test_task_cancel_and_failure(qtbot):
    runner = TaskRunner()
    outcome: list[str] = []

    def slow(control):
        for _ in range(500):
            control.check()
            time.sleep(0.01)
        return "finished"

    task = runner.start(
        slow, on_done=outcome.append, on_cancelled=lambda: outcome.append("cancelled")
    )
    task.cancel()
    qtbot.waitUntil(lambda: outcome == ["cancelled"], timeout=5000)

    errors: list[BaseException] = []

    def broken(control):
        raise ValueError("bad input in row 3")

    runner.start(broken, on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1)
    assert str(errors[0]) == "bad input in row 3"


@pytest.mark.qt_no_exception_capture
@pytest.mark.allow_ui_warnings
def test_exception_in_a_slot_reaches_the_crash_dialog(qtbot):
    from PySide6.QtCore import QTimer

    handler = CrashHandler()
    handler.install()
    try:

        def broken_slot() -> None:
            raise RuntimeError("boom in a slot")

        QTimer.singleShot(0, broken_slot)
        qtbot.waitUntil(lambda: len(handler.dialogs) == 1)
    finally:
        handler.uninstall()
    dialog = handler.dialogs[0]
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    assert "RuntimeError: boom in a slot" in dialog.details.toPlainText()
