"""Issue 8 item 13: ``--screenshot`` of a large account (rows read off the GUI thread) pictures
the rows with the first one selected, never "Loading…", and prints no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from iamdesk.store.db import new_database
from iamdesk.ui.views.entity_view import BACKGROUND_ROWS
from tests.benchmarks.bench_store import populate_users

ROOT = Path(__file__).resolve().parents[2]
USERS = BACKGROUND_ROWS + 1000


@pytest.fixture(scope="module")
def large_model(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("large") / "large.sqlite"
    with new_database(path) as db:
        populate_users(db, USERS)
    return path


def test_a_picture_waits_for_the_rows_and_selects_the_first(large_model, tmp_path, qtbot):
    from iamdesk.ui.app import Application, _screenshot
    from iamdesk.ui.settings import Settings

    instance = Application(Settings(tmp_path / "settings.ini"))
    qtbot.addWidget(instance.window)
    out = tmp_path / "users.png"
    assert _screenshot(instance, large_model, None, out, "users") == 0
    view = instance.window.views["users"]
    assert not view.loading
    assert view.count_label.text() == f"{USERS:,}"
    assert view.selected_row()["UserName"] == "user00000"
    assert "user00000" in view.detail_title.text()
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    instance.context.database.close()


def test_the_command_prints_no_traceback(large_model, tmp_path):
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    for view in ("users", "dashboard"):
        command = [sys.executable, "-m", "iamdesk", "--db", str(large_model), "--screenshot"]
        result = subprocess.run(
            [*command, str(out), "--view", view],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr and "Loading" not in result.stderr
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
