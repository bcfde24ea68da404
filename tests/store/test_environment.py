"""Issue 8 item 7: the environment refuses a write. Under a file-size limit (``ulimit -f``, set
in the child process: no root needed) and on a full disk (a small tmpfs, where mounting is
allowed) a command prints one line and exits 255, the model is unchanged and still readable
(reads work even while the disk stays full), and nothing is called "damaged"."""

from __future__ import annotations

import json
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from iamdesk.services import users
from iamdesk.store.db import new_database
from tests.small_disk import fill, small_disk

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "authorization-details-example.json"


def iamdesk(model: Path, *args: str, fsize: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [sys.executable, "-m", "iamdesk", "--db", str(model), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
        preexec_fn=limit,
    )


def user_names(model: Path) -> list[str]:
    done = iamdesk(model, "iam", "list-users")
    assert done.returncode == 0, done.stderr
    return [u["UserName"] for u in json.loads(done.stdout)["Users"]]


def assert_one_line(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and "damaged" not in done.stderr
    assert "cannot be written" in lines[0] or "cannot be used" in lines[0], lines[0]


def intact(model: Path) -> bool:
    with sqlite3.connect(model) as conn:
        return conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "model.sqlite"
    with new_database(path) as db:
        users.create_user(db, None, "bob")
    return path


@pytest.mark.parametrize("blocks", [1, 64])
def test_a_file_size_limit_refuses_the_write_in_one_line(model: Path, blocks: int) -> None:
    # 1 block of 512 bytes: not even SQLite's shared-memory file; 64: that (32 KB), not the
    # write-ahead log a write needs.
    fsize = blocks * 512
    before = model.read_bytes()
    for args in (
        ("iam", "create-user", "--user-name", "carol"),
        ("import", str(SAMPLE)),
    ):
        done = iamdesk(model, *args, fsize=fsize)
        assert_one_line(done)
        assert done.returncode == 255, done.returncode
    reads = iamdesk(model, "iam", "list-users", fsize=fsize)
    assert reads.returncode == 0, reads.stderr
    assert [u["UserName"] for u in json.loads(reads.stdout)["Users"]] == ["bob"]
    assert user_names(model) == ["bob"] and intact(model)
    assert model.read_bytes() == before


def test_a_full_disk_refuses_writes_and_still_reads(tmp_path: Path) -> None:
    with small_disk(tmp_path / "small", 2048) as disk:
        model = disk / "model.sqlite"
        with new_database(model) as db:
            users.create_user(db, None, "bob")
        fill(disk)
        for args in (
            ("iam", "create-user", "--user-name", "carol"),
            ("iam", "create-access-key", "--user-name", "bob"),
            ("import", str(SAMPLE)),
        ):
            done = iamdesk(model, *args)
            assert_one_line(done)
            assert done.returncode == 255, (args, done.returncode)
        assert user_names(model) == ["bob"]  # read while the disk is still full
        (disk / "filler").unlink()
        done = iamdesk(model, "iam", "create-user", "--user-name", "carol")
        assert done.returncode == 0, done.stderr
        assert user_names(model) == ["bob", "carol"] and intact(model)
