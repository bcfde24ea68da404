"""Replacing an account with a newer dump, its differences, and undoing an import exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from iamdesk.services import access_keys, login_profiles, user_credentials, users
from iamdesk.services.authorization.details import ImportFormatError
from iamdesk.services.importexport import export_authorization_details
from iamdesk.services.refresh import import_file, restore
from iamdesk.services.refresh.differences import differences
from iamdesk.store.db import Database, open_database
from tests.services.test_importexport import SAMPLE, _counts, _sample

ACCOUNT = "200611803367"
OTHER = "012345678901"


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "model.sqlite")


def _everything(db: Database) -> dict[str, Any]:
    """Every row of every table the import touches, keys included: "exactly as before"."""
    from iamdesk.store.copy import model_tables

    with db.read() as session:
        return {
            table.name: [
                tuple(r) for r in session.execute(select(table).order_by(*table.primary_key))
            ]
            for table in model_tables()
            if table.name != "change_log"
        }


def _newer() -> tuple[dict[str, Any], str, str]:
    data = _sample()
    gone = data["UserDetailList"].pop(0)["UserName"]
    kept = data["UserDetailList"][0]
    kept["Tags"] = [{"Key": "team", "Value": "platform"}]
    kept["AttachedManagedPolicies"] = []
    data["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {
        "Service": "lambda.amazonaws.com"
    }
    return data, gone, kept["UserName"]


def test_differences_name_what_a_replacement_would_change(db: Database) -> None:
    import_file(db, SAMPLE.read_bytes())
    before = _everything(db)
    data, gone, kept = _newer()
    found = differences(db, json.dumps(data))
    assert _everything(db) == before
    assert found["Accounts"] == [OTHER, ACCOUNT]
    assert found["Added"] == []
    assert [e["Name"] for e in found["Removed"]] == [gone]
    changed = {e["Name"]: e for e in found["Changed"]}
    fields = {c["Field"]: c for c in changed[kept]["Changes"]}
    assert fields["Tags"]["After"] == {"team": "platform"}
    assert fields["AttachedManagedPolicies"]["Removed"]
    role = data["RoleDetailList"][0]["RoleName"]
    assert [c["Field"] for c in changed[role]["Changes"]] == ["AssumeRolePolicyDocument"]
    assert len(changed) == 2
    # The same file again: nothing differs.
    assert differences(db, SAMPLE.read_bytes())["Changed"] == []


def test_replace_keeps_credentials_of_users_still_there_and_undo_is_exact(db: Database) -> None:
    import_file(db, SAMPLE.read_bytes())
    data, gone, kept = _newer()
    ssh = (Path(__file__).resolve().parents[1] / "data" / "keys" / "ssh2048.pub").read_text()
    for name in (gone, kept):
        access_keys.create_access_key(db, ACCOUNT, name)
        login_profiles.create_login_profile(db, ACCOUNT, name, "a-Long-passw0rd!")
    # A credential table added to the schema later is kept too (found from the foreign keys).
    user_credentials.upload_ssh_public_key(db, ACCOUNT, kept, ssh)
    before = _everything(db)
    outcome = import_file(db, json.dumps(data), replace=True)
    assert outcome.replaced
    names = {u["UserName"] for u in users.list_users(db, ACCOUNT)["Users"]}
    assert gone not in names and kept in names
    assert len(access_keys.list_access_keys(db, ACCOUNT, kept)["AccessKeyMetadata"]) == 1
    assert login_profiles.verify_password(db, ACCOUNT, kept, "a-Long-passw0rd!")
    assert len(user_credentials.list_ssh_public_keys(db, ACCOUNT, kept)["SSHPublicKeys"]) == 1
    after = _everything(db)
    restore(db, outcome.before)
    assert _everything(db) == before  # same keys, ids, dates, documents, secrets
    restore(db, outcome.after)
    assert _everything(db) == after


def test_a_new_import_undone_leaves_no_account_and_the_old_default(db: Database) -> None:
    before = _everything(db)
    default = db.default_account_id()
    outcome = import_file(db, SAMPLE.read_bytes())
    assert db.default_account_id() == ACCOUNT
    restore(db, outcome.before)
    assert _everything(db) == before and db.default_account_id() == default
    restore(db, outcome.after)
    assert export_authorization_details(db, ACCOUNT)["UserDetailList"]


def test_a_bad_newer_file_replaces_nothing(db: Database) -> None:
    import_file(db, SAMPLE.read_bytes())
    before = _counts(db)
    data, _, _ = _newer()
    data["RoleDetailList"][-1]["RoleName"] = "no spaces allowed"
    with pytest.raises(ImportFormatError) as caught:
        import_file(db, json.dumps(data), replace=True)
    assert caught.value.code == "ValidationError"
    assert _counts(db) == before


def test_without_replace_an_account_in_the_model_is_refused(db: Database) -> None:
    import_file(db, SAMPLE.read_bytes())
    with pytest.raises(ImportFormatError) as caught:
        import_file(db, SAMPLE.read_bytes())
    assert caught.value.code == "EntityAlreadyExists"


def test_the_command_line_diff_and_replace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from iamdesk.cli.main import main
    from iamdesk.store.db import new_database

    model = tmp_path / "m.sqlite"
    new_database(model).close()
    assert main(["--db", str(model), "import", str(SAMPLE)]) == 0
    capsys.readouterr()
    data, gone, _ = _newer()
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(data), encoding="utf-8")
    assert main(["--db", str(model), "import", str(newer), "--diff"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [e["Name"] for e in shown["Removed"]] == [gone]
    assert main(["--db", str(model), "import", str(newer)]) == 254  # the account exists
    assert "EntityAlreadyExists" in capsys.readouterr().err
    assert main(["--db", str(model), "import", str(newer), "--replace"]) == 0
    assert json.loads(capsys.readouterr().out)["replaced"] is True
    assert main(["--db", str(model), "import", str(newer), "--diff"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["Added"] == again["Removed"] == again["Changed"] == []
