"""The fork server's life: started by the first command, replaced when the code changes, gone
after its idle time or when stopped; and which command lines go to it at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import iamdesk.launch
from iamdesk.cli.main import COMMANDS
from iamdesk.launch.client import SERVER_COMMANDS, server_command
from tests.launch.conftest import (
    BIN,
    private_env,
    run,
    served,
    servers,
    stop_and_remove,
    this_server,
    wait_for,
)


def test_the_first_command_runs_in_process_and_starts_a_server(
    fresh_env: dict[str, str], demo_model: Path
) -> None:
    assert servers(fresh_env) == []
    done = run(fresh_env, "--db", str(demo_model), "iam", "get-user", "--user-name", "alice")
    assert done.returncode == 0 and json.loads(done.stdout)["User"]["UserName"] == "alice"
    assert wait_for(lambda: this_server(fresh_env) is not None)
    done = run(fresh_env, "--db", str(demo_model), "iam", "get-user", "--user-name", "bob")
    assert done.returncode == 0 and json.loads(done.stdout)["User"]["UserName"] == "bob"
    assert served(fresh_env) == 1


def test_a_restricted_command_starts_no_server(fresh_env: dict[str, str], demo_model: Path) -> None:
    # The server would keep the limit for every later command (a child can only lower one).
    done = subprocess.run(
        ["bash", "-c", f'ulimit -f 100000; {BIN} --db "$1" iam get-user --user-name alice',
         "bash", str(demo_model)],
        env=fresh_env, capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0
    time.sleep(1.0)
    assert os.listdir(fresh_env["IAMDESK_RUNTIME_DIR"]) == []


def test_changed_code_means_a_new_server(demo_model: Path) -> None:
    """An edit to iamdesk (a newer mtime in the package) changes the fingerprint: the next
    command runs in-process and starts a server for the new code; the old one leaves."""
    env = private_env(IAMDESK_SERVER_IDLE_SECONDS="8")  # checks for staleness every 2 s
    edited = Path(iamdesk.launch.__file__)
    times = edited.stat()
    try:
        assert run(env, "fork-server", "start").returncode == 0
        old = this_server(env)
        assert old is not None
        os.utime(edited, ns=(times.st_atime_ns, time.time_ns() + 10**9))  # the newest file
        assert this_server(env) is None  # the running one is for the code before the edit
        done = run(env, "--db", str(demo_model), "iam", "get-user", "--user-name", "alice")
        assert done.returncode == 0 and b"alice" in done.stdout
        assert wait_for(lambda: this_server(env) is not None)
        new = this_server(env)
        assert new is not None and new["name"] != old["name"]
        # The old one noticed and left, removing its files.
        assert wait_for(lambda: all(s["name"] != old["name"] for s in servers(env)), 20)
        folder = Path(env["IAMDESK_RUNTIME_DIR"])
        assert wait_for(lambda: not list(folder.glob(f"fs-{old['name']}.*")), 10)
    finally:
        os.utime(edited, ns=(times.st_atime_ns, times.st_mtime_ns))
        stop_and_remove(env)


def test_idle_exit() -> None:
    env = private_env(IAMDESK_SERVER_IDLE_SECONDS="2")
    try:
        assert run(env, "fork-server", "start").returncode == 0
        server = this_server(env)
        assert server is not None
        assert wait_for(lambda: servers(env) == [], 20)
        assert wait_for(lambda: not _alive(int(server["pid"])), 10)
        log = next(Path(env["IAMDESK_RUNTIME_DIR"]).glob("*.log")).read_text()
        assert "idle for 2 s" in log
    finally:
        stop_and_remove(env)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_stop(fresh_env: dict[str, str]) -> None:
    assert run(fresh_env, "fork-server", "start").returncode == 0
    server = this_server(fresh_env)
    assert server is not None
    done = run(fresh_env, "fork-server", "stop")
    assert done.returncode == 0
    assert f"stopped fork server {server['name']}".encode() in done.stdout
    assert servers(fresh_env) == []
    assert b"no fork server is running" in run(fresh_env, "fork-server", "status").stdout
    assert wait_for(lambda: not _alive(int(server["pid"])), 10)


def test_turned_off(fresh_env: dict[str, str], demo_model: Path) -> None:
    env = {**fresh_env, "IAMDESK_NO_SERVER": "1"}
    done = run(env, "--db", str(demo_model), "iam", "get-user", "--user-name", "alice")
    assert done.returncode == 0
    assert b"IAMDESK_NO_SERVER is set" in run(env, "fork-server", "status").stdout
    assert run(env, "fork-server", "start").returncode == 1
    time.sleep(0.5)
    assert os.listdir(fresh_env["IAMDESK_RUNTIME_DIR"]) == []


def test_the_server_runs_every_command_but_serve_and_itself() -> None:
    assert set(COMMANDS) - {"serve", "fork-server"} == SERVER_COMMANDS


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["iam", "get-user"], "iam"),
        (["--db", "m.db", "--output", "text", "iam", "list-users"], "iam"),
        (["--db=m.db", "--debug", "analyze", "who-can"], "analyze"),
        (["model.iamdesk", "iam", "list-users"], "iam"),
        (["--demo", "sts", "get-caller-identity"], "sts"),
        ([], None),  # the app
        (["model.iamdesk"], None),  # the app on a model
        (["--screenshot", "x.png", "--view", "users"], None),
        (["--view", "iam"], None),  # --view takes "iam" as its value: the app
        (["--vie", "iam"], None),  # an abbreviation argparse would accept: not for certain
        (["--install-desktop-entry"], None),
        (["--version"], None),
        (["-h"], None),
        (["serve"], None),
        (["fork-server", "status"], None),
        (["nonsense", "iam"], None),
    ],
)
def test_which_command_lines_go_to_the_server(argv: list[str], command: str | None) -> None:
    assert server_command(argv) == command


def test_a_fixed_hash_seed_has_a_server_of_its_own(
    fresh_env: dict[str, str], demo_model: Path
) -> None:
    """A forked child keeps its server's str hashing, so a caller that fixes PYTHONHASHSEED
    (a reproducible run) is served by a server started with that seed, never another's."""
    code = "import sys; print(hash('iamdesk'))"
    hashes = {}
    for seed in ("12345", "777"):
        env = {**fresh_env, "PYTHONHASHSEED": seed}
        done = run(env, "--db", str(demo_model), "iam", "get-user", "--user-name", "alice")
        assert done.returncode == 0 and json.loads(done.stdout)["User"]["UserName"] == "alice"
        assert wait_for(lambda env=env: this_server(env) is not None)
        hashes[seed] = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True
        ).stdout
    assert hashes["12345"] != hashes["777"]  # the seeds do change hashing
    names = {s["name"] for s in servers(fresh_env)}
    assert len(names) == 2  # one server per seed (status lists every server in the folder)
    seeded = {**fresh_env, "PYTHONHASHSEED": "12345"}
    assert this_server(seeded) is not None and this_server(fresh_env) is None
    # "random" is Python's default: the same server as no seed at all.
    unseeded = {**fresh_env, "PYTHONHASHSEED": "random"}
    assert run(unseeded, "fork-server", "start").returncode == 0
    assert this_server(fresh_env) is not None
    assert this_server(unseeded)["name"] == this_server(fresh_env)["name"]  # type: ignore[index]
