"""Import is the front door: it refuses what the commands refuse (issue 8, item 8).

Each finding of the issue is a test below: the file is refused whole, with the place (JSON path
and line/column in the file) and IAM's error code, and the model is left as it was. A property
test then checks that any name, path or tag a command refuses, import refuses with the same code.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamdesk.services import users
from iamdesk.services.authorization.details import ImportFormatError
from iamdesk.services.authorization.entries import read_plan
from iamdesk.services.errors import IamError
from iamdesk.services.importexport import (
    export_authorization_details,
    import_authorization_details,
)
from iamdesk.store.db import Database, open_database
from tests.services.test_importexport import SAMPLE, _counts

ACCOUNT = "123456789012"


def _user(name: str = "alice", **changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Path": "/",
        "UserName": name,
        "UserId": "AIDAEXAMPLEEXAMPLE01",
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
        "CreateDate": "2024-01-02T03:04:05Z",
        "GroupList": [],
        "AttachedManagedPolicies": [],
        "UserPolicyList": [],
        "Tags": [],
    }
    entry.update(changes)
    return entry


def _file(*entries: dict[str, Any]) -> str:
    good = _user("first-ok", UserId="AIDAEXAMPLEEXAMPLE00")
    return json.dumps({"UserDetailList": [good, *entries]}, indent=4)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "model.sqlite")


def _refused(db: Database, text: str) -> ImportFormatError:
    before = _counts(db)
    with pytest.raises(ImportFormatError) as caught:
        import_authorization_details(db, text.encode("utf-8"))
    assert _counts(db) == before  # nothing was written
    error = caught.value
    # The place: the JSON path, and the line and column of that value in the file.
    assert error.where.startswith("UserDetailList[1]")
    assert error.line is not None and error.column is not None
    assert f"(line {error.line}, column {error.column})" in str(error)
    return error


def _value_at(text: str, error: ImportFormatError) -> str:
    assert error.line is not None and error.column is not None
    return text.splitlines()[error.line - 1][error.column - 1 :]


def test_a_name_with_a_space_is_refused_as_create_user_refuses_it(db: Database) -> None:
    text = _file(_user("bad name"))
    error = _refused(db, text)
    assert error.code == "ValidationError"
    assert error.pointer == "/UserDetailList/1/UserName"
    assert "at 'userName' failed to satisfy constraint" in error.message
    assert _value_at(text, error).startswith('"bad name"')
    with pytest.raises(IamError) as command:
        users.create_user(db, None, "bad name")
    assert command.value.code == error.code and command.value.message == error.message


def test_a_cyrillic_look_alike_name_is_refused(db: Database) -> None:
    error = _refused(db, _file(_user("\u0430dmin")))  # Cyrillic a
    assert (error.code, error.pointer) == ("ValidationError", "/UserDetailList/1/UserName")


def test_a_10_mb_name_is_refused_with_a_short_message(db: Database) -> None:
    error = _refused(db, _file(_user("a" * 10_000_000)))
    assert error.code == "ValidationError"
    assert "must have length less than or equal to 64" in error.message
    assert len(str(error)) < 1000


def test_a_name_holding_nul_is_refused(db: Database) -> None:
    error = _refused(db, _file(_user("ann\x00ie")))
    assert (error.code, error.pointer) == ("ValidationError", "/UserDetailList/1/UserName")


def test_a_name_that_differs_from_its_arn_is_refused(db: Database) -> None:
    entry = _user("carol", Arn=f"arn:aws:iam::{ACCOUNT}:user/dave")
    error = _refused(db, _file(entry))
    assert (error.code, error.pointer) == ("InvalidInput", "/UserDetailList/1/Arn")
    assert f"arn:aws:iam::{ACCOUNT}:user/carol" in error.message


def test_a_bogus_partition_is_refused(db: Database) -> None:
    error = _refused(db, _file(_user("erin", Arn=f"arn:aws-bogus:iam::{ACCOUNT}:user/erin")))
    assert (error.code, error.pointer) == ("InvalidInput", "/UserDetailList/1/Arn")
    assert "is not valid" in error.message


def test_an_account_called_aws_is_refused_for_users(db: Database) -> None:
    error = _refused(db, _file(_user("fay", Arn="arn:aws:iam::aws:user/fay")))
    assert (error.code, error.pointer) == ("InvalidInput", "/UserDetailList/1/Arn")


def test_a_path_without_slashes_is_refused(db: Database) -> None:
    entry = _user("gus", Path="eng", Arn=f"arn:aws:iam::{ACCOUNT}:user/enggus")
    error = _refused(db, _file(entry))
    assert (error.code, error.pointer) == ("ValidationError", "/UserDetailList/1/Path")


def test_an_aws_tag_key_is_refused(db: Database) -> None:
    tags = [{"Key": "team", "Value": "a"}, {"Key": "aws:owner", "Value": "me"}]
    error = _refused(db, _file(_user("hal", Tags=tags)))
    assert (error.code, error.pointer) == ("InvalidInput", "/UserDetailList/1/Tags/1")
    assert "reserved for AWS use" in error.message


def test_sixty_tags_on_one_user_are_refused(db: Database) -> None:
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(60)]
    error = _refused(db, _file(_user("ida", Tags=tags)))
    assert (error.code, error.pointer) == ("LimitExceeded", "/UserDetailList/1/Tags")


@pytest.mark.parametrize(
    "date", ["0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00Z", "1900-01-01"]
)
def test_a_create_date_in_year_1_is_refused_not_a_traceback(db: Database, date: str) -> None:
    error = _refused(db, _file(_user("jo", CreateDate=date)))
    assert (error.code, error.pointer) == ("InvalidInput", "/UserDetailList/1/CreateDate")


def test_a_trust_policy_is_checked_as_create_role_checks_it() -> None:
    role = {
        "Path": "/",
        "RoleName": "r",
        "RoleId": "AROAEXAMPLEEXAMPLE01",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/r",
        "CreateDate": "2024-01-02T03:04:05Z",
        # A trust policy without a principal: CreateRole answers MalformedPolicyDocument.
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}],
        },
        "MaxSessionDuration": 3600,
    }
    with pytest.raises(ImportFormatError) as caught:
        read_plan({"RoleDetailList": [role]})
    assert caught.value.code == "MalformedPolicyDocument"
    role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {"Service": "ec2.amazonaws.com"}
    role["MaxSessionDuration"] = 99
    with pytest.raises(ImportFormatError) as caught:
        read_plan({"RoleDetailList": [role]})
    assert (caught.value.code, caught.value.pointer) == (
        "ValidationError",
        "/RoleDetailList/0/MaxSessionDuration",
    )


def test_the_gui_and_the_cli_read_the_same_bytes(db: Database, tmp_path: Path) -> None:
    """A UTF-8 byte-order mark is accepted (the AWS CLI's output redirected on Windows has one)."""
    data = _file(_user("kim"))
    summary = import_authorization_details(db, b"\xef\xbb\xbf" + data.encode())
    assert summary.users == 2


def test_the_demo_and_the_sample_export_import_cleanly(tmp_path: Path) -> None:
    from iamdesk.services import demo

    source = open_database(demo.write_demo(tmp_path / "demo.sqlite"))
    for account in (demo.MANAGEMENT, demo.PRODUCTION, demo.PARTNER):
        document = export_authorization_details(source, account)
        read_plan(document)  # every entity passes every rule
    sample = open_database(tmp_path / "sample.sqlite")
    import_authorization_details(sample, SAMPLE.read_bytes())
    for account in ("200611803367", "012345678901"):
        exported = export_authorization_details(sample, account)
        target = open_database(tmp_path / f"again-{account}.sqlite")
        import_authorization_details(target, json.dumps(exported))
        assert export_authorization_details(target, account) == exported


# --- whatever the commands refuse, import refuses -----------------------------------------

_CHARS = st.sampled_from(
    [*"abcXYZ019_+=,.@-", " ", "/", "\x00", "\u0430", "é", ":", "*", "\t", "ß", "\u3000"]
)
_TEXT = st.text(_CHARS, max_size=70)
_COMMANDS: dict[str, Database] = {}


def _commands_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    if "db" not in _COMMANDS:
        _COMMANDS["db"] = open_database(tmp_path_factory.mktemp("commands") / "m.sqlite")
    return _COMMANDS["db"]


def _command_code(db: Database, name: str, path: str, tags: list[dict[str, str]]) -> str | None:
    try:
        users.create_user(db, None, name, path=path, tags=tags)
    except IamError as exc:
        return exc.code
    users.delete_user(db, None, name)
    return None


def _import_code(name: str, path: str, tags: list[dict[str, str]]) -> str | None:
    arn = f"arn:aws:iam::{ACCOUNT}:user{path}{name}"
    try:
        read_plan({"UserDetailList": [_user(name, Path=path, Arn=arn, Tags=tags)]})
    except ImportFormatError as exc:
        return exc.code
    return None


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.one_of(_TEXT, st.from_regex(r"[A-Za-z0-9_+=,.@-]{1,64}", fullmatch=True)),
    path=st.one_of(st.just("/"), _TEXT, st.from_regex(r"/[a-z]{1,8}/", fullmatch=True)),
    tags=st.lists(
        st.fixed_dictionaries({"Key": _TEXT, "Value": _TEXT}),
        max_size=3,
    ),
)
def test_import_refuses_whatever_the_commands_refuse(
    tmp_path_factory: pytest.TempPathFactory, name: str, path: str, tags: list[dict[str, str]]
) -> None:
    commands = _command_code(_commands_db(tmp_path_factory), name, path, copy.deepcopy(tags))
    assert _import_code(name, path, tags) == commands


def test_the_models_own_export_is_not_parsed_twice() -> None:
    """Comparing with a newer dump reads the model's export with ``from_model``: its documents
    were checked when written, so only the file's are checked (the names and ARNs still are)."""
    entry = _user("lee")
    entry["UserPolicyList"] = [{"PolicyName": "p", "PolicyDocument": {"Statement": "nope"}}]
    with pytest.raises(ImportFormatError):
        read_plan({"UserDetailList": [entry]})
    assert len(read_plan({"UserDetailList": [entry]}, from_model=True).inline) == 1
    with pytest.raises(ImportFormatError):  # and the flag does not outlive the call
        read_plan({"UserDetailList": [entry]})
    with pytest.raises(ImportFormatError):
        read_plan({"UserDetailList": [_user("two words")]}, from_model=True)
