"""Following changes to an SQLite model: another writer's change reloads every view, the
window's own edits (and their undo) don't reload anything a second time."""

from __future__ import annotations

import pytest

from iamdesk.services import users
from iamdesk.store.db import new_database, open_database
from iamdesk.ui.commands.identity import tag_command
from iamdesk.ui.context import KINDS, AppContext
from iamdesk.ui.model_watcher import POLL_MS, ModelWatcher


@pytest.fixture
def watched(qtbot, db_path):
    database = new_database(db_path)
    users.create_user(database, None, "bob")
    context = AppContext(database, database.default_account_id(), db_path)
    watcher = ModelWatcher(context)
    heard: list[set[str]] = []
    context.modelChanged.connect(heard.append)
    yield context, heard
    watcher.close()
    database.close()


def _polls(qtbot, count: int = 3) -> None:
    qtbot.wait(POLL_MS * count)


def test_own_edits_are_not_reloaded_again(watched, qtbot) -> None:
    context, heard = watched
    assert context.seen is not None
    tag_command(context, "user", "bob", {"team": "red"})
    assert heard and all(kinds != set(KINDS) for kinds in heard)  # the command's own notice
    heard.clear()
    _polls(qtbot)
    assert heard == []  # the watcher saw the file change but knew it as this window's
    assert context.seen == context.newest_change()


def test_another_writers_change_reloads_every_view(watched, db_path, qtbot) -> None:
    context, heard = watched
    tag_command(context, "user", "bob", {"team": "red"})  # mine first, then theirs
    with open_database(db_path, actor="alice") as other:
        users.create_user(other, None, "carol")
    heard.clear()
    qtbot.waitUntil(lambda: set(KINDS) in heard, timeout=3 * POLL_MS)
    assert context.seen == context.newest_change()
    heard.clear()
    _polls(qtbot)
    assert heard == []  # once
