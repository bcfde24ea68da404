"""Commands through the fork server behave exactly as the same commands run in-process: the
real ``iamdesk`` console script in subprocesses, its output, errors and exit code compared with
``IAMDESK_NO_SERVER=1`` on the same model, and the server's count of commands checked so a
silent fallback to in-process running cannot pass for the server."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.launch.conftest import BIN, local, run, served, start_job, this_server, wait_for

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
}
CASE = {
    "id": "c1",
    "principal": {"arn": "arn:aws:iam::111122223333:user/alice", "account": "111122223333"},
    "identity_policies": [POLICY],
    "request": {"action": "s3:GetObject", "resource": "arn:aws:s3:::reports/q1.csv"},
}


def both(env: dict[str, str], *args: str, **kw: object) -> subprocess.CompletedProcess[bytes]:
    """Run in-process, then through the server; assert the same exit code, stdout and stderr
    and that the server ran it. Returns the server's run."""
    here = run(local(env), *args, **kw)
    before = served(env)
    there = run(env, *args, **kw)
    assert served(env) == before + 1, "the command did not go through the fork server"
    assert (there.returncode, there.stdout, there.stderr) == (
        here.returncode,
        here.stdout,
        here.stderr,
    )
    return there


def test_success(server_env: dict[str, str], demo_model: Path) -> None:
    done = both(server_env, "--db", str(demo_model), "iam", "get-user", "--user-name", "alice")
    assert done.returncode == 0
    assert json.loads(done.stdout)["User"]["UserName"] == "alice"


def test_aws_global_options_and_text_output(server_env: dict[str, str], demo_model: Path) -> None:
    done = both(server_env, "--output", "text", "--db", str(demo_model), "iam", "list-users",
                "--query", "Users[].UserName")  # fmt: skip
    assert done.stdout.split() == [b"alice", b"bob", b"carol", b"dave", b"frank"]


def test_service_error_exits_254(server_env: dict[str, str], demo_model: Path) -> None:
    done = both(server_env, "--db", str(demo_model), "iam", "get-user", "--user-name", "nobody")
    assert done.returncode == 254
    assert b"NoSuchEntity" in done.stderr


def test_usage_errors_exit_252_and_2(server_env: dict[str, str], demo_model: Path) -> None:
    done = both(server_env, "--db", str(demo_model), "iam", "get-user", "--user-nam", "x")
    assert done.returncode == 252
    done = both(server_env, "--db", str(demo_model), "simulate")
    assert done.returncode == 2
    assert b"--cases" in done.stderr


def test_stdin(server_env: dict[str, str], demo_model: Path) -> None:
    cases = (json.dumps(CASE) + "\n").encode()
    done = both(server_env, "--db", str(demo_model), "simulate", "--cases", "-", input=cases)
    assert json.loads(done.stdout)["decision"] == "allowed"
    done = both(server_env, "--db", str(demo_model), "iam", "simulate-custom-policy",
                "--policy-input-list", "file:///dev/stdin", "--action-names", "s3:GetObject",
                input=json.dumps(POLICY).encode())  # fmt: skip
    assert json.loads(done.stdout)["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_relative_file_from_another_folder(
    server_env: dict[str, str], demo_model: Path, tmp_path: Path
) -> None:
    (tmp_path / "p.json").write_text(json.dumps(POLICY))
    done = both(server_env, "--db", str(demo_model), "iam", "simulate-custom-policy",
                "--policy-input-list", "file://p.json", "--action-names", "s3:PutObject",
                cwd=tmp_path)  # fmt: skip
    assert json.loads(done.stdout)["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


def test_model_from_the_environment(server_env: dict[str, str], demo_model: Path) -> None:
    # IAMDESK_DB, relative to the caller's folder: the child has the caller's environment and
    # folder, not the server's.
    env = {**server_env, "IAMDESK_DB": demo_model.name}
    done = both(env, "iam", "get-user", "--user-name", "bob", cwd=demo_model.parent)
    assert json.loads(done.stdout)["User"]["UserName"] == "bob"


def test_umask_of_the_caller(server_env: dict[str, str], tmp_path: Path) -> None:
    script = f'umask 077; {BIN} --db "$1" new'
    modes = []
    for env, name in ((local(server_env), "a.iamdesk"), (server_env, "b.iamdesk")):
        target = tmp_path / name
        done = subprocess.run(["sh", "-c", script, "sh", str(target)], env=env, timeout=120)
        assert done.returncode == 0
        modes.append(target.stat().st_mode & 0o777)
    assert modes[0] == modes[1] == 0o600


def test_pipe_closed_early(server_env: dict[str, str], demo_model: Path) -> None:
    script = f'{BIN} --db "$1" iam list-policies | head -c1; echo " ${{PIPESTATUS[0]}}"'
    outputs = []
    for env in (local(server_env), server_env):
        done = subprocess.run(["bash", "-c", script, "bash", str(demo_model)], env=env,
                              capture_output=True, timeout=120)  # fmt: skip
        outputs.append((done.stdout, done.stderr))
    assert outputs[0] == outputs[1] == (b"{ 0\n", b"")


def test_file_size_limit_is_honoured(
    server_env: dict[str, str], demo_model: Path, tmp_path: Path
) -> None:
    """Under ``ulimit -f`` the child has the caller's limit: the same truncated file and exit
    code as in-process (the server itself has no such limit)."""
    results = []
    for env, name in ((local(server_env), "here.json"), (server_env, "there.json")):
        out = tmp_path / name
        before = served(server_env)
        done = subprocess.run(
            ["bash", "-c", f'ulimit -f 1; {BIN} --db "$1" iam list-policies > "$2"',
             "bash", str(demo_model), str(out)],
            env=env, capture_output=True, timeout=120,
        )  # fmt: skip
        results.append((done.returncode, done.stderr, out.stat().st_size))
        if env is server_env:
            assert served(server_env) == before + 1
    assert results[0] == results[1]
    assert results[0][2] == 1024
    # The next command has no limit.
    with open(tmp_path / "all.json", "wb") as out:
        done = subprocess.run([BIN, "--db", str(demo_model), "iam", "list-policies"],
                              env=server_env, stdout=out, timeout=120)  # fmt: skip
    assert done.returncode == 0 and (tmp_path / "all.json").stat().st_size > 100_000


def _interrupted(env: dict[str, str], model: Path, how: signal.Signals) -> tuple[int, bytes]:
    """Start ``simulate --cases -``, wait for its first answer (so it is in its loop), send
    ``how`` to the process the shell started, return its exit code and stderr."""
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    process = start_job(["--db", str(model), "simulate", "--cases", "-"], env, **pipes)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write((json.dumps(CASE) + "\n").encode())
    process.stdin.flush()
    assert json.loads(process.stdout.readline())["decision"] == "allowed"
    process.send_signal(how)
    # Wait with stdin still open: at its end the command would finish on its own.
    process.wait(timeout=60)
    _, err = process.communicate(timeout=60)
    return process.returncode, err


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_signals_reach_the_child(
    server_env: dict[str, str], demo_model: Path, how: signal.Signals
) -> None:
    """Ctrl-C: KeyboardInterrupt in the command, exit 130; SIGTERM: the command dies of it."""
    here = _interrupted(local(server_env), demo_model, how)
    before = served(server_env)
    there = _interrupted(server_env, demo_model, how)
    assert served(server_env) == before + 1
    assert there == here
    assert here[0] == (130 if how == signal.SIGINT else -signal.SIGTERM)


def test_a_killed_client_hangs_up_its_child(server_env: dict[str, str], demo_model: Path) -> None:
    process = start_job(["--db", str(demo_model), "simulate", "--cases", "-"], server_env,
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write((json.dumps(CASE) + "\n").encode())
    process.stdin.flush()
    assert process.stdout.readline()
    assert int(this_server(server_env)["running"]) == 1  # type: ignore[index]
    process.kill()
    process.wait(timeout=30)
    assert wait_for(lambda: int(this_server(server_env)["running"]) == 0)  # type: ignore[index]
    process.stdin.close()
    process.stdout.close()


def test_concurrent_clients(server_env: dict[str, str], demo_model: Path) -> None:
    users = ["alice", "bob", "carol", "dave", "frank", "nobody"] * 2
    before = served(server_env)

    def get(user: str) -> subprocess.CompletedProcess[bytes]:
        return run(server_env, "--db", str(demo_model), "iam", "get-user", "--user-name", user)

    with ThreadPoolExecutor(len(users)) as pool:
        results = list(pool.map(get, users))
    assert served(server_env) == before + len(users)
    for user, done in zip(users, results, strict=True):
        if user == "nobody":
            assert done.returncode == 254 and b"NoSuchEntity" in done.stderr
        else:
            assert done.returncode == 0, done.stderr
            assert json.loads(done.stdout)["User"]["UserName"] == user


def test_the_app_and_serve_never_go_to_the_server(
    server_env: dict[str, str], demo_model: Path, tmp_path: Path
) -> None:
    before = served(server_env)
    shot = tmp_path / "users.png"
    env = {**server_env, "QT_QPA_PLATFORM": "offscreen"}
    done = run(env, "--db", str(demo_model), "--screenshot", str(shot), "--view", "users")
    assert done.returncode == 0 and shot.stat().st_size > 0
    assert run(env, "--version").returncode == 0
    assert run(env, "serve", "--port", "not-a-port").returncode != 0
    assert served(server_env) == before


def test_limits_above_the_servers_run_in_process(
    fresh_env: dict[str, str], demo_model: Path
) -> None:
    """A server started with a lower file-size limit cannot give a child more: it refuses, and
    the command runs in-process, with its own limit, and succeeds."""
    started = subprocess.run(
        ["bash", "-c", f"ulimit -f 100000; {BIN} fork-server start"], env=fresh_env,
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    done = run(fresh_env, "--db", str(demo_model), "iam", "get-user", "--user-name", "alice")
    assert done.returncode == 0 and b"alice" in done.stdout
    server = this_server(fresh_env)
    assert server is not None
    assert (server["served"], server["refused"]) == ("0", "1")


def test_client_imports_only_the_standard_library() -> None:
    code = (
        "import sys; import iamdesk.launch.client; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'iamdesk', 'sqlalchemy', 'sqlmodel', 'botocore', 'PySide6', 'jmespath', 'yaml'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    modules = eval(done.stdout)
    assert modules == ["iamdesk", "iamdesk.cli", "iamdesk.cli.frontend",
                       "iamdesk.cli.frontend.option_names", "iamdesk.launch",
                       "iamdesk.launch.client", "iamdesk.launch.place",
                       "iamdesk.launch.wire"]  # fmt: skip


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(") ", 1)[1][0]


def test_ctrl_z_stops_the_child_and_fg_continues_it(
    server_env: dict[str, str], demo_model: Path
) -> None:
    process = start_job(["--db", str(demo_model), "simulate", "--cases", "-"], server_env,
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write((json.dumps(CASE) + "\n").encode())
        process.stdin.flush()
        assert process.stdout.readline()
        server = this_server(server_env)
        assert server is not None
        with open(f"/proc/{server['pid']}/task/{server['pid']}/children") as found:
            (child,) = (int(pid) for pid in found.read().split())
        process.send_signal(signal.SIGTSTP)
        assert wait_for(lambda: _state(child) == "T" and _state(process.pid) == "T", 30)
        process.send_signal(signal.SIGCONT)
        assert wait_for(lambda: _state(child) != "T" and _state(process.pid) != "T", 30)
        process.stdin.write((json.dumps(CASE) + "\n").encode())
        process.stdin.flush()
        assert json.loads(process.stdout.readline())["decision"] == "allowed"
        process.stdin.close()
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
