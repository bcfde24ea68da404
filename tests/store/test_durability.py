"""Atomicity, crash safety and two writers on one file."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from iamdesk.services import entities, policies, users
from iamdesk.services.errors import IamError
from iamdesk.store.db import open_database
from iamdesk.store.tables import ChangeLogEntry, User
from tests.services.store_fixtures import ALLOW_S3, make_db, table_counts


def test_failure_after_writes_rolls_back_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path)
    users.create_user(db, None, "alice")
    before = table_counts(db)

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    # The change log is written last, after the rows and tags: fail there.
    monkeypatch.setattr(entities, "record_change", explode)
    with pytest.raises(RuntimeError):
        users.create_user(db, None, "bob", tags=[{"Key": "k", "Value": "v"}])
    with pytest.raises(RuntimeError):
        policies.create_policy(db, None, "P", ALLOW_S3, tags=[{"Key": "k", "Value": "v"}])
    assert table_counts(db) == before
    monkeypatch.undo()
    users.create_user(db, None, "bob")  # the name was never taken


def test_error_mid_operation_changes_nothing(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    users.create_user(db, None, "bob")
    users.create_user(db, None, "carol")
    before = table_counts(db)
    # Renaming onto a taken name fails inside the transaction, after the lookups: nothing moves.
    with pytest.raises(IamError):
        users.update_user(db, None, "bob", new_user_name="carol", new_path="/moved/")
    assert table_counts(db) == before
    assert users.get_user(db, None, "bob")["User"]["Path"] == "/"


WRITER = textwrap.dedent(
    """
    import sys
    from iamdesk.services import users
    from iamdesk.store.db import open_database

    db = open_database(sys.argv[1])
    for i in range(100000):
        users.create_user(db, None, f"user{i:06d}", tags=[{"Key": "n", "Value": str(i)}])
        print(f"user{i:06d}", flush=True)
    """
)


def test_killed_writer_leaves_intact_file_with_every_commit(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite"
    open_database(path).close()
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    committed: list[str] = []
    assert process.stdout is not None
    while len(committed) < 40:
        line = process.stdout.readline()
        assert line, "writer stopped early"
        committed.append(line.strip())
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    # Lines printed before the kill but not read yet are commits too.
    committed += [line.strip() for line in process.stdout.read().splitlines() if line.strip()]
    process.stdout.close()

    with open_database(path) as db, db.read() as session:  # open_database runs quick_check
        names = set(session.execute(select(User.name)).scalars())
        logged = set(
            session.execute(
                select(ChangeLogEntry.entity_name).where(ChangeLogEntry.operation == "CreateUser")
            ).scalars()
        )
    assert set(committed) <= names
    # At most the one operation in flight after the last line printed may also have committed.
    assert len(names) - len(committed) <= 1
    assert logged == names  # each user and its log entry committed together


def test_two_databases_on_one_file_both_write(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    first, second = open_database(path), open_database(path)
    failures: list[BaseException] = []

    def write(db, prefix: str) -> None:
        try:
            for i in range(25):
                users.create_user(db, None, f"{prefix}{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [
        threading.Thread(target=write, args=(first, "a")),
        threading.Thread(target=write, args=(second, "b")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(users.list_users(first, None)["Users"]) == 50
    first.close()
    second.close()
