"""``iamdesk iam``: commands run the way a user types them; output and errors as the AWS CLI's."""

from __future__ import annotations

import base64
import csv
import io
import json
import time
from pathlib import Path

import pyotp
import pytest

from iamdesk.cli.main import main
from iamdesk.store.db import new_database

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
}


@pytest.fixture
def iam(model_place: Path | str, capsys: pytest.CaptureFixture[str]):
    db = model_place if isinstance(model_place, str) else model_place / "model.sqlite"
    if isinstance(db, Path):
        new_database(db).close()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), "iam", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_create_and_get_user_print_aws_json(iam) -> None:
    code, out, err = iam("create-user", "--user-name", "bob", "--path", "/eng/")
    assert code == 0 and err == ""
    assert out.startswith('{\n    "User": {\n        "Path": "/eng/"')
    created = json.loads(out)["User"]
    code, out, _ = iam("get-user", "--user-name", "bob")
    assert json.loads(out)["User"] == created


def test_service_error_matches_aws_cli(iam) -> None:
    code, out, err = iam("get-user", "--user-name", "bob")
    assert code == 254 and out == ""
    assert err == (
        "\nAn error occurred (NoSuchEntity) when calling the GetUser operation: "
        "The user with name bob cannot be found.\n"
    )


def test_missing_option_and_unknown_command_are_usage_errors(iam) -> None:
    code, _, err = iam("get-user")
    assert code == 252 and "--user-name" in err
    code, _, err = iam("get-usr", "--user-name", "x")
    assert code == 252 and "Invalid choice 'get-usr'" in err


def test_empty_results_print_nothing(iam) -> None:
    iam("create-group", "--group-name", "devs")
    iam("create-user", "--user-name", "bob")
    assert iam("add-user-to-group", "--group-name", "devs", "--user-name", "bob") == (0, "", "")
    _, out, _ = iam("list-groups-for-user", "--user-name", "bob")
    assert [g["GroupName"] for g in json.loads(out)["Groups"]] == ["devs"]
    assert "IsTruncated" not in json.loads(out)


def test_file_values_and_shorthand_tags(iam, tmp_path: Path) -> None:
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(TRUST), encoding="utf-8")
    code, out, err = iam(
        "create-role",
        "--role-name",
        "web",
        "--assume-role-policy-document",
        f"file://{trust}",
        "--tags",
        "Key=env,Value=prod",
        "Key=team,Value=web",
    )
    assert code == 0, err
    role = json.loads(out)["Role"]
    assert role["AssumeRolePolicyDocument"] == TRUST
    assert role["Tags"] == [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "web"}]
    code, out, _ = iam("list-role-tags", "--role-name", "web")
    assert json.loads(out)["Tags"][1] == {"Key": "team", "Value": "web"}


def test_policy_versions_and_attachments(iam) -> None:
    _, out, _ = iam(
        "create-policy", "--policy-name", "List", "--policy-document", json.dumps(POLICY)
    )
    arn = json.loads(out)["Policy"]["Arn"]
    _, out, _ = iam(
        "create-policy-version",
        "--policy-arn",
        arn,
        "--policy-document",
        json.dumps(POLICY),
        "--set-as-default",
    )
    assert json.loads(out)["PolicyVersion"] == {
        "VersionId": "v2",
        "IsDefaultVersion": True,
        "CreateDate": json.loads(out)["PolicyVersion"]["CreateDate"],
    }
    iam("create-user", "--user-name", "bob")
    assert iam("attach-user-policy", "--user-name", "bob", "--policy-arn", arn)[0] == 0
    _, out, _ = iam("list-entities-for-policy", "--policy-arn", arn)
    assert json.loads(out)["PolicyUsers"][0]["UserName"] == "bob"
    code, _, err = iam("delete-policy", "--policy-arn", arn)
    assert code == 254 and "(DeleteConflict) when calling the DeletePolicy operation" in err


def test_malformed_policy_is_reported(iam) -> None:
    code, _, err = iam("create-policy", "--policy-name", "Bad", "--policy-document", "{nope")
    assert code == 254
    assert "An error occurred (MalformedPolicyDocument) when calling the CreatePolicy" in err
    assert "(line 1, column 2)" in err  # says where


def test_aws_managed_policy_cannot_change(iam) -> None:
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    code, _, err = iam(
        "create-policy-version", "--policy-arn", arn, "--policy-document", json.dumps(POLICY)
    )
    assert code == 254 and "(UnmodifiableEntity)" in err
    _, out, _ = iam("get-policy", "--policy-arn", arn)
    assert json.loads(out)["Policy"]["PolicyName"] == "ReadOnlyAccess"


def test_virtual_mfa_outfile_and_enable(iam, tmp_path: Path) -> None:
    iam("create-user", "--user-name", "bob")
    seed_file = tmp_path / "seed.txt"
    code, out, err = iam(
        "create-virtual-mfa-device",
        "--virtual-mfa-device-name",
        "bob",
        "--outfile",
        str(seed_file),
        "--bootstrap-method",
        "Base32StringSeed",
    )
    assert code == 0, err
    serial = json.loads(out)["VirtualMFADevice"]["SerialNumber"]
    assert serial == "arn:aws:iam::123456789012:mfa/bob"
    totp = pyotp.TOTP(seed_file.read_text())
    # The CLI runs on the real clock: two consecutive codes from now.
    now = int(time.time())
    code, _, err = iam(
        "enable-mfa-device",
        "--user-name",
        "bob",
        "--serial-number",
        serial,
        "--authentication-code1",
        totp.at(now),
        "--authentication-code2",
        totp.at(now + 30),
    )
    assert code == 0, err
    _, out, _ = iam("list-mfa-devices", "--user-name", "bob")
    assert json.loads(out)["MFADevices"][0]["SerialNumber"] == serial
    png = tmp_path / "qr.png"
    iam(
        "create-virtual-mfa-device",
        "--virtual-mfa-device-name",
        "spare",
        "--outfile",
        str(png),
        "--bootstrap-method",
        "QRCodePNG",
    )
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_credential_report_content_is_base64_csv(iam) -> None:
    iam("create-user", "--user-name", "bob")
    iam("create-access-key", "--user-name", "bob")
    _, out, _ = iam("generate-credential-report")
    assert json.loads(out)["State"] == "STARTED"
    _, out, _ = iam("get-credential-report")
    report = json.loads(out)
    rows = list(csv.DictReader(io.StringIO(base64.b64decode(report["Content"]).decode())))
    assert [r["user"] for r in rows] == ["<root_account>", "bob"]
    assert rows[1]["access_key_1_active"] == "true"
    assert rows[1]["password_enabled"] == "false"


def test_account_option_selects_account(iam, model_place: Path | str, capsys) -> None:
    db = model_place if isinstance(model_place, str) else model_place / "model.sqlite"
    code = main(["--db", str(db), "--account-id", "111122223333", "iam", "list-users"])
    err = capsys.readouterr().err
    assert code == 254 and "111122223333" in err


def test_pagination_prints_next_token(iam) -> None:
    for name in ("a", "b", "c"):
        iam("create-user", "--user-name", name)
    _, out, _ = iam("list-users", "--max-items", "2")
    page = json.loads(out)
    assert [u["UserName"] for u in page["Users"]] == ["a", "b"] and "IsTruncated" not in page
    _, out, _ = iam("list-users", "--starting-token", page["NextToken"])
    assert [u["UserName"] for u in json.loads(out)["Users"]] == ["c"]
    code, _, err = iam("list-users", "--starting-token", "b")
    assert code == 252 and "Bad starting token: b" in err


def test_aws_cli_global_options_from_documentation_are_accepted(iam) -> None:
    code, out, err = iam(
        "create-user", "--user-name", "bob", "--profile", "dev", "--region", "us-east-1",
        "--output", "json", "--no-cli-pager",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["User"]["UserName"] == "bob"
    code, out, err = iam("get-user", "--user-name", "bob", "--output", "table")
    assert code == 0 and out.splitlines()[1].strip("| ") == "GetUser"


def test_a_broken_command_module_costs_only_its_commands(
    iam, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iamdesk.cli import iam as iam_module

    (tmp_path / "broken_iam_ext.py").write_text("from no_such_package_here import thing\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(
        iam_module, "EXTENSION_MODULES", ("broken_iam_ext", *iam_module.EXTENSION_MODULES)
    )
    monkeypatch.setattr(iam_module, "COMMANDS", {})
    code, out, _ = iam("list-users")
    assert code == 0 and json.loads(out) == {"Users": []}


def test_damaged_model_file_is_reported_not_touched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"definitely not sqlite" * 20)
    code = main(["--db", str(bad), "iam", "list-users"])
    err = capsys.readouterr().err
    assert code == 255
    assert "is not an iamdesk database" in err and "Traceback" not in err
    assert bad.read_bytes() == b"definitely not sqlite" * 20


def test_aws_documented_user_deletion_runs_unchanged(iam) -> None:
    """The IAM User Guide's "Deleting an IAM user (AWS CLI)" steps, in its order."""
    iam("create-user", "--user-name", "Bob")
    iam("create-login-profile", "--user-name", "Bob", "--password", "Correct-Horse-9")
    key = json.loads(iam("create-access-key", "--user-name", "Bob")[1])["AccessKey"]
    iam("create-group", "--group-name", "Admins")
    iam("add-user-to-group", "--group-name", "Admins", "--user-name", "Bob")
    iam("put-user-policy", "--user-name", "Bob", "--policy-name", "Inline",
        "--policy-document", json.dumps(POLICY))  # fmt: skip
    iam("attach-user-policy", "--user-name", "Bob",
        "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")  # fmt: skip
    code, _, err = iam("delete-user", "--user-name", "Bob")
    assert code == 254 and "(DeleteConflict)" in err

    assert iam("delete-login-profile", "--user-name", "Bob")[0] == 0
    keys = json.loads(iam("list-access-keys", "--user-name", "Bob")[1])["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [key["AccessKeyId"]]
    for k in keys:
        iam("delete-access-key", "--user-name", "Bob", "--access-key-id", k["AccessKeyId"])
    for command, field in (
        ("list-signing-certificates", "Certificates"),
        ("list-ssh-public-keys", "SSHPublicKeys"),
        ("list-service-specific-credentials", "ServiceSpecificCredentials"),
        ("list-mfa-devices", "MFADevices"),
    ):
        code, out, _ = iam(command, "--user-name", "Bob")
        assert code == 0 and json.loads(out)[field] == []
    for name in json.loads(iam("list-user-policies", "--user-name", "Bob")[1])["PolicyNames"]:
        iam("delete-user-policy", "--user-name", "Bob", "--policy-name", name)
    attached = json.loads(iam("list-attached-user-policies", "--user-name", "Bob")[1])
    for policy in attached["AttachedPolicies"]:
        iam("detach-user-policy", "--user-name", "Bob", "--policy-arn", policy["PolicyArn"])
    for group in json.loads(iam("list-groups-for-user", "--user-name", "Bob")[1])["Groups"]:
        iam("remove-user-from-group", "--user-name", "Bob", "--group-name", group["GroupName"])
    assert iam("delete-user", "--user-name", "Bob") == (0, "", "")
    assert iam("get-user", "--user-name", "Bob")[0] == 254
