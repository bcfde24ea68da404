"""``iamdesk import`` and ``iamdesk iam get-account-authorization-details``, run as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamdesk.cli.main import main
from iamdesk.store.db import new_database

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "authorization-details-example.json"
ACCOUNT = "200611803367"


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    db = tmp_path / "model.sqlite"
    new_database(db).close()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_import_then_export_gives_the_file_back(cli, tmp_path: Path) -> None:
    code, out, err = cli("import", str(SAMPLE))
    assert code == 0, err
    assert json.loads(out)["users"] == 44
    code, out, _ = cli("--account-id", ACCOUNT, "iam", "get-account-authorization-details")
    assert code == 0
    exported = json.loads(out)
    assert "IsTruncated" not in exported
    assert len(exported["UserDetailList"]) == 41 and len(exported["RoleDetailList"]) == 75
    again = tmp_path / "again.json"
    again.write_text(out, encoding="utf-8")
    other = tmp_path / "other.sqlite"
    new_database(other).close()
    assert main(["--db", str(other), "import", str(again)]) == 0
    assert (
        main(
            [
                "--db",
                str(other),
                "--account-id",
                ACCOUNT,
                "iam",
                "get-account-authorization-details",
            ]
        )
        == 0
    )


def test_filter_option_and_its_errors(cli) -> None:
    cli("import", str(SAMPLE))
    code, out, _ = cli(
        "--account-id",
        ACCOUNT,
        "iam",
        "get-account-authorization-details",
        "--filter",
        "Role",
        "Group",
    )
    assert code == 0 and set(json.loads(out)) == {"RoleDetailList", "GroupDetailList"}
    code, _, err = cli("iam", "get-account-authorization-details", "--filter", "Users")
    assert code == 254
    assert (
        "An error occurred (ValidationError) when calling the GetAccountAuthorizationDetails" in err
    )


def test_a_bad_file_says_where_and_changes_nothing(cli, tmp_path: Path) -> None:
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["RoleDetailList"][5]["AssumeRolePolicyDocument"] = "%7B%22Statement%22%3A"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, indent=4), encoding="utf-8")
    code, out, err = cli("import", str(bad))
    assert code == 254 and out == ""
    assert "RoleDetailList[5]" in err and "AssumeRolePolicyDocument" in err
    assert "(line " in err and "nothing was imported" in err
    code, out, _ = cli("--account-id", ACCOUNT, "iam", "get-account-authorization-details")
    assert json.loads(out)["UserDetailList"] == []
    code, _, err = cli("import", str(tmp_path / "missing.json"))
    assert code == 252 and "cannot read" in err


def test_import_reads_standard_input(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(SAMPLE.read_bytes())))
    code, out, err = cli("import", "-")
    assert code == 0, err
    assert json.loads(out)["roles"] == 78
