"""The model file: creation, pragmas, transactions, versions, damaged files."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from iamdesk.store import db as dbmod
from iamdesk.store import schema
from iamdesk.store.db import (
    SCHEMA_VERSION,
    CorruptDatabaseError,
    SchemaTooNewError,
    open_database,
)
from iamdesk.store.tables import DEFAULT_ACCOUNT_ID, Account, SchemaVersion, User


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _insert_user(session, name: str, uid: str) -> None:
    session.execute(
        insert(User.__table__),
        {
            "account_id": DEFAULT_ACCOUNT_ID,
            "name": name,
            "path": "/",
            "user_id": uid,
            "arn": f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:user/{name}",
            "create_date": "2026-01-01T00:00:00+00:00",
        },
    )


def test_new_file_is_private_and_has_default_account(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "model.sqlite"
    with open_database(path) as database:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert database.default_account_id() == DEFAULT_ACCOUNT_ID
        with database.read() as session:
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
            version = session.execute(select(SchemaVersion.version)).scalar()
    assert version == SCHEMA_VERSION


def test_transaction_rolls_back_whole_on_error(tmp_path: Path) -> None:
    with open_database(tmp_path / "m.sqlite") as database:
        with pytest.raises(RuntimeError), database.transaction() as session:
            _insert_user(session, "alice", "AIDAAAAAAAAAAAAAAAA1")
            raise RuntimeError("boom")
        with database.read() as session:
            assert session.execute(select(func.count()).select_from(User)).scalar() == 0


def test_names_unique_without_case_and_foreign_keys_enforced(tmp_path: Path) -> None:
    with open_database(tmp_path / "m.sqlite") as database:
        with database.transaction() as session:
            _insert_user(session, "Alice", "AIDAAAAAAAAAAAAAAAA1")
        with pytest.raises(IntegrityError), database.transaction() as session:
            _insert_user(session, "alice", "AIDAAAAAAAAAAAAAAAA2")
        with pytest.raises(IntegrityError), database.transaction() as session:
            session.execute(
                insert(User.__table__),
                {
                    "account_id": "999999999999",
                    "name": "x",
                    "path": "/",
                    "user_id": "AIDAAAAAAAAAAAAAAAA3",
                    "arn": "arn:aws:iam::999999999999:user/x",
                    "create_date": "2026-01-01T00:00:00+00:00",
                },
            )
        with database.read() as session:
            found = session.execute(select(User.name).where(User.name == "ALICE")).scalar()
        assert found == "Alice"


def test_reopen_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    with open_database(path) as database, database.transaction() as session:
        _insert_user(session, "bob", "AIDAAAAAAAAAAAAAAAA1")
    with open_database(path) as database, database.read() as session:
        assert session.execute(select(User.name)).scalars().all() == ["bob"]
        accounts = session.execute(select(func.count()).select_from(Account)).scalar()
    assert accounts == 1


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = _digest(path)
    with pytest.raises(SchemaTooNewError, match="newer iamdesk"):
        open_database(path)
    assert _digest(path) == before


@pytest.mark.parametrize(
    "content",
    [b"this is not a database at all" * 10, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["text", "garbage-after-header"],
)
def test_corrupt_file_is_refused_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "m.sqlite"
    path.write_bytes(content)
    with pytest.raises(CorruptDatabaseError, match=str(path.name)):
        open_database(path)
    assert path.read_bytes() == content


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    with pytest.raises(CorruptDatabaseError, match="not an iamdesk database"):
        open_database(path)


def test_unreadable_or_uncreatable_paths_raise_store_errors(tmp_path: Path) -> None:
    with pytest.raises(dbmod.StoreError, match="cannot be read"):
        open_database(tmp_path)  # a directory
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(dbmod.StoreError, match="cannot be created"):
        open_database(blocker / "sub" / "m.sqlite")


def test_tables_missing_from_an_existing_file_are_added(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE scenario")
    conn.commit()
    conn.close()
    with open_database(path) as database, database.read() as session:
        names = {row[0] for row in session.execute(text("SELECT name FROM sqlite_master"))}
    assert "scenario" in names


def test_change_log_names_the_local_user_by_default(tmp_path: Path) -> None:
    import getpass

    with open_database(tmp_path / "m.sqlite") as database:
        assert database.actor == getpass.getuser()
    with open_database(tmp_path / "m.sqlite", actor="alice@desk") as database:
        assert database.actor == "alice@desk"


def test_processes_creating_one_new_file_at_once_all_succeed(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "race.sqlite"
    code = (
        "import sys; from iamdesk.store.db import open_database; open_database(sys.argv[1]).close()"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path)]) for _ in range(4)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0, 0]
    with open_database(path) as database, database.read() as session:
        accounts = session.execute(select(func.count()).select_from(Account)).scalar()
    assert accounts == 1


def test_change_log_is_append_only(tmp_path: Path) -> None:
    from sqlalchemy.exc import DatabaseError

    from iamdesk.store.changelog import record_change

    with open_database(tmp_path / "m.sqlite") as database:
        with database.transaction() as session:
            record_change(
                session,
                at="2026-01-01T00:00:00+00:00",
                actor="t",
                account_id=DEFAULT_ACCOUNT_ID,
                operation="CreateUser",
                entity_type="user",
                entity_name="bob",
            )
        for statement in ("UPDATE change_log SET actor = 'x'", "DELETE FROM change_log"):
            with pytest.raises(DatabaseError, match="append-only"), database.transaction() as s:
                s.execute(text(statement))
        with database.read() as session:
            assert session.execute(text("SELECT actor FROM change_log")).scalars().all() == ["t"]


def test_indexes_missing_from_an_existing_file_are_added(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX ix_change_log_entity")
    conn.commit()
    conn.close()
    with open_database(path) as database, database.read() as session:
        names = {row[0] for row in session.execute(text("SELECT name FROM sqlite_master"))}
    assert "ix_change_log_entity" in names


def test_tables_sort_without_a_cycle_warning_and_the_org_key_still_holds(tmp_path: Path) -> None:
    import warnings

    from sqlmodel import SQLModel

    from iamdesk.store.tables import Organization

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        names = [t.name for t in SQLModel.metadata.sorted_tables]
    assert names.index("organization") < names.index("account")
    database = open_database(tmp_path / "m.db")
    with database, pytest.raises(IntegrityError), database.transaction() as session:
        session.execute(
            insert(Organization.__table__),
            {
                "id": "o-aaaaaaaaaa",
                "arn": "arn:aws:organizations::999999999999:organization/o-aaaaaaaaaa",
                "management_account_id": "999999999999",
                "create_date": "2026-01-01T00:00:00+00:00",
            },
        )


def test_a_file_made_before_the_named_org_key_opens_and_keeps_its_key(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.executescript(
        "PRAGMA writable_schema = ON;"
        "UPDATE sqlite_master SET sql = replace(sql, "
        "'CONSTRAINT fk_organization_management_account ', '') WHERE name = 'organization';"
        "PRAGMA writable_schema = OFF;"
    )
    conn.close()
    with open_database(path) as database, database.read() as session:
        ddl = session.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'organization'")
        ).scalar()
    assert "CONSTRAINT fk_organization" not in ddl
    assert "REFERENCES account (account_id) ON DELETE RESTRICT" in ddl


def test_an_up_to_date_file_opens_without_recreating_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.db"
    open_database(path).close()
    calls: list[object] = []
    real = schema.create_schema
    monkeypatch.setattr(schema, "create_schema", lambda conn: calls.append(conn) or real(conn))
    open_database(path).close()
    assert calls == []
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER change_log_no_delete")
    conn.commit()
    conn.close()
    with open_database(path) as database, database.read() as session:
        triggers = session.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        ).scalars()
        assert "change_log_no_delete" in set(triggers)
    assert len(calls) == 1


def test_schema_1_file_gains_the_analysis_tables(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite"
    open_database(path).close()
    # A file as iamdesk wrote it at schema 1: no activity or archived-finding tables.
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE activity")
    conn.execute("DROP TABLE archived_finding")
    for later in ("federated_session", "oidc_provider", "saml_provider"):  # schema 4's
        conn.execute(f"DROP TABLE {later}")
    conn.execute("UPDATE schema_version SET version = 1")
    conn.commit()
    conn.close()
    with open_database(path) as database, database.read() as session:
        assert session.execute(select(SchemaVersion.version)).scalar() == SCHEMA_VERSION
        names = {row[0] for row in session.execute(text("SELECT name FROM sqlite_master"))}
    assert {"activity", "archived_finding", "oidc_provider", "saml_provider"} <= names
