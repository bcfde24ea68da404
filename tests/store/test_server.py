"""A model on a PostgreSQL server: opened from the command line with libpq's passwords, the password
shown nowhere, a role that may only read opens it read-only."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import text

from iamdesk.cli.main import main
from iamdesk.services import users
from iamdesk.services.errors import IamError
from iamdesk.store.db import StoreError, open_database
from iamdesk.store.server import ReadOnlyModelError
from tests.pg_server import PASSWORD, PASSWORD_USER


@pytest.fixture
def owned(pg_cluster) -> str:
    """A new, empty database that the password-login role owns; its name."""
    return str(pg_cluster.new_database(owner=PASSWORD_USER))


def _everything_printed(capsys: pytest.CaptureFixture[str], caplog) -> str:
    captured = capsys.readouterr()
    return captured.out + captured.err + caplog.text


def test_cli_with_password_in_url_never_shows_it(
    pg_cluster, owned: str, capsys, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = pg_cluster.tcp_url(owned, password=PASSWORD)
    assert main(["--db", url, "iam", "create-user", "--user-name", "bob"]) == 0
    assert main(["--db", url, "iam", "list-users"]) == 0
    printed = _everything_printed(capsys, caplog)
    assert '"UserName": "bob"' in printed
    with open_database(url) as database:
        assert PASSWORD not in database.location
        assert database.location.startswith(f"postgresql://{PASSWORD_USER}@127.0.0.1:")
        with database.read() as session:
            entries = [str(r) for r in session.execute(text("SELECT * FROM change_log"))]
    assert entries and not any(PASSWORD in e for e in entries)
    assert PASSWORD not in printed


def test_wrong_password_error_names_the_server_not_the_password(
    pg_cluster, owned: str, capsys, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "Wrong-Secret-99"
    url = pg_cluster.tcp_url(owned, password=wrong)
    with pytest.raises(StoreError) as caught:
        open_database(url)
    message = str(caught.value)
    assert "password authentication failed" in message
    assert f"postgresql://{PASSWORD_USER}@127.0.0.1" in message
    code = main(["--db", url, "iam", "list-users"])
    printed = _everything_printed(capsys, caplog)
    assert code != 0 and "password authentication failed" in printed
    assert wrong not in message and wrong not in printed


def test_password_from_pgpassword_and_pgpass(
    pg_cluster, owned: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = pg_cluster.tcp_url(owned)  # no password in the URL
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    with open_database(url) as database:
        assert database.default_account_id() == "123456789012"
    monkeypatch.delenv("PGPASSWORD")
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{pg_cluster.port}:{owned}:{PASSWORD_USER}:{PASSWORD}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    with open_database(url) as database:
        users.create_user(database, None, "carol")
        assert users.get_user(database, None, "CAROL")["User"]["UserName"] == "carol"


def test_a_role_that_may_only_read_opens_the_model_read_only(
    pg_cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    name = pg_cluster.new_database()
    with open_database(pg_cluster.url(name)) as database:
        users.create_user(database, None, "bob")
    pg_cluster.sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader", database=name)
    reader_url = pg_cluster.url(name, user="reader")
    with open_database(reader_url) as database:
        assert database.read_only
        assert users.get_user(database, None, "bob")["User"]["UserName"] == "bob"
        with pytest.raises(ReadOnlyModelError, match="read-only"):
            users.create_user(database, None, "mallory")
    code = main(["--db", reader_url, "iam", "create-user", "--user-name", "mallory"])
    err = capsys.readouterr().err
    assert code != 0 and "read-only" in err
    with open_database(pg_cluster.url(name)) as database:
        assert not database.read_only
        with pytest.raises(IamError):
            users.get_user(database, None, "mallory")
    assert main(["--db", reader_url, "iam", "list-users"]) == 0
    assert [u["UserName"] for u in json.loads(capsys.readouterr().out)["Users"]] == ["bob"]


def test_a_role_that_may_not_create_tables_gets_a_clear_message(pg_cluster) -> None:
    name = pg_cluster.new_database()
    pg_cluster.sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC", database=name)
    with pytest.raises(StoreError, match="may not create one"):
        open_database(pg_cluster.url(name, user="reader"))


def test_simulation_on_the_server_follows_each_change(pg_cluster, capsys) -> None:
    url = pg_cluster.new_model()
    policy = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
    )

    def simulate() -> str:
        bob = "arn:aws:iam::123456789012:user/bob"
        assert main(["--db", url, "iam", "simulate-principal-policy", "--policy-source-arn", bob,
                     "--action-names", "s3:GetObject"]) == 0  # fmt: skip
        return str(json.loads(capsys.readouterr().out)["EvaluationResults"][0]["EvalDecision"])

    with open_database(url) as database:
        users.create_user(database, None, "bob")
        assert simulate() == "implicitDeny"
        assert main(["--db", url, "iam", "put-user-policy", "--user-name", "bob",
                     "--policy-name", "s3", "--policy-document", policy]) == 0  # fmt: skip
        capsys.readouterr()
        assert simulate() == "allowed"


def test_a_file_made_after_a_server_model_keeps_the_organization_key(
    pg_cluster, tmp_path: Path
) -> None:
    """create_all on PostgreSQL adds that key by ALTER and used to mark it "not inline" on the
    shared tables, so a file created next in the same process lacked it."""
    open_database(pg_cluster.new_model()).close()
    path = tmp_path / "after.sqlite"
    with open_database(path) as database, database.read() as session:
        ddl = session.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'organization'")
        ).scalar()
    assert "REFERENCES account (account_id)" in ddl


def test_an_import_and_a_copy_leave_the_planner_knowing_the_new_rows(
    pg_cluster, tmp_path: Path
) -> None:
    """Both end with ANALYZE in their transaction: the server's statistics count the new rows
    at once (before, a never-analyzed table reads as -1 rows, and a page of a big account
    was read by sorting all of it), and the statistics commit with the rows."""
    from iamdesk.services.importexport import import_authorization_details
    from iamdesk.store.copy import copy_model

    document = (
        Path(__file__).parents[1] / "data" / "authorization-details-example.json"
    ).read_text()

    def counted(url: str) -> dict[str, float]:
        with open_database(url) as database, database.read() as session:
            rows = session.execute(
                text(
                    "SELECT relname, reltuples FROM pg_class"
                    " WHERE relname IN ('iam_user', 'iam_role', 'managed_policy')"
                )
            ).all()
        return {name: float(tuples) for name, tuples in rows}

    url = pg_cluster.new_model()
    assert set(counted(url).values()) == {-1.0}  # never analyzed
    with open_database(url) as database:
        summary = import_authorization_details(database, document)
    after = counted(url)
    assert after["iam_user"] == summary.users and after["iam_role"] == summary.roles > 0

    source = tmp_path / "model.sqlite"
    with open_database(source) as file_model:
        import_authorization_details(file_model, document)
    copied = pg_cluster.url(pg_cluster.new_database())
    with open_database(source) as file_model, open_database(copied) as server_model:
        copy_model(file_model, server_model)
    assert counted(copied)["iam_user"] == summary.users
