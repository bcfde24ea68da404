"""Any file name the operating system allows names exactly that model file: ``?``, ``#``, ``%20``,
``file:`` prefixes, spaces, non-ASCII and non-UTF-8 bytes are not URL syntax (issue 8, item 1)."""

from __future__ import annotations

import os
import sqlite3
import stat
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from iamdesk.cli.main import main
from iamdesk.services import simulation_cache
from iamdesk.services.queries.files import copy_database
from iamdesk.store.db import CorruptDatabaseError, new_database, open_database
from iamdesk.store.sqlite_files import read_only_uri

# The characters that URLs and SQLite URIs give a meaning, plus ordinary and odd ones.
SPECIAL = "?#%&=;:+@!$'()*,[] ~"
name_chars = st.sampled_from(SPECIAL + string.ascii_letters + string.digits + "-_.é雪")


@st.composite
def file_names(draw: st.DrawFn) -> str:
    """A name the OS accepts: no ``/`` or NUL, not ``.``/``..``, at most 200 bytes; sometimes a
    ``file:`` prefix or ``%XX`` escapes, sometimes a byte that is not UTF-8."""
    body = draw(st.text(name_chars, min_size=1, max_size=40))
    prefix = draw(st.sampled_from(["", "file:", "%20", "a%2Fb", "x?mode=ro&"]))
    suffix = draw(st.sampled_from(["", ".db", ".sqlite", "#1.db", "?v2.db", "%20draft.db"]))
    raw = draw(st.booleans())
    name = prefix + body + suffix
    if raw:
        name += os.fsdecode(b"\xff")
    if name in (".", ".."):
        name += "x"
    return name


def _only_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm"))}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=file_names())
def test_a_model_file_is_exactly_the_file_named(tmp_path_factory, name: str) -> None:
    folder = tmp_path_factory.mktemp("names")
    path = folder / name
    with new_database(path) as db, db.transaction() as session:
        session.execute(text("UPDATE account SET name = 'written' WHERE is_default = 1"))
    assert _only_files(folder) == {name}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with open_database(path, create=False) as db, db.read() as session:
        assert session.execute(text("SELECT name FROM account")).scalar() == "written"
    # The read-only URI used by the open check and the cache watcher names the same file.
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    assert conn.execute("SELECT name FROM account").fetchone() == ("written",)
    conn.close()
    assert _only_files(folder) == {name}


@pytest.mark.parametrize("name", ["dmg#1.db", "dmg?x.db", "dmg%20.db"])
def test_a_damaged_file_is_refused_under_its_own_name(tmp_path: Path, name: str) -> None:
    good = tmp_path / "dmg"  # what the unescaped URI opened instead
    new_database(good).close()
    damaged = tmp_path / name
    damaged.write_bytes(good.read_bytes()[:100] + b"\x00" * 3000)
    before = damaged.read_bytes()
    with pytest.raises(CorruptDatabaseError):
        open_database(damaged, create=False)
    assert damaged.read_bytes() == before


def test_the_command_line_writes_the_file_it_was_given(tmp_path: Path, capsys) -> None:
    for name in ("plan?v2.db", "q1%20draft.db", "team#1.sqlite", "file:x.db"):
        db = str(tmp_path / name)
        assert main(["--db", db, "new"]) == 0
        assert main(["--db", db, "iam", "create-user", "--user-name", "gina"]) == 0
        capsys.readouterr()
        assert main(["--db", db, "iam", "list-users"]) == 0
        assert '"UserName": "gina"' in capsys.readouterr().out
    assert _only_files(tmp_path) == {"plan?v2.db", "q1%20draft.db", "team#1.sqlite", "file:x.db"}


def test_save_a_copy_and_the_cache_watcher_use_the_named_files(tmp_path: Path) -> None:
    source = tmp_path / "team#1.sqlite"
    with new_database(source) as db:
        with db.transaction() as session:
            session.execute(text("UPDATE account SET name = 'team' WHERE is_default = 1"))
        copy = copy_database(db, tmp_path / "copy?of#team%20.sqlite")
        assert simulation_cache.cached(source, "k", lambda: 1) == 1
        simulation_cache.forget(source)
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    with open_database(copy, create=False) as db, db.read() as session:
        assert session.execute(text("SELECT name FROM account")).scalar() == "team"
    assert _only_files(tmp_path) == {"team#1.sqlite", "copy?of#team%20.sqlite"}
