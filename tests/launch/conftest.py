"""Fixtures for the fork server tests: the real ``iamdesk`` console script in subprocesses, with
a fork server in a private runtime folder that is stopped at the end."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from iamdesk.cli.main import main

BIN = str(Path(sys.executable).parent / "iamdesk")
STATUS = re.compile(
    r"fork server (?P<name>\w+) \((?P<whose>this iamdesk|other code)(?:, (?P<kind>app))?\): "
    r"(?P<state>\w+), "
    r"pid (?P<pid>\d+), .*?, (?P<served>\d+) commands served, (?P<running>\d+) running, "
    r"(?P<refused>\d+) run locally instead"
)


def run(
    env: dict[str, str], *args: str, timeout: float = 120, **kw: object
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [BIN, *args],
        env=env,
        capture_output=True,
        timeout=timeout,
        **kw,  # type: ignore[arg-type]
    )


# Python keeps a SIGINT it inherits ignored; the job puts it back at its default first.
_AS_A_JOB = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL);"
    " os.execv(sys.argv[1], sys.argv[1:])"
)


def start_job(args: list[str], env: dict[str, str], **kw: object) -> subprocess.Popen[bytes]:
    """``iamdesk ARGS`` started as a shell with job control starts a foreground job, whatever
    started the suite: SIGINT at its default (a suite run with ``&`` from a script inherits it
    ignored: Ctrl-C would do nothing) and a process group of its own (a suite in a session of
    its own, as ``setsid`` or a CI runner starts it, is an orphaned process group, where the
    kernel discards a stop signal a process sends itself: Ctrl-Z would stop nothing). The pid
    is the command's own (``exec``)."""
    return subprocess.Popen(
        [sys.executable, "-c", _AS_A_JOB, BIN, *args],
        env=env,
        process_group=0,
        **kw,  # type: ignore[arg-type]
    )


def local(env: dict[str, str]) -> dict[str, str]:
    """The same environment with the fork server turned off: the command runs in-process."""
    return {**env, "IAMDESK_NO_SERVER": "1"}


def servers(env: dict[str, str]) -> list[dict[str, str]]:
    """What ``iamdesk fork-server status`` says about each server in the runtime folder."""
    done = run(env, "fork-server", "status")
    assert done.returncode == 0, done.stderr
    return [m.groupdict() for m in STATUS.finditer(done.stdout.decode())]


def this_server(env: dict[str, str], kind: str | None = None) -> dict[str, str] | None:
    """The server for this code: the command line's, or with ``kind="app"`` the app's."""
    found = [s for s in servers(env) if s["whose"] == "this iamdesk" and s["kind"] == kind]
    return found[0] if found else None


def served(env: dict[str, str], kind: str | None = None) -> int:
    server = this_server(env, kind)
    assert server is not None, "no fork server runs for this code"
    return int(server["served"])


def wait_for(predicate, timeout: float = 60.0, step: float = 0.1) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def private_env(**extra: str) -> dict[str, str]:
    # A short path: AF_UNIX socket names are limited to ~100 bytes.
    folder = tempfile.mkdtemp(prefix="iamd-", dir="/tmp")
    env = {k: v for k, v in os.environ.items() if k != "IAMDESK_NO_SERVER"}
    env.update(IAMDESK_RUNTIME_DIR=folder, **extra)
    return env


def stop_and_remove(env: dict[str, str]) -> None:
    run(env, "fork-server", "stop")
    shutil.rmtree(env["IAMDESK_RUNTIME_DIR"], ignore_errors=True)


@pytest.fixture
def fresh_env() -> Iterator[dict[str, str]]:
    """A private runtime folder with no server in it yet (stopped and removed afterwards)."""
    env = private_env()
    try:
        yield env
    finally:
        stop_and_remove(env)


@pytest.fixture(scope="module")
def server_env() -> Iterator[dict[str, str]]:
    """A running fork server shared by a module's tests."""
    env = private_env()
    try:
        started = run(env, "fork-server", "start")
        assert started.returncode == 0, started.stdout + started.stderr
        yield env
    finally:
        stop_and_remove(env)


@pytest.fixture(scope="module")
def demo_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fork-server") / "demo.iamdesk"
    assert main(["--db", str(path), "demo"]) == 0
    return path
