"""The app through its fork server: a server with PySide6 and every module of the app loaded but
no QApplication (no thread, no display connection); each child makes its own QApplication with
the caller's environment. Driven with the real console script, as a user starts the app."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from iamdesk.launch.client import app_server_usable, app_start
from tests.launch.conftest import (
    BIN,
    local,
    private_env,
    run,
    served,
    stop_and_remove,
    this_server,
    wait_for,
)


@pytest.fixture(scope="module")
def app_env() -> Iterator[dict[str, str]]:
    env = private_env(QT_QPA_PLATFORM="offscreen")
    try:
        started = run(env, "fork-server", "start", "--app")
        assert started.returncode == 0, started.stdout + started.stderr
        yield env
    finally:
        stop_and_remove(env)


def _maps(pid: str) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def test_the_app_server_has_qt_loaded_but_no_application(app_env: dict[str, str]) -> None:
    server = this_server(app_env, "app")
    assert server is not None
    assert "libQt6Widgets" in _maps(server["pid"])
    # One thread: QApplication would have started more (and connected to the display).
    assert os.listdir(f"/proc/{server['pid']}/task") == [server["pid"]]


def test_the_commands_server_never_loads_qt(app_env: dict[str, str], demo_model: Path) -> None:
    done = run(app_env, "--db", str(demo_model), "iam", "get-user", "--user-name", "alice")
    assert done.returncode == 0
    assert wait_for(lambda: this_server(app_env) is not None)
    server = this_server(app_env)
    assert server is not None
    assert "libQt6" not in _maps(server["pid"])


# Views whose picture is the same on every run (the dashboard's may catch its findings table
# just before or after its scroll bar appears, in-process too).
@pytest.mark.parametrize("view", ["users", "roles"])
def test_screenshot_is_the_same_picture(
    app_env: dict[str, str], demo_model: Path, tmp_path: Path, view: str
) -> None:
    here, there = tmp_path / "here.png", tmp_path / "there.png"
    done = run(local(app_env), "--db", str(demo_model), "--screenshot", str(here), "--view", view)
    assert done.returncode == 0, done.stderr
    before = served(app_env, "app")
    done_there = run(app_env, "--db", str(demo_model), "--screenshot", str(there), "--view", view)
    assert served(app_env, "app") == before + 1
    assert (done_there.returncode, done_there.stdout, done_there.stderr) == (
        done.returncode,
        done.stdout,
        done.stderr,
    )
    assert there.read_bytes() == here.read_bytes()


def test_dashboard_screenshot(app_env: dict[str, str], demo_model: Path, tmp_path: Path) -> None:
    shot = tmp_path / "dashboard.png"
    before = served(app_env, "app")
    done = run(app_env, "--db", str(demo_model), "--screenshot", str(shot), "--view", "dashboard")
    assert done.returncode == 0, done.stderr
    assert served(app_env, "app") == before + 1
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(header[16:20]), int.from_bytes(header[20:24])) == (1440, 900)


def test_the_window_runs_in_a_child_and_ends_with_its_caller(
    app_env: dict[str, str], demo_model: Path
) -> None:
    """``iamdesk FILE`` opens the window (offscreen here) in a child; the launcher stays until
    it closes, and a signal to the launcher reaches the window's process."""
    before = served(app_env, "app")
    process = subprocess.Popen([BIN, str(demo_model)], env=app_env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)  # fmt: skip
    try:
        assert wait_for(lambda: int(this_server(app_env, "app")["running"]) == 1, 60)  # type: ignore[index]
        time.sleep(1.0)
        assert process.poll() is None  # the window is open: the launcher waits for it
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)
        assert process.returncode == -signal.SIGTERM
        assert wait_for(lambda: int(this_server(app_env, "app")["running"]) == 0, 30)  # type: ignore[index]
        assert served(app_env, "app") == before + 1
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.parametrize(
    ("argv", "starts_the_app"),
    [
        ([], True),
        (["model.iamdesk"], True),
        (["--demo"], True),
        (["--db", "m.db", "--screenshot", "x.png", "--view", "users"], True),
        (["iam", "get-user"], False),
        (["--version"], False),
        (["--install-desktop-entry"], False),
        (["a.iamdesk", "b.iamdesk"], False),
        (["--scr", "x.png"], False),  # an abbreviation: not for certain
    ],
)
def test_which_lines_start_the_app(argv: list[str], starts_the_app: bool) -> None:
    assert app_start(argv) == starts_the_app


def test_the_app_server_needs_somewhere_to_show(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert not app_server_usable([])  # the app runs in-process and says it has no display
    assert app_server_usable(["--screenshot", "x.png"])  # rendered offscreen anyway
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert app_server_usable([])
