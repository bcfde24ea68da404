"""Users: each operation's success path and the errors IAM returns."""

from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from iamdesk.services import (
    access_keys,
    attachments,
    groups,
    inline_policies,
    login_profiles,
    mfa,
    users,
)
from iamdesk.store.db import Database
from iamdesk.store.tables import ChangeLogEntry, Tag
from tests.services.store_fixtures import (
    ACCOUNT,
    ALLOW_S3,
    FIXED,
    FIXED_TEXT,
    error_of,
    make_db,
    table_counts,
)


@pytest.fixture
def db(model_place: Path | str) -> Database:
    return make_db(model_place)


def test_create_user_returns_aws_shape(db: Database) -> None:
    out = users.create_user(db, None, "bob", path="/eng/", tags=[{"Key": "team", "Value": "core"}])[
        "User"
    ]
    assert list(out) == ["Path", "UserName", "UserId", "Arn", "CreateDate", "Tags"]
    assert out["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/eng/bob"
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", out["UserId"])
    assert out["CreateDate"] == FIXED_TEXT
    assert users.get_user(db, None, "bob")["User"] == out


def test_names_are_unique_without_case(db: Database) -> None:
    users.create_user(db, None, "Bob")
    err = error_of(users.create_user, db, None, "bob")
    assert (err.code, err.message) == ("EntityAlreadyExists", "User with name bob already exists.")
    assert users.get_user(db, None, "BOB")["User"]["UserName"] == "Bob"


def test_missing_user_uses_aws_text(db: Database) -> None:
    err = error_of(users.get_user, db, None, "bob")
    assert err.code == "NoSuchEntity"
    assert err.message == "The user with name bob cannot be found."
    assert err.http_status == 404


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("bad name", "regular expression pattern: [\\w+=,.@-]+"),
        ("x" * 65, "length less than or equal to 64"),
        ("", "length greater than or equal to 1"),
    ],
)
def test_bad_names_are_validation_errors(db: Database, name: str, fragment: str) -> None:
    err = error_of(users.create_user, db, None, name)
    assert err.code == "ValidationError"
    assert fragment in err.message
    assert "at 'userName'" in err.message


@pytest.mark.parametrize("path", ["eng", "/eng", "//" + "a" * 600 + "/"])
def test_bad_paths_are_validation_errors(db: Database, path: str) -> None:
    before = table_counts(db)
    err = error_of(users.create_user, db, None, "bob", path=path)
    assert err.code == "ValidationError" and "'path'" in err.message
    assert table_counts(db) == before


def test_bad_tags_change_nothing(db: Database) -> None:
    before = table_counts(db)
    dup = [{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]
    assert error_of(users.create_user, db, None, "bob", tags=dup).code == "InvalidInput"
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    assert error_of(users.create_user, db, None, "bob", tags=many).code == "LimitExceeded"
    assert table_counts(db) == before


def test_list_users_orders_filters_and_pages(db: Database) -> None:
    for name, path in [("carol", "/ops/"), ("alice", "/eng/"), ("bob", "/eng/a/")]:
        users.create_user(db, None, name, path=path)
    listed = users.list_users(db, None)
    assert [u["UserName"] for u in listed["Users"]] == ["alice", "bob", "carol"]
    assert listed["IsTruncated"] is False
    assert [u["UserName"] for u in users.list_users(db, None, path_prefix="/eng/")["Users"]] == [
        "alice",
        "bob",
    ]
    page = users.list_users(db, None, max_items=2)
    assert page["IsTruncated"] and page["Marker"] == "bob"
    rest = users.list_users(db, None, marker=page["Marker"], max_items=2)
    assert [u["UserName"] for u in rest["Users"]] == ["carol"] and not rest["IsTruncated"]


def test_update_user_renames_and_moves(db: Database) -> None:
    users.create_user(db, None, "bob")
    assert users.update_user(db, None, "bob", new_user_name="robert", new_path="/x/") == {}
    user = users.get_user(db, None, "robert")["User"]
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/x/robert"
    assert error_of(users.get_user, db, None, "bob").code == "NoSuchEntity"
    users.create_user(db, None, "alice")
    err = error_of(users.update_user, db, None, "alice", new_user_name="ROBERT")
    assert err.code == "EntityAlreadyExists"
    # A change of case only is a rename of the same user, not a conflict.
    users.update_user(db, None, "robert", new_user_name="Robert")
    assert users.get_user(db, None, "robert")["User"]["UserName"] == "Robert"


def test_delete_user_conflicts_name_what_remains(db: Database) -> None:
    users.create_user(db, None, "bob", tags=[{"Key": "k", "Value": "v"}])
    login_profiles.create_login_profile(db, None, "bob", "Secret-pass-123")
    key = access_keys.create_access_key(db, None, "bob")["AccessKey"]["AccessKeyId"]
    groups.create_group(db, None, "devs")
    groups.add_user_to_group(db, None, "devs", "bob")
    inline_policies.put_inline_policy(db, None, "user", "bob", "p", ALLOW_S3)
    attachments.attach_policy(db, None, "user", "bob", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    device = mfa.create_virtual_mfa_device(db, None, "bob-phone")["VirtualMFADevice"]
    totp = pyotp.TOTP(device["Base32StringSeed"])
    now = int(FIXED.timestamp())
    codes = totp.at(now), totp.at(now + 30)
    mfa.enable_mfa_device(db, None, "bob", device["SerialNumber"], *codes)

    serial = device["SerialNumber"]
    readonly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    steps = [
        ("delete login profile", partial(login_profiles.delete_login_profile, db, None, "bob")),
        ("delete access keys", partial(access_keys.delete_access_key, db, None, key)),
        ("delete MFA device", partial(mfa.deactivate_mfa_device, db, None, "bob", serial)),
        (
            "delete policies",
            partial(inline_policies.delete_inline_policy, db, None, "user", "bob", "p"),
        ),
        (
            "detach all policies",
            partial(attachments.detach_policy, db, None, "user", "bob", readonly),
        ),
        (
            "remove users from group",
            partial(groups.remove_user_from_group, db, None, "devs", "bob"),
        ),
    ]
    for expected, remove in steps:
        err = error_of(users.delete_user, db, None, "bob")
        assert err.code == "DeleteConflict"
        assert err.message == f"Cannot delete entity, must {expected} first."
        remove()
    users.delete_user(db, None, "bob")
    assert error_of(users.get_user, db, None, "bob").code == "NoSuchEntity"
    with db.read() as session:
        assert session.execute(select(Tag)).first() is None


def test_every_change_is_logged_with_before_and_after(db: Database) -> None:
    users.create_user(db, None, "bob")
    users.update_user(db, None, "bob", new_user_name="rob")
    users.delete_user(db, None, "rob")
    with db.read() as session:
        rows = session.scalars(select(ChangeLogEntry).order_by(ChangeLogEntry.pk)).all()
    assert [r.operation for r in rows] == ["CreateUser", "UpdateUser", "DeleteUser"]
    assert all(r.actor == "tester" and r.at == FIXED_TEXT and r.account_id == ACCOUNT for r in rows)
    assert json.loads(rows[1].before)["UserName"] == "bob"
    assert json.loads(rows[1].after)["UserName"] == "rob"
    assert rows[2].after is None and json.loads(rows[2].before)["UserName"] == "rob"


def test_unknown_account_is_refused(db: Database) -> None:
    err = error_of(users.create_user, db, "999999999999", "bob")
    assert err.code == "NoSuchEntity" and "999999999999" in err.message


def test_accounts_in_one_file_are_separate(db: Database) -> None:
    from sqlalchemy import insert

    from iamdesk.store.tables import Account

    other = "111122223333"
    with db.transaction() as session:
        session.execute(insert(Account), {"account_id": other, "create_date": FIXED_TEXT})
    users.create_user(db, None, "bob")
    twin = users.create_user(db, other, "bob")["User"]
    assert twin["Arn"] == f"arn:aws:iam::{other}:user/bob"
    assert [u["Arn"] for u in users.list_users(db, other)["Users"]] == [twin["Arn"]]
    users.delete_user(db, other, "bob")
    assert users.get_user(db, None, "bob")["User"]["Arn"].startswith(f"arn:aws:iam::{ACCOUNT}:")
