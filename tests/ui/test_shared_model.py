"""A model shared on PostgreSQL, seen from the window: another process's change appears without a
refresh, an edit on stale data is refused naming who changed what, an undo never reverts someone
else's later change, a read-only role is said so, and the Open Server Model dialog asks for a
password without ever showing it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from iamdesk.services import tags, users
from iamdesk.services.errors import IamError
from iamdesk.store.db import open_database
from iamdesk.ui.commands.identity import tag_command
from iamdesk.ui.context import AppContext
from tests.pg_server import PASSWORD, PASSWORD_USER

ROOT = Path(__file__).resolve().parents[2]


def as_alice(url: str, code: str) -> None:
    """Run ``code`` (with ``db`` open as actor alice) in another process, as a colleague would."""
    script = (
        "from iamdesk.services import tags, users\n"
        "from iamdesk.store.db import open_database\n"
        f"with open_database({url!r}, actor='alice') as db:\n    {code}\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, timeout=120)


@pytest.fixture
def shared(pg_cluster):
    return pg_cluster.new_model()


@pytest.fixture
def server_window(qtbot, shared, settings):
    from iamdesk.ui.main_window import MainWindow

    database = open_database(shared)
    users.create_user(database, None, "bob")
    context = AppContext(database, database.default_account_id(), None)
    window = MainWindow(context, settings)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.model_watcher.close()
    database.close()


def user_names(window) -> list[str]:
    view = window.show_view("users")
    return [view.model.row_at(i)["UserName"] for i in range(view.model.rowCount())]


def test_another_process_change_appears_within_a_second(server_window, shared, qtbot) -> None:
    assert user_names(server_window) == ["bob"]
    assert server_window.context.seen is not None  # the window follows the server
    as_alice(shared, "users.create_user(db, None, 'carol')")
    start = time.monotonic()
    qtbot.waitUntil(lambda: "carol" in user_names(server_window), timeout=1000)
    assert time.monotonic() - start < 1.0
    assert PASSWORD not in server_window.windowTitle()


def test_an_edit_on_stale_data_is_refused_naming_who_changed_what(
    server_window, shared, qtbot
) -> None:
    context = server_window.context
    # Alice tags bob; this window has not shown that yet (no event has been processed since).
    as_alice(shared, "tags.tag(db, None, 'user', 'bob', [{'Key': 'team', 'Value': 'red'}])")
    with pytest.raises(IamError) as caught:
        tag_command(context, "user", "bob", {"team": "blue"})
    assert caught.value.code == "ConcurrentModification"
    assert "alice changed user bob (TagUser at" in caught.value.message
    listed = tags.list_tags(context.database, None, "user", "bob")["Tags"]
    assert listed == [{"Key": "team", "Value": "red"}]  # nothing overwritten
    assert context.undo_stack.count() == 0
    # Once the window has shown alice's change, the same edit goes through.
    qtbot.waitUntil(lambda: context.seen == context.newest_change(), timeout=3000)
    tag_command(context, "user", "bob", {"team": "blue"})
    assert tags.list_tags(context.database, None, "user", "bob")["Tags"] == [
        {"Key": "team", "Value": "blue"}
    ]


@pytest.mark.allow_ui_warnings
def test_undo_never_reverts_someone_elses_later_change(
    server_window, shared, qtbot, caplog: pytest.LogCaptureFixture
) -> None:
    context = server_window.context
    tag_command(context, "user", "bob", {"owner": "me"})
    as_alice(shared, "tags.tag(db, None, 'user', 'bob', [{'Key': 'owner', 'Value': 'alice'}])")
    qtbot.waitUntil(lambda: context.seen == context.newest_change(), timeout=3000)
    context.undo_stack.undo()
    said = [r.getMessage() for r in caplog.records if r.name == "iamdesk.ui.messages"]
    assert any(
        "Undo “Tag bob with owner” failed: alice changed user bob (TagUser at" in text
        for text in said
    ), said
    listed = tags.list_tags(context.database, None, "user", "bob")["Tags"]
    assert listed == [{"Key": "owner", "Value": "alice"}]  # alice's value stands


def test_a_read_only_role_is_shown_read_only(qtbot, pg_cluster, settings) -> None:
    from iamdesk.ui.main_window import MainWindow

    name = pg_cluster.new_database()
    open_database(pg_cluster.url(name)).close()
    pg_cluster.sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader", database=name)
    database = open_database(pg_cluster.url(name, user="reader"))
    context = AppContext(database, database.default_account_id(), None)
    window = MainWindow(context, settings)
    qtbot.addWidget(window)
    assert "(read-only)" in window.windowTitle()
    assert "read-only: this role may not change the model" in window.db_label.text()
    window.model_watcher.close()
    database.close()


def test_open_server_model_dialog_asks_for_the_password_and_never_shows_it(
    qtbot, pg_cluster, window
) -> None:
    from iamdesk.ui.dialogs.server_dialog import ServerModelDialog

    name = pg_cluster.new_database(owner=PASSWORD_USER)
    dialog = ServerModelDialog(window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.url, pg_cluster.tcp_url(name))
    qtbot.keyClicks(dialog.password, "Not-The-Password-1")
    dialog.try_open()
    assert dialog.error.isVisible() and "password authentication failed" in dialog.error.text()
    assert "Not-The-Password-1" not in dialog.error.text()
    assert dialog.database is None and dialog.password.text() == ""
    qtbot.keyClicks(dialog.password, PASSWORD)
    dialog.try_open()
    assert dialog.database is not None
    window.file_actions.use_server_model(dialog.database)
    title = window.windowTitle()
    assert f"postgresql://{PASSWORD_USER}@127.0.0.1" in title and PASSWORD not in title
    assert PASSWORD not in window.db_label.text()
    assert window.context.db_path is None
    window.model_watcher.close()


def test_save_a_copy_of_a_server_model_writes_a_file(server_window, tmp_path: Path, qtbot) -> None:
    target = tmp_path / "copy.sqlite"
    server_window.file_actions.copy_to(target)
    qtbot.waitUntil(
        lambda: "Saved a copy" in server_window.statusBar().currentMessage(), timeout=20000
    )
    with open_database(target) as copy:
        assert [u["UserName"] for u in users.list_users(copy, None)["Users"]] == ["bob"]
