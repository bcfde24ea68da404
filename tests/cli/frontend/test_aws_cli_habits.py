"""The AWS CLI's everyday habits, typed as a user types them (``iamdesk`` for ``aws``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from iamdesk.cli.main import main
from iamdesk.store.db import new_database


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    db = tmp_path / "model.sqlite"
    new_database(db).close()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def users(cli):
    for name, path in (("alice", "/eng/"), ("bob", "/"), ("carol", "/eng/")):
        assert cli("iam", "create-user", "--user-name", name, "--path", path)[0] == 0
    return cli


def test_query_and_text_output_from_the_documentation(users) -> None:
    code, out, err = users("iam", "list-users", "--query", "Users[].UserName", "--output", "text")
    assert (code, out, err) == (0, "alice\tbob\tcarol\n", "")


def test_global_options_before_the_service_and_between_service_and_command(users) -> None:
    for args in (
        ("--output", "text", "iam", "list-users", "--query", "Users[0].UserName"),
        ("iam", "--output", "text", "list-users", "--query", "Users[0].UserName"),
        ("iam", "list-users", "--output=text", "--query=Users[0].UserName"),
    ):
        assert users(*args)[:2] == (0, "alice\n"), args


def test_every_output_format(users) -> None:
    _, out, _ = users("iam", "get-user", "--user-name", "bob", "--output", "table")
    assert out.splitlines()[1].strip("| ") == "GetUser"
    assert "||  UserName   |  bob" in out
    _, out, _ = users("iam", "get-user", "--user-name", "bob", "--output", "yaml")
    assert yaml.safe_load(out)["User"]["UserName"] == "bob"
    _, out, _ = users("iam", "get-user", "--user-name", "bob", "--output", "yaml-stream")
    assert yaml.safe_load(out)[0]["User"]["Path"] == "/"
    _, out, _ = users("iam", "get-user", "--user-name", "bob", "--output", "text")
    assert out.startswith("USER\tarn:aws:iam::123456789012:user/bob\t")
    code, _, err = users("iam", "list-users", "--output", "xml")
    assert code == 252 and "--output: Invalid choice" in err


def test_non_ascii_prints_as_characters(cli, tmp_path: Path) -> None:
    trust = tmp_path / "trust.json"
    trust.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    code, out, err = cli(
        "iam", "create-role", "--role-name", "app", "--description", "Café für Zoë",
        "--assume-role-policy-document", f"file://{trust}",
    )  # fmt: skip
    assert code == 0, err
    assert '"Description": "Café für Zoë"' in out and "\\u00e9" not in out


def test_pagination_as_the_cli_pages(users) -> None:
    code, out, _ = users("iam", "list-users", "--max-items", "2")
    first = json.loads(out)
    assert [u["UserName"] for u in first["Users"]] == ["alice", "bob"]
    assert set(first) == {"Users", "NextToken"}
    _, out, _ = users("iam", "list-users", "--starting-token", first["NextToken"])
    assert [u["UserName"] for u in json.loads(out)["Users"]] == ["carol"]
    # --page-size changes the calls, not the result; --max-items has no invented limit.
    _, out, _ = users("iam", "list-users", "--page-size", "1", "--max-items", "1500")
    assert [u["UserName"] for u in json.loads(out)["Users"]] == ["alice", "bob", "carol"]
    # --no-paginate: one call, the API's own MaxItems/Marker/IsTruncated.
    _, out, _ = users("iam", "list-users", "--no-paginate", "--max-items", "1")
    raw = json.loads(out)
    assert raw["IsTruncated"] is True and raw["Marker"] == "alice" and len(raw["Users"]) == 1
    code, _, err = users("iam", "list-users", "--no-paginate", "--starting-token", "x")
    assert code == 252 and "Cannot specify --no-paginate along with" in err
    # text: the token on its own NEXTTOKEN line, after the pages
    _, out, _ = users("iam", "list-users", "--max-items", "1", "--output", "text")
    assert out.splitlines()[-1].startswith("NEXTTOKEN\t")


def test_paging_works_on_every_paginated_service_operation(users) -> None:
    code, out, err = users("iam", "list-groups-for-user", "--user-name", "bob", "--max-items", "5")
    assert (code, json.loads(out)) == (0, {"Groups": []}), err
    code, out, err = users("kms", "list-keys", "--max-items", "5")
    assert code == 0 and json.loads(out) == {"Keys": []}, err  # Truncated dropped, as the CLI


def test_cli_input_json_yaml_and_skeletons(users, tmp_path: Path) -> None:
    code, out, _ = users("iam", "get-user", "--generate-cli-skeleton")
    assert (code, json.loads(out)) == (0, {"UserName": ""})
    _, out, _ = users("iam", "create-user", "--generate-cli-skeleton", "yaml-input")
    assert list(yaml.safe_load(out)) == ["Path", "UserName", "PermissionsBoundary", "Tags"]
    _, out, _ = users("iam", "get-user", "--generate-cli-skeleton", "output")
    assert set(json.loads(out)["User"]) >= {"UserName", "Arn", "UserId"}
    request = tmp_path / "get.json"
    request.write_text('{"UserName": "carol"}', encoding="utf-8")
    _, out, _ = users("iam", "get-user", "--cli-input-json", f"file://{request}")
    assert json.loads(out)["User"]["Path"] == "/eng/"
    # options on the command line win over the document
    _, out, _ = users(
        "iam", "get-user", "--cli-input-yaml", "UserName: carol", "--user-name", "bob"
    )
    assert json.loads(out)["User"]["UserName"] == "bob"


def test_parameter_validation_fails_before_anything_changes(users) -> None:
    code, out, err = users("iam", "create-user", "--cli-input-json", '{"UserName": ""}')
    assert (code, out) == (252, "")
    assert err == (
        "\nParameter validation failed:\n"
        "Invalid length for parameter UserName, value: 0, valid min length: 1\n"
    )
    code, _, err = users("iam", "create-user", "--cli-input-json", '{"UserNam": "x"}')
    assert code == 252 and 'Unknown parameter in input: "UserNam"' in err
    code, _, err = users("iam", "create-user")
    assert code == 252 and "the following arguments are required: --user-name" in err
    code, _, err = users("iam", "list-users", "--query", "Users[")
    assert code == 252 and "Bad value for --query" in err
    assert len(json.loads(users("iam", "list-users")[1])["Users"]) == 3


def test_every_service_takes_the_documentation_globals(cli) -> None:
    code, out, err = cli(
        "s3api", "create-bucket", "--bucket", "my-bucket", "--region", "us-west-2",
        "--create-bucket-configuration", "LocationConstraint=us-west-2", "--output", "json",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = cli("--region", "eu-west-1", "s3api", "list-buckets", "--query",
                         "Buckets[].Name", "--output", "text", "--no-cli-pager")  # fmt: skip
    assert (code, out) == (0, "my-bucket\n"), err
    for service, command in (
        ("kms", "list-keys"),
        ("organizations", "list-roots"),
        ("sts", "get-caller-identity"),
    ):
        code, _, err = cli(service, command, "--region", "us-east-1", "--output", "json")
        assert code in (0, 253, 254) and "unrecognized" not in err, (service, err)


def test_endpoint_url_is_ignored_with_a_note_and_debug_logs(users) -> None:
    code, out, err = users("iam", "list-users", "--endpoint-url", "http://localhost:4566",
                           "--query", "length(Users)")  # fmt: skip
    assert (code, out) == (0, "3\n")
    assert "--endpoint-url http://localhost:4566 ignored" in err


def test_an_aws_operation_the_model_lacks_says_so(cli) -> None:
    code, _, err = cli("iam", "list-delegation-requests")
    assert code == 252 and "is an AWS operation the model does not implement" in err
    code, _, err = cli("iam", "list-userz")
    assert code == 252 and "Invalid choice 'list-userz'" in err


def test_typed_in_a_shell(tmp_path: Path) -> None:
    """The installed command, in a real process, as the AWS documentation writes it."""
    db = tmp_path / "model.sqlite"
    env = {**os.environ, "IAMDESK_DB": str(db), "AWS_DEFAULT_OUTPUT": "text"}

    def shell(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "iamdesk", *args],
            env=env, capture_output=True, text=True, timeout=60, encoding="utf-8",
        )  # fmt: skip

    assert shell("new").returncode == 0
    created = shell("iam", "create-group", "--group-name", "Admins", "--query", "Group.GroupName")
    assert (created.returncode, created.stdout) == (0, "Admins\n"), created.stderr
    listed = shell("iam", "list-groups", "--output", "json", "--query", "Groups[].GroupName")
    assert json.loads(listed.stdout) == ["Admins"]
    failed = shell("iam", "get-group", "--group-name", "Nobody")
    assert failed.returncode == 254
    assert "An error occurred (NoSuchEntity) when calling the GetGroup operation" in failed.stderr
