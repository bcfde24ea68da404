"""Every ``iamdesk iam`` command of the store's table runs with all its options: each option
reaches a service keyword that exists, so a command answers with output or an AWS error, never a
crash."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from iamdesk.cli import iam
from iamdesk.cli.iam import commands as iam_commands
from iamdesk.cli.main import main

DOC = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'  # noqa: E501
TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
)


def _store_commands() -> list[str]:
    saved = dict(iam.COMMANDS)
    iam.COMMANDS.clear()
    try:
        iam_commands.register_iam_commands(iam.register)
        names = sorted(iam.COMMANDS)
    finally:
        iam.COMMANDS.clear()
        iam.COMMANDS.update(saved)
    return names


def _value(dest: str, option: str, tmp_path: Path) -> list[str]:
    if dest.endswith("policy_document") or dest == "assume_role_policy_document":
        return [TRUST if "assume" in dest else DOC]
    if dest == "tags":
        return ["Key=k,Value=v"]
    if dest == "tag_keys":
        return ["k"]
    if dest in ("policy_arn", "permissions_boundary"):
        return ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    if dest == "serial_number":
        return ["arn:aws:iam::123456789012:mfa/x"]
    if dest == "outfile":
        return [str(tmp_path / "out.bin")]
    if dest == "bootstrap_method":
        return ["QRCodePNG"]
    if dest.startswith("authentication_code"):
        return ["123456"]
    if dest == "access_key_id":
        return ["AKIAAAAAAAAAAAAAAAAA"]
    if dest in ("path", "new_path", "path_prefix"):
        return ["/p/"]
    if dest == "version_id":
        return ["v1"]
    if dest == "status":
        return ["Inactive"]
    if dest == "scope":
        return ["Local"]
    if dest == "policy_usage_filter":
        return ["PermissionsPolicy"]
    if dest == "entity_filter":
        return ["User"]
    if dest == "assignment_status":
        return ["Any"]
    if dest == "account_alias":
        return ["example-corp"]
    if dest == "password":
        return ["Correct-Horse-9"]
    if dest in ("marker",):
        return ["a"]
    return ["x"]


@pytest.mark.parametrize("name", _store_commands())
def test_command_runs_with_every_option(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--db", str(tmp_path / "m.sqlite"), "new"])
    main(["--db", str(tmp_path / "m.sqlite"), "iam", "create-user", "--user-name", "x"])
    capsys.readouterr()
    parser = argparse.ArgumentParser()
    iam.COMMANDS[name].build(parser)
    argv: list[str] = [name]
    for action in parser._actions:
        if not action.option_strings or action.option_strings[0] in ("-h", "--help"):
            continue
        option = action.option_strings[0]
        if option.startswith("--no-"):
            continue
        if isinstance(action, argparse._StoreTrueAction):
            argv.append(option)
        elif action.type is int:
            argv += [option, "3600" if "duration" in action.dest else "10"]
        else:
            argv += [option, *_value(action.dest, option, tmp_path)]
    code = main(["--db", str(tmp_path / "m.sqlite"), "iam", *argv])
    err = capsys.readouterr().err
    assert code in (0, 254), err
    if code == 254:
        assert err.startswith("\nAn error occurred (")
        assert f"when calling the {iam.COMMANDS[name].operation} operation" in err
