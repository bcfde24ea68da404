"""Which file a command uses, and that only explicit commands create one (issue 8, items 2-3)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from iamdesk.cli.main import main


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    "command",
    [
        ["iam", "list-users"],
        ["iam", "create-user", "--user-name", "gina"],
        ["sts", "get-caller-identity", "--access-key-id", "AKIAIOSFODNN7EXAMPLE"],
        ["organizations", "describe-organization"],
        ["import", "-"],
    ],
)
def test_a_missing_model_file_is_refused_not_created(tmp_path: Path, capsys, command) -> None:
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    code, out, err = _run(capsys, "--db", str(missing), *command)
    assert code != 0 and out == ""
    assert f"{missing} does not exist" in err and "iamdesk --db PATH new" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "nonexistent").exists()


def test_iamdesk_new_creates_once_and_never_touches_an_existing_file(
    tmp_path: Path, capsys
) -> None:
    path = tmp_path / "sub" / "team.sqlite"
    code, out, _ = _run(capsys, "--db", str(path), "new")
    assert code == 0 and str(path) in out
    assert _run(capsys, "--db", str(path), "iam", "create-user", "--user-name", "gina")[0] == 0
    before = path.read_bytes()
    code, _, err = _run(capsys, "--db", str(path), "new")
    assert code == 1 and "already exists" in err
    assert path.read_bytes() == before
    code, out, _ = _run(capsys, "--db", str(path), "iam", "list-users")
    assert [u["UserName"] for u in json.loads(out)["Users"]] == ["gina"]


def test_imdesk_db_environment_variable_is_checked_too(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IAMDESK_DB", str(tmp_path / "typo.db"))
    code, _, err = _run(capsys, "iam", "list-users")
    assert code == 255 and "typo.db does not exist" in err
    assert list(tmp_path.iterdir()) == []


def test_two_demos_on_one_path_one_succeeds(tmp_path: Path) -> None:
    """Two ``iamdesk demo`` processes race for one path: exactly one writes it, the other says
    it exists; no temporary file stays behind."""
    target = tmp_path / "demo.sqlite"
    command = [sys.executable, "-m", "iamdesk", "--db", str(target), "demo"]
    procs = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    for p in procs:
        p.stderr.close()  # type: ignore[union-attr]
    assert sorted(code for code, _ in results) == [0, 1], results
    assert any("already exists" in err for _, err in results)
    assert [p.name for p in tmp_path.iterdir()] == ["demo.sqlite"]
