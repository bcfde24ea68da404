"""``iamdesk db copy SRC DST``: a whole model from a file to a server and back, exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from iamdesk.cli.main import main
from iamdesk.services import demo, users
from iamdesk.services.authorization.export import export_authorization_details
from iamdesk.store.copy import model_tables
from iamdesk.store.db import Database, open_database
from tests.pg_server import PASSWORD, PASSWORD_USER


def _everything(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every model table, in key order."""
    with db.read() as session:
        return {
            table.name: [
                tuple(row)
                for row in session.execute(select(table).order_by(*table.primary_key.columns)).all()
            ]
            for table in model_tables()
        }


def _exports(db: Database) -> dict[str, Any]:
    with db.read() as session:
        from iamdesk.store.tables import Account

        accounts = list(session.execute(select(Account.account_id)).scalars())
    return {a: export_authorization_details(db, a) for a in sorted(accounts)}


def test_a_file_goes_to_a_server_and_back_exactly(
    pg_cluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = demo.write_demo(tmp_path / "demo.sqlite")
    server = pg_cluster.tcp_url(pg_cluster.new_database(owner=PASSWORD_USER), password=PASSWORD)
    back = tmp_path / "back.sqlite"
    assert main(["db", "copy", str(source), server]) == 0
    out = capsys.readouterr().out
    assert "copied" in out and PASSWORD not in out
    assert f"postgresql://{PASSWORD_USER}@127.0.0.1" in out
    assert main(["db", "copy", server, str(back)]) == 0
    capsys.readouterr()
    with open_database(source) as a, open_database(server) as b, open_database(back) as c:
        rows = _everything(a)
        assert sum(len(v) for v in rows.values()) > 100
        assert _everything(b) == rows
        assert _everything(c) == rows
        exported = _exports(a)
        assert len(exported) == 3
        assert _exports(b) == exported
        assert _exports(c) == exported
        # The copy lives on: new rows get keys after the copied ones (PostgreSQL's sequences).
        users.create_user(b, "111122223333", "newcomer")
        users.create_user(c, "111122223333", "newcomer")
        after = max(row[0] for row in rows["iam_user"]) + 1
        assert [r[0] for r in _everything(b)["iam_user"]][-1] == after
        assert [r[0] for r in _everything(c)["iam_user"]][-1] == after


def test_copy_never_replaces_or_merges(
    pg_cluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "a.sqlite"
    with open_database(source) as db:
        users.create_user(db, None, "alice")
    existing = tmp_path / "existing.sqlite"
    existing.write_bytes(b"precious")
    assert main(["db", "copy", str(source), str(existing)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert existing.read_bytes() == b"precious"
    server = pg_cluster.new_model()
    with open_database(server) as db:
        users.create_user(db, None, "bob")
    assert main(["db", "copy", str(source), server]) == 1
    assert "already holds a model" in capsys.readouterr().err
    with open_database(server) as db:
        listed = [u["UserName"] for u in users.list_users(db, None)["Users"]]
    assert listed == ["bob"]
    assert main(["db", "copy", str(tmp_path / "missing.sqlite"), str(tmp_path / "x.sqlite")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "x.sqlite").exists()


def test_copy_prints_counts_as_one_line(tmp_path: Path, capsys) -> None:
    source = tmp_path / "a.sqlite"
    with open_database(source) as db:
        users.create_user(db, None, "alice")
    assert main(["db", "copy", str(source), str(tmp_path / "b.sqlite")]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("copied ") and str(tmp_path / "b.sqlite") in line
    with open_database(tmp_path / "b.sqlite") as db:
        assert json.dumps(users.get_user(db, None, "alice"))


def test_new_and_demo_refuse_a_server_url(pg_cluster, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = pg_cluster.url(pg_cluster.new_database())
    assert main(["--db", url, "new"]) == 1
    assert "empty database becomes a model when first opened" in capsys.readouterr().err
    assert main(["--db", url, "demo"]) == 1
    assert "db copy" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # no file named after the URL
