"""``iamdesk sts`` as the AWS documentation uses it: the caller from AWS_ACCESS_KEY_ID or
--caller-arn, and a cross-account role that requires an external ID."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamdesk.cli.main import main
from iamdesk.store.db import new_database

ACCOUNT = "123456789012"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    db = tmp_path / "model.sqlite"
    new_database(db).close()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_external_id_is_what_the_trust_policy_checks(cli, tmp_path: Path) -> None:
    assert cli("iam", "create-user", "--user-name", "bob")[0] == 0
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": BOB}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "Unique-ID-42"}},
        }],
    }), encoding="utf-8")  # fmt: skip
    assert cli("iam", "create-role", "--role-name", "Vendor",
               "--assume-role-policy-document", f"file://{trust}")[0] == 0  # fmt: skip
    role = f"arn:aws:iam::{ACCOUNT}:role/Vendor"
    base = ("sts", "assume-role", "--role-arn", role, "--role-session-name", "v1",
            "--caller-arn", BOB)  # fmt: skip
    code, _, err = cli(*base)
    assert code == 254 and "(AccessDenied)" in err
    code, _, err = cli(*base, "--external-id", "Wrong-ID")
    assert code == 254 and "(AccessDenied)" in err
    code, out, err = cli(*base, "--external-id", "Unique-ID-42", "--query",
                         "AssumedRoleUser.Arn", "--output", "text")  # fmt: skip
    assert (code, out) == (0, f"arn:aws:sts::{ACCOUNT}:assumed-role/Vendor/v1\n"), err
    code, _, err = cli(*base, "--external-id", "x")  # the CLI's own length check
    assert code == 252 and "Invalid length for parameter ExternalId" in err
    code, _, err = cli(*base, "--external-id", "has space")  # STS's pattern
    assert code == 254 and "(ValidationError)" in err


def test_get_caller_identity_from_the_environment_or_caller_arn(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("iam", "create-user", "--user-name", "bob")[0] == 0
    code, out, _ = cli("iam", "create-access-key", "--user-name", "bob")
    key = json.loads(out)["AccessKey"]["AccessKeyId"]
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    code, _, err = cli("sts", "get-caller-identity")
    assert code == 253 and "Unable to locate credentials" in err
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    code, out, _ = cli("sts", "get-caller-identity", "--output", "text")
    assert code == 0 and out.split() == [ACCOUNT, BOB, json.loads(cli("iam", "get-user",
        "--user-name", "bob")[1])["User"]["UserId"]]  # fmt: skip
    code, out, _ = cli("sts", "get-caller-identity", "--caller-arn", BOB, "--query", "Arn")
    assert (code, json.loads(out)) == (0, BOB)
