"""Principals are entities: a trust or resource policy keeps a user or role by its unique ID.

Run as a user would: a policy naming a user that does not exist is refused; after the user is
deleted the policy shows the old ID, and a user created again under the same name is not
trusted (simulate and assume-role both deny); export and import keep the ID."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamdesk.cli.main import main
from iamdesk.store.db import new_database

ACCOUNT = "123456789012"
OTHER = "999988887777"  # not modelled: taken on trust, as today
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Deploy"


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    db = tmp_path / "model.sqlite"
    new_database(db).close()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def _trust(*principals: str, condition: dict | None = None) -> str:
    statement: dict = {
        "Effect": "Allow",
        "Principal": {"AWS": list(principals)},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=2)


def _create_role(cli, trust: str) -> tuple[int, str, str]:
    return cli("iam", "create-role", "--role-name", "Deploy",
               "--assume-role-policy-document", trust)  # fmt: skip


def _trust_of(cli) -> dict:
    code, out, err = cli("iam", "get-role", "--role-name", "Deploy")
    assert code == 0, err
    return json.loads(out)["Role"]["AssumeRolePolicyDocument"]


def _user_id(cli, name: str = "bob") -> str:
    return json.loads(cli("iam", "get-user", "--user-name", name)[1])["User"]["UserId"]


def _simulate(cli, arn: str = BOB) -> str:
    code, out, err = cli("iam", "simulate-principal-policy", "--policy-source-arn", arn,
                         "--action-names", "sts:AssumeRole", "--resource-arns", ROLE)  # fmt: skip
    assert code == 0, err
    return json.loads(out)["EvaluationResults"][0]["EvalDecision"]


def _allow_assume(cli) -> None:
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})  # fmt: skip
    code, _, err = cli("iam", "put-user-policy", "--user-name", "bob", "--policy-name", "assume",
                       "--policy-document", policy)  # fmt: skip
    assert code == 0, err


def test_a_trust_naming_a_missing_user_or_role_is_refused_and_nothing_is_written(cli) -> None:
    code, _, err = _create_role(cli, _trust(f"arn:aws:iam::{OTHER}:root", BOB))
    assert code == 254
    assert err.strip() == (
        "An error occurred (MalformedPolicyDocument) when calling the CreateRole operation: "
        f'Invalid principal in policy: "AWS":"{BOB}"'
    )
    assert json.loads(cli("iam", "list-roles")[1])["Roles"] == []
    ghost_role = f"arn:aws:iam::{ACCOUNT}:role/Ghost"
    assert "Ghost" in _create_role(cli, _trust(ghost_role))[2]
    # Accounts the model does not hold, roots, services and "*" are accepted as before.
    others = (f"arn:aws:iam::{OTHER}:user/anyone", f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT)
    assert _create_role(cli, _trust(*others))[0] == 0
    # update-assume-role-policy refuses the same and keeps the old document.
    code, _, err = cli("iam", "update-assume-role-policy", "--role-name", "Deploy",
                       "--policy-document", _trust(BOB))  # fmt: skip
    assert code == 254 and "(MalformedPolicyDocument)" in err and BOB in err
    assert _trust_of(cli)["Statement"][0]["Principal"]["AWS"] == list(others)


def test_deleting_and_recreating_the_user_breaks_the_trust(cli) -> None:
    assert cli("iam", "create-user", "--user-name", "bob")[0] == 0
    old_id = _user_id(cli)
    _allow_assume(cli)
    condition = {"StringEquals": {"aws:PrincipalArn": BOB}}  # conditions keep the ARN, as AWS
    assert _create_role(cli, _trust(BOB, condition=condition))[0] == 0
    assert _trust_of(cli)["Statement"][0]["Principal"]["AWS"] == [BOB]
    assert _simulate(cli) == "allowed"
    assume = ("sts", "assume-role", "--role-arn", ROLE, "--role-session-name", "s1",
              "--caller-arn", BOB)  # fmt: skip
    assert cli(*assume)[0] == 0

    assert cli("iam", "delete-user-policy", "--user-name", "bob", "--policy-name", "assume")[0] == 0
    assert cli("iam", "delete-user", "--user-name", "bob")[0] == 0
    statement = _trust_of(cli)["Statement"][0]
    assert statement["Principal"]["AWS"] == [old_id] and old_id.startswith("AIDA")
    assert statement["Condition"]["StringEquals"]["aws:PrincipalArn"] == BOB

    assert cli("iam", "create-user", "--user-name", "bob")[0] == 0
    assert _user_id(cli) != old_id
    _allow_assume(cli)
    assert _trust_of(cli)["Statement"][0]["Principal"]["AWS"] == [old_id]
    assert _simulate(cli) == "implicitDeny"
    code, _, err = cli(*assume)
    assert code == 254 and "(AccessDenied)" in err
    # Saving the document as shown keeps the old ID (it names nobody the model holds).
    code, _, err = cli("iam", "update-assume-role-policy", "--role-name", "Deploy",
                       "--policy-document", json.dumps(_trust_of(cli)))  # fmt: skip
    assert code == 0, err
    # Naming the new user again (by ARN) trusts it.
    assert cli("iam", "update-assume-role-policy", "--role-name", "Deploy",
               "--policy-document", _trust(BOB))[0] == 0  # fmt: skip
    assert _simulate(cli) == "allowed"


def test_resource_policies_keep_principals_by_id_and_a_renamed_user_stays_named(cli) -> None:
    assert cli("iam", "create-user", "--user-name", "bob")[0] == 0
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": BOB}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::reports/*"}]})  # fmt: skip
    assert cli("s3api", "create-bucket", "--bucket", "reports")[0] == 0
    missing = policy.replace("user/bob", "user/nobody")
    code, _, err = cli("s3api", "put-bucket-policy", "--bucket", "reports", "--policy", missing)
    assert code == 254 and "(MalformedPolicy)" in err and "user/nobody" in err
    assert "(NoSuchBucketPolicy)" in cli("s3api", "get-bucket-policy", "--bucket", "reports")[2]
    assert cli("s3api", "put-bucket-policy", "--bucket", "reports", "--policy", policy)[0] == 0

    code, out, err = cli("kms", "create-key", "--policy", missing)
    assert code == 254 and "(MalformedPolicyDocumentException)" in err
    code, out, err = cli("kms", "create-key", "--policy", policy.replace("s3:GetObject", "kms:*")
                         .replace("arn:aws:s3:::reports/*", "*"))  # fmt: skip
    assert code == 0, err
    key = json.loads(out)["KeyMetadata"]["KeyId"]

    def principals() -> tuple[str, str]:
        bucket = json.loads(json.loads(cli("s3api", "get-bucket-policy", "--bucket", "reports")[1])
                            ["Policy"])  # fmt: skip
        kms = json.loads(json.loads(cli("kms", "get-key-policy", "--key-id", key)[1])["Policy"])
        return bucket["Statement"][0]["Principal"]["AWS"], kms["Statement"][0]["Principal"]["AWS"]

    assert cli("iam", "update-user", "--user-name", "bob", "--new-user-name", "robert",
               "--new-path", "/staff/")[0] == 0  # fmt: skip
    renamed = f"arn:aws:iam::{ACCOUNT}:user/staff/robert"
    assert principals() == (renamed, renamed)
    user_id = _user_id(cli, "robert")
    assert cli("iam", "delete-user", "--user-name", "robert")[0] == 0
    assert principals() == (user_id, user_id)


def test_export_and_import_keep_the_unique_id(cli, tmp_path: Path, capsys) -> None:
    assert cli("iam", "create-user", "--user-name", "bob")[0] == 0
    old_id = _user_id(cli)
    assert _create_role(cli, _trust(BOB))[0] == 0
    assert cli("iam", "delete-user", "--user-name", "bob")[0] == 0
    code, out, _ = cli("iam", "get-account-authorization-details")
    assert code == 0
    exported = json.loads(out)
    (role,) = exported["RoleDetailList"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"] == [old_id]
    source = tmp_path / "details.json"
    source.write_text(out, encoding="utf-8")
    other = tmp_path / "other.sqlite"
    new_database(other).close()
    assert main(["--db", str(other), "--account-id", ACCOUNT, "import", str(source)]) == 0
    capsys.readouterr()
    assert main(["--db", str(other), "--account-id", ACCOUNT, "iam", "get-role",
                 "--role-name", "Deploy"]) == 0  # fmt: skip
    trust = json.loads(capsys.readouterr().out)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"]["AWS"] == [old_id]
