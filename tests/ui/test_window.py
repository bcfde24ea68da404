"""The window shell: navigation, title, files, first run, bad files, screenshots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QListWidget, QMessageBox

from iamdesk.ui.dialogs.first_run import DEMO, EMPTY, FirstRunDialog
from iamdesk.ui.views import VIEW_NAMES

ROOT = Path(__file__).resolve().parents[2]


def test_navigation_builds_views_on_first_show(window):
    nav = window.findChild(QListWidget, "navigation")
    assert [nav.item(i).text() for i in range(nav.count())][:3] == ["Dashboard", "Users", "Groups"]
    assert window.views == {}
    window.show_view("roles")
    assert set(window.views) == {"roles"}
    assert window.stack.currentWidget() is window.views["roles"]
    assert nav.currentItem().text() == "Roles"
    assert window.settings.last_view() == "roles"


def test_title_names_file_and_account(window, db_path):
    assert db_path.name in window.windowTitle()
    assert "123456789012" in window.windowTitle()


def test_open_bad_file_explains_and_keeps_current(window, tmp_path, qtbot):
    bad = tmp_path / "notes.sqlite"
    bad.write_bytes(b"this is not sqlite at all")
    before = window.context.database
    assert not window.file_actions.open_path(bad)
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and "not an iamdesk database" in box.text()
    assert bad.read_bytes() == b"this is not sqlite at all"
    assert window.context.database is before
    box.close()


def test_open_newer_schema_refused(window, tmp_path):
    import sqlite3

    newer = tmp_path / "newer.sqlite"
    from iamdesk.store.db import open_database

    open_database(newer).close()
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE schema_version SET version = 999")
    data = newer.read_bytes()
    assert not window.file_actions.open_path(newer)
    box = window.findChild(QMessageBox, "errorBox")
    assert "newer iamdesk" in box.text()
    assert newer.read_bytes() == data


def test_open_other_file_switches_and_records_recent(window, tmp_path):
    other = tmp_path / "other.sqlite"
    assert window.file_actions.open_path(other, new=True)
    assert window.context.db_path == other
    assert "other.sqlite" in window.windowTitle()
    assert window.settings.recent_files()[0] == other.resolve()


def test_open_never_creates_and_new_never_replaces(window, tmp_path):
    """Open on a name that does not exist says so and creates nothing; New creates the file,
    and New on an existing file refuses it unchanged (issue 8, item 3)."""
    missing = tmp_path / "typo" / "model.sqlite"
    before = window.context.database
    assert not window.file_actions.open_path(missing)
    box = window.findChild(QMessageBox, "errorBox")
    assert "does not exist" in box.text()
    box.close()
    assert not (tmp_path / "typo").exists() and window.context.database is before
    made = tmp_path / "made.sqlite"
    assert window.file_actions.open_path(made, new=True)
    assert window.context.db_path == made
    taken = tmp_path / "taken.sqlite"
    taken.write_bytes(b"keep")
    assert not window.file_actions.open_path(taken, new=True)
    assert "already exists" in window.findChildren(QMessageBox, "errorBox")[-1].text()
    assert taken.read_bytes() == b"keep" and window.context.db_path == made


def test_save_a_copy_writes_a_readable_model(window, tmp_path, qtbot):
    target = tmp_path / "copy.sqlite"
    window.file_actions.copy_to(target)
    qtbot.waitUntil(target.exists, timeout=5000)
    from iamdesk.services.queries.accounts import list_accounts
    from iamdesk.store.db import open_database

    with open_database(target) as copy:
        assert [a["AccountId"] for a in list_accounts(copy)] == ["123456789012"]


def test_first_run_dialog_offers_demo_and_empty(qtbot, tmp_path):
    dialog = FirstRunDialog(tmp_path / "where.sqlite")
    qtbot.addWidget(dialog)
    dialog.open()
    assert str(tmp_path / "where.sqlite") in dialog.findChild(QLabel, "firstRunPath").text()
    dialog.empty_button.click()
    assert dialog.result() == EMPTY
    dialog.open()
    dialog.demo_button.click()
    assert dialog.result() == DEMO


def test_state_persists_between_windows(window, context, settings, qtbot):
    from iamdesk.ui.main_window import MainWindow

    window.resize(1000, 700)
    window.show_view("groups")
    window.save_state()
    second = MainWindow(context, settings)
    qtbot.addWidget(second)
    second.restore_state()
    assert second.current_view_name() == "groups"


def test_screenshot_command_renders_png(tmp_path):
    from iamdesk.store.db import new_database

    new_database(tmp_path / "m.sqlite").close()
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "iamdesk",
            "--db",
            str(tmp_path / "m.sqlite"),
            "--screenshot",
            str(out),
            "--view",
            "users",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "cfg" / "iamdesk").exists()  # no settings written by a picture
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "iamdesk",
            "--db",
            str(tmp_path / "m.sqlite"),
            "--screenshot",
            str(out),
            "--view",
            "nope",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "unknown view 'nope'" in bad.stderr


def test_every_view_name_is_known():
    assert VIEW_NAMES == (
        "dashboard",
        "users",
        "groups",
        "roles",
        "policies",
        "resources",
        "organization",
        "test-access",
        "analysis",
    )


def test_start_paints_first_then_opens_the_file(qtbot, tmp_path, settings):
    from iamdesk.ui.app import Application

    instance = Application(settings)
    qtbot.addWidget(instance.window)
    path = tmp_path / "start.sqlite"
    from iamdesk.store.db import new_database

    new_database(path).close()
    instance.start(path, None, "users")
    assert instance.context.database is None  # nothing heavy before the first paint
    qtbot.waitUntil(lambda: instance.context.database is not None, timeout=30_000)
    try:
        assert instance.window.current_view_name() == "users"
        assert instance.context.db_path == path
        # Shortcuts are bound right after the first paint.
        assert instance.window.undo_action.shortcut().toString() == "Ctrl+Z"
        assert instance.window.findChild(QAction, "openAction").shortcut().toString() == "Ctrl+O"
        assert sys.excepthook == instance.crash.handle
    finally:
        instance.crash.uninstall()
        instance.context.database.close()


def test_navigation_before_first_paint_builds_nothing_until_asked(window):
    window.navigation.setCurrentRow(0)  # what focus entering the list does before the paint
    assert window.views == {}
    dashboard = window.show_view("dashboard")
    assert window.stack.currentWidget() is dashboard


def test_screenshot_of_a_corrupt_file_explains_and_leaves_it(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    before = bad.read_bytes()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "iamdesk",
            "--db",
            str(bad),
            "--screenshot",
            str(tmp_path / "x.png"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert str(bad) in result.stderr and "Traceback" not in result.stderr
    assert bad.read_bytes() == before


def test_read_only_file_gets_a_clear_message(tmp_path, monkeypatch):
    """Root ignores file modes here, so the store's failure is simulated as SQLite raises it."""
    import sqlite3

    import pytest
    from sqlalchemy.exc import OperationalError

    from iamdesk.store import db as store_db
    from iamdesk.ui.opening import OpenError, open_model_file

    def refuse(path, **_kwargs):
        raise OperationalError(
            "INSERT", {}, sqlite3.OperationalError("attempt to write a readonly database")
        )

    monkeypatch.setattr(store_db, "open_database", refuse)
    with pytest.raises(OpenError, match="is read-only: iamdesk needs to write to it"):
        open_model_file(tmp_path / "locked.sqlite")
    with pytest.raises(OpenError, match="is a folder"):
        open_model_file(tmp_path)
