"""The reads a user's detail view makes, each one statement (the entity and its rows in one
outer join), and the account every service resolves, remembered between reads until the model
changes: the same answers as before on both backends, whatever the user owns."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import event, insert, update
from sqlalchemy.engine import Engine

from iamdesk.services import (
    access_keys,
    attachments,
    groups,
    inline_policies,
    mfa,
    policies,
    roles,
    tags,
    users,
)
from iamdesk.store.db import Database, open_database
from iamdesk.store.tables import Account
from tests.services.store_fixtures import (
    ACCOUNT,
    ALLOW_S3,
    EC2_TRUST,
    FIXED,
    FIXED_TEXT,
    error_of,
    make_db,
)

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@pytest.fixture
def db(model_place: Path | str) -> Database:
    return make_db(model_place)


def _details(db: Database, name: str) -> dict[str, object]:
    """Every tab of a user's detail view, as the Users view reads them."""
    return {
        "user": users.get_user(db, None, name)["User"],
        "groups": groups.list_groups_for_user(db, None, name)["Groups"],
        "attached": attachments.list_attached_policies(db, None, "user", name)["AttachedPolicies"],
        "inline": inline_policies.list_inline_policies(db, None, "user", name)["PolicyNames"],
        "tags": tags.list_tags(db, None, "user", name)["Tags"],
        "keys": access_keys.list_access_keys(db, None, name)["AccessKeyMetadata"],
        "mfa": mfa.list_mfa_devices(db, None, name)["MFADevices"],
    }


def test_a_users_details_list_what_it_owns_in_order(db: Database) -> None:
    boundary = policies.create_policy(db, None, "edge", ALLOW_S3)["Policy"]["Arn"]
    users.create_user(
        db, None, "Bob", tags=[{"Key": "team", "Value": "core"}, {"Key": "cost", "Value": "7"}]
    )
    attachments.put_permissions_boundary(db, None, "user", "Bob", boundary)
    for group in ("zeta", "alpha"):
        groups.create_group(db, None, group)
        groups.add_user_to_group(db, None, group, "Bob")
    attachments.attach_policy(db, None, "user", "Bob", READ_ONLY)
    attachments.attach_policy(db, None, "user", "Bob", boundary)
    for policy in ("write", "read"):
        inline_policies.put_inline_policy(db, None, "user", "Bob", policy, ALLOW_S3)
    key = access_keys.create_access_key(db, None, "Bob")["AccessKey"]["AccessKeyId"]
    device = mfa.create_virtual_mfa_device(db, None, "bob-phone")["VirtualMFADevice"]
    totp = pyotp.TOTP(device["Base32StringSeed"])
    now = int(FIXED.timestamp())
    mfa.enable_mfa_device(db, None, "Bob", device["SerialNumber"], totp.at(now), totp.at(now + 30))
    users.create_user(db, None, "other", tags=[{"Key": "team", "Value": "else"}])
    groups.add_user_to_group(db, None, "alpha", "other")

    seen = _details(db, "BOB")  # names are found without case, and shown as stored
    assert seen["user"] == {
        "Path": "/",
        "UserName": "Bob",
        "UserId": seen["user"]["UserId"],  # type: ignore[index]
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/Bob",
        "CreateDate": FIXED_TEXT,
        "PermissionsBoundary": {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": boundary,
        },
        "Tags": [{"Key": "team", "Value": "core"}, {"Key": "cost", "Value": "7"}],
    }
    assert [g["GroupName"] for g in seen["groups"]] == ["zeta", "alpha"]  # type: ignore[attr-defined]
    assert seen["attached"] == [
        {"PolicyName": "ReadOnlyAccess", "PolicyArn": READ_ONLY},
        {"PolicyName": "edge", "PolicyArn": boundary},
    ]
    assert seen["inline"] == ["read", "write"]
    assert seen["tags"] == seen["user"]["Tags"]  # type: ignore[index]
    assert [(k["UserName"], k["AccessKeyId"]) for k in seen["keys"]] == [("Bob", key)]  # type: ignore[attr-defined]
    assert [(d["UserName"], d["SerialNumber"]) for d in seen["mfa"]] == [  # type: ignore[attr-defined]
        ("Bob", device["SerialNumber"])
    ]


def test_a_user_owning_nothing_has_empty_tabs(db: Database) -> None:
    users.create_user(db, None, "empty")
    groups.create_group(db, None, "devs")  # things that exist, but are not the user's
    users.create_user(db, None, "busy", tags=[{"Key": "k", "Value": "v"}])
    groups.add_user_to_group(db, None, "devs", "busy")
    access_keys.create_access_key(db, None, "busy")
    assert _details(db, "empty") == {
        "user": users.get_user(db, None, "empty")["User"],
        "groups": [],
        "attached": [],
        "inline": [],
        "tags": [],
        "keys": [],
        "mfa": [],
    }
    assert set(users.get_user(db, None, "empty")["User"]) == {
        "Path",
        "UserName",
        "UserId",
        "Arn",
        "CreateDate",
    }


def test_each_tab_of_a_missing_entity_says_which(db: Database) -> None:
    roles.create_role(db, None, "web", EC2_TRUST)
    for read in (
        lambda: users.get_user(db, None, "ghost"),
        lambda: groups.list_groups_for_user(db, None, "ghost"),
        lambda: attachments.list_attached_policies(db, None, "user", "ghost"),
        lambda: inline_policies.list_inline_policies(db, None, "user", "ghost"),
        lambda: tags.list_tags(db, None, "user", "ghost"),
        lambda: access_keys.list_access_keys(db, None, "ghost"),
        lambda: mfa.list_mfa_devices(db, None, "ghost"),
    ):
        err = error_of(read)
        assert (err.code, err.message) == (
            "NoSuchEntity",
            "The user with name ghost cannot be found.",
        )
    for kind in ("group", "role"):
        for read in (attachments.list_attached_policies, inline_policies.list_inline_policies):
            err = error_of(read, db, None, kind, "web" if kind == "group" else "ghost")
            name = "web" if kind == "group" else "ghost"
            assert err.message == f"The {kind} with name {name} cannot be found."
    err = error_of(tags.list_tags, db, None, "role", "ghost")
    assert err.message == "The role with name ghost cannot be found."
    assert tags.list_tags(db, None, "role", "web")["Tags"] == []
    err = error_of(users.get_user, db, "999999999999", "ghost")
    assert err.message == "The account with id 999999999999 cannot be found."


def _count_account_reads(counted: list[str]):
    def before(_conn, _cursor, statement: str, *_rest) -> None:
        if "FROM account" in statement:
            counted.append(statement)

    return before


def test_the_account_is_asked_once_until_the_model_changes(model_place: Path | str) -> None:
    """A process's later reads take the account (here the default one) from memory; a change
    anyone commits (here another connection making another account the default) is seen by
    the next read."""
    db = make_db(model_place)
    where = model_place if isinstance(model_place, str) else model_place / "model.sqlite"
    other = open_database(where, actor="someone else", rng=random.Random(4))
    users.create_user(db, None, "bob")
    counted: list[str] = []
    listener = _count_account_reads(counted)
    event.listen(Engine, "before_cursor_execute", listener)
    try:
        for _ in range(4):
            assert [u["UserName"] for u in users.list_users(db, None)["Users"]] == ["bob"]
        assert 1 <= len(counted) <= 2  # the first reads ask, the later ones remember
        counted.clear()
        assert users.get_user(db, None, "bob")["User"]["UserName"] == "bob"
        assert counted == []

        second = "111122223333"
        with other.transaction() as session:
            session.execute(insert(Account), {"account_id": second, "create_date": FIXED_TEXT})
            session.execute(update(Account).values(is_default=Account.account_id == second))
        users.create_user(other, second, "carol")
        # A server announces the commit within milliseconds (NOTIFY); a file at once.
        deadline = time.monotonic() + 10
        while users.list_users(db, None)["Users"][0]["UserName"] != "carol":
            assert time.monotonic() < deadline, "the new default account was never seen"
            time.sleep(0.05)
        assert counted  # asked again after the change
    finally:
        event.remove(Engine, "before_cursor_execute", listener)
        db.close()
        other.close()


def test_writes_always_ask_for_the_account(db: Database) -> None:
    """A write must see the latest committed accounts, not what was announced so far."""
    users.create_user(db, None, "bob")
    for _ in range(3):
        users.list_users(db, None)
    counted: list[str] = []
    listener = _count_account_reads(counted)
    event.listen(Engine, "before_cursor_execute", listener)
    try:
        tags.tag(db, None, "user", "bob", [{"Key": "k", "Value": "v"}])
    finally:
        event.remove(Engine, "before_cursor_execute", listener)
    assert counted
    assert users.list_users(db, ACCOUNT)["Users"][0]["UserName"] == "bob"
