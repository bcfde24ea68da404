"""Odd, damaged and unwritable model files: a clear StoreError or a working (read-only) model,
never a crash or a hang (issue 8, items 6, 7 and 9; 13's change token)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamdesk.cli.main import main
from iamdesk.services import users
from iamdesk.services.inline_policies import put_inline_policy
from iamdesk.store.db import (
    CorruptDatabaseError,
    ReadOnlyError,
    StoreError,
    new_database,
    open_database,
)
from iamdesk.ui.opening import OpenError, open_model_file


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small model with users and inline policies (documents are long text cells)."""
    path = tmp_path_factory.mktemp("odd") / "model.sqlite"
    with new_database(path) as db:
        for i in range(20):
            users.create_user(db, None, f"user{i:02d}", path=f"/team{i % 3}/")
            main_policy = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",'
            main_policy += f' "Action": "s3:Get*", "Resource": "arn:aws:s3:::bucket{i}/*"}}]}}'
            put_inline_policy(db, None, "user", f"user{i:02d}", "read", main_policy)
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    return path


@pytest.mark.parametrize("version", [-1, "abc", 2.5, ""])
def test_a_schema_version_iamdesk_never_wrote_is_damage(model: Path, tmp_path: Path, version):
    path = tmp_path / "v.sqlite"
    shutil.copy(model, path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = ?", (version,))
    conn.close()
    before = path.read_bytes()
    with pytest.raises(CorruptDatabaseError, match=r"damaged|no schema version"):
        open_database(path, create=False)
    with pytest.raises(OpenError):
        open_model_file(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("kind", ["fifo", "devnull", "loop", "folder"])
def test_what_cannot_be_a_model_file_is_refused_at_once(tmp_path: Path, kind: str, capsys) -> None:
    path = tmp_path / "odd.sqlite"
    if kind == "fifo":
        os.mkfifo(path)  # reading it would block until a writer came: never
    elif kind == "devnull":
        path = Path(os.devnull)
    elif kind == "loop":
        path.symlink_to(tmp_path / "other.sqlite")
        (tmp_path / "other.sqlite").symlink_to(path)
    else:
        path.mkdir()
    with pytest.raises(StoreError):
        open_database(path)
    assert main(["--db", str(path), "iam", "list-users"]) == 255
    err = capsys.readouterr().err.strip()
    assert str(path) in err and len(err.splitlines()) == 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(flips=st.lists(st.tuples(st.floats(0.0, 0.999), st.integers(0, 7)), min_size=1, max_size=3))
def test_a_flipped_bit_anywhere_is_a_result_or_one_line(
    model: Path, tmp_path_factory: pytest.TempPathFactory, capsys, flips
) -> None:
    data = bytearray(model.read_bytes())
    for where, bit in flips:
        data[100 + int(where * (len(data) - 100))] ^= 1 << bit
    path = tmp_path_factory.mktemp("flip") / "m.sqlite"
    path.write_bytes(bytes(data))
    for command in (
        ["iam", "get-account-authorization-details"],
        ["iam", "list-users"],
        ["iam", "get-user-policy", "--user-name", "user07", "--policy-name", "read"],
    ):
        capsys.readouterr()
        code = main(["--db", str(path), *command])
        err = capsys.readouterr().err
        assert code in (0, 254, 255), err
        assert "Traceback" not in err
        if code == 255:
            assert len(err.strip().splitlines()) == 1 and str(path) in err
            if ("UTF-8" in err or "column" in err) and "reports damage in text" not in err:
                # A bad value, not a bad page: the message says which row holds it; a
                # renamed column (damaged schema text) is named with its table. (When SQLite's
                # own message quotes the damaged bytes, there is no name left to give.)
                assert "table " in err and (", row " in err or " lacks column " in err), err


def test_a_constraint_naming_a_column_the_table_lacks_names_the_table(
    model: Path, tmp_path: Path, capsys
) -> None:
    """A flipped bit in a table's schema text renames a column only where a constraint names
    it: SQLite then refuses the whole schema; the message names the table and the column."""
    path = tmp_path / "m.sqlite"
    shutil.copy(model, path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'group_membership'"
    ).fetchone()
    at = sql.index("user_pk)")  # in UNIQUE (group_pk, user_pk)
    conn.execute(
        "UPDATE sqlite_master SET sql = ? WHERE name = 'group_membership'",
        (sql[:at] + "t" + sql[at + 1 :],),
    )
    conn.commit()
    conn.close()
    before = path.read_bytes()
    assert main(["--db", str(path), "iam", "list-users"]) == 255
    err = capsys.readouterr().err.strip()
    assert err.endswith(
        "is damaged: table group_membership lacks column tser_pk; it was not changed"
    )
    assert len(err.splitlines()) == 1 and path.read_bytes() == before
    # ... and in a foreign key
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")
    at = sql.rindex("user_pk")
    conn.execute(
        "UPDATE sqlite_master SET sql = ? WHERE name = 'group_membership'",
        (sql[:at] + "t" + sql[at + 1 :],),
    )
    conn.commit()
    conn.close()
    assert main(["--db", str(path), "iam", "list-users"]) == 255
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("table group_membership lacks column tser_pk; it was not changed")
    )


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (
            "UPDATE iam_user SET name = CAST(x'75736572ff3037' AS TEXT) WHERE name = 'user07'",
            "table iam_user, row pk=",
        ),
        (
            "UPDATE iam_user SET path = CAST(x'2fff2f' AS TEXT) WHERE name = 'user03'",
            "its path is not UTF-8 text",
        ),
    ],
)
def test_a_bad_value_is_named_by_table_and_row(
    model: Path, tmp_path: Path, capsys, damage: str, said: str
) -> None:
    path = tmp_path / "bad.sqlite"
    shutil.copy(model, path)
    with sqlite3.connect(path) as conn:
        conn.execute(damage)
    conn.close()
    for command in (["iam", "list-users"], ["iam", "get-account-authorization-details"]):
        capsys.readouterr()
        assert main(["--db", str(path), *command]) == 255
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "Traceback" not in err
        assert err.startswith(f"{path} is damaged: table iam_user, row pk=") and said in err, err


def _as_nobody(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run iamdesk as a user without write access (root ignores file modes)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("needs setpriv to drop root's privileges")
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        probe = subprocess.run(
            [*prefix, sys.executable, "-c", "import iamdesk.cli.main"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=cwd,
        )
        if probe.returncode != 0:
            # A checkout inside a folder only root may enter (mktemp -d makes them 0700).
            pytest.skip(f"an unprivileged user cannot run this checkout: {probe.stderr.strip()}")
    return subprocess.run(
        [*prefix, sys.executable, "-m", "iamdesk", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "HOME": str(cwd)},
    )


@pytest.mark.parametrize("locked", ["file", "folder"])
def test_an_unwritable_model_opens_read_only(model: Path, locked: str) -> None:
    # Outside pytest's private temporary folder, so that the other user can reach it.
    top = Path(tempfile.mkdtemp(prefix="iamdesk-ro-"))
    top.chmod(0o755)
    folder = top / "shared"
    folder.mkdir()
    path = folder / "model.sqlite"
    shutil.copy(model, path)
    path.chmod(0o444 if locked == "file" else 0o644)
    folder.chmod(0o555 if locked == "folder" else 0o777)
    before = path.read_bytes()
    try:
        listed = _as_nobody("--db", str(path), "iam", "list-users", cwd=top)
        assert listed.returncode == 0, listed.stderr
        assert '"UserName": "user19"' in listed.stdout
        written = _as_nobody("--db", str(path), "iam", "create-user", "--user-name", "x", cwd=top)
        assert written.returncode == 255 and "is read-only" in written.stderr
        assert len(written.stderr.strip().splitlines()) == 1
        assert path.read_bytes() == before
        # A WAL reader in a writable folder keeps SQLite's -wal/-shm index files; the model
        # file itself is byte for byte what it was.
        left = {p.name for p in folder.iterdir()} - {"model.sqlite-wal", "model.sqlite-shm"}
        assert left == {"model.sqlite"}
    finally:
        folder.chmod(0o755)
        shutil.rmtree(top)


def test_a_read_only_database_refuses_writes_whole(model: Path, tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    shutil.copy(model, path)
    with open_database(path) as db:
        db.read_only = True
        with pytest.raises(ReadOnlyError), db.transaction():
            pass


def test_a_model_made_through_a_dangling_link_is_private(tmp_path: Path) -> None:
    link = tmp_path / "link.sqlite"
    link.symlink_to(tmp_path / "target.sqlite")
    open_database(link).close()
    assert stat.S_IMODE((tmp_path / "target.sqlite").stat().st_mode) == 0o600


def test_change_token_moves_when_another_process_commits(model: Path, tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    shutil.copy(model, path)
    with open_database(path) as db:
        first = db.change_token()
        assert db.change_token() == first  # reading changes nothing
        assert main(["--db", str(path), "iam", "create-user", "--user-name", "other"]) == 0
        second = db.change_token()
        assert second != first
        users.create_user(db, None, "mine")  # this process's own commits count too
        assert db.change_token() != second


def test_a_column_renamed_by_damage_to_the_schema_text_is_named_at_open(
    model: Path, tmp_path: Path, capsys
) -> None:
    """One flipped bit in sqlite_master's CREATE TABLE text passes quick_check; every read of
    that table would fail with "no such column". The open names the table and column."""
    data = bytearray(model.read_bytes())
    at = data.find(b"description VARCHAR")
    assert at > 0
    data[at + 1] ^= 0b100  # description -> dascription
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(bytes(data))
    before = damaged.read_bytes()
    code = main(["--db", str(damaged), "iam", "list-users"])
    err = capsys.readouterr().err.strip()
    assert code == 255
    assert err.endswith("lacks column description; it was not changed"), err
    assert " is damaged: table " in err and len(err.splitlines()) == 1
    assert damaged.read_bytes() == before
