"""Access keys, MFA (real TOTP codes at a fixed time), passwords, tags, summary and report."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import text

from iamdesk.services import (
    access_keys,
    account,
    credential_report,
    groups,
    login_profiles,
    mfa,
    password_policy,
    tags,
    users,
)
from iamdesk.store.db import Database
from tests.services.store_fixtures import FIXED, Clock, error_of, make_db, table_counts


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(model_place: Path | str, clock: Clock) -> Database:
    database = make_db(model_place, clock)
    users.create_user(database, None, "bob")
    return database


def _dump(db: Database) -> str:
    """Every stored text value, to look for secrets."""
    with db.read() as session:
        schema = "SELECT sql FROM sqlite_master" if db.backend == "sqlite" else "SELECT NULL"
        return "\n".join(line for (line,) in session.execute(text(schema)) if line) + "\n".join(
            str(row)
            for table in (
                "access_key",
                "login_profile",
                "password_history",
                "change_log",
            )
            for row in session.execute(text(f"SELECT * FROM {table}"))
        )


def test_access_key_secret_is_returned_once_and_stored_hashed(db: Database) -> None:
    key = access_keys.create_access_key(db, None, "bob")["AccessKey"]
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", key["AccessKeyId"])
    assert len(key["SecretAccessKey"]) == 40
    assert key["SecretAccessKey"] not in _dump(db)
    listed = access_keys.list_access_keys(db, None, "bob")["AccessKeyMetadata"]
    assert listed == [
        {
            "UserName": "bob",
            "AccessKeyId": key["AccessKeyId"],
            "Status": "Active",
            "CreateDate": key["CreateDate"],
        }
    ]
    assert access_keys.verify(db, key["AccessKeyId"], key["SecretAccessKey"])
    assert not access_keys.verify(db, key["AccessKeyId"], "x" * 40)
    access_keys.update_access_key(db, None, key["AccessKeyId"], "Inactive", user_name="bob")
    assert not access_keys.verify(db, key["AccessKeyId"], key["SecretAccessKey"])
    last = access_keys.get_access_key_last_used(db, key["AccessKeyId"])
    assert last == {
        "UserName": "bob",
        "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"},
    }
    err = error_of(access_keys.update_access_key, db, None, key["AccessKeyId"], "Paused")
    assert err.code == "ValidationError"


def test_two_access_keys_per_user(db: Database) -> None:
    access_keys.create_access_key(db, None, "bob")
    access_keys.create_access_key(db, None, "bob")
    before = table_counts(db)
    err = error_of(access_keys.create_access_key, db, None, "bob")
    assert (err.code, err.message) == (
        "LimitExceeded",
        "Cannot exceed quota for AccessKeysPerUser: 2",
    )
    assert table_counts(db) == before
    missing = "AKIAAAAAAAAAAAAAAAAA"
    err = error_of(access_keys.delete_access_key, db, None, missing)
    assert err.message == f"The Access Key with id {missing} cannot be found."


def _codes(seed: str, at: int) -> tuple[str, str]:
    totp = pyotp.TOTP(seed)
    return totp.at(at), totp.at(at + 30)


def test_virtual_mfa_enable_with_real_codes(db: Database, clock: Clock) -> None:
    device = mfa.create_virtual_mfa_device(db, None, "bob-phone")["VirtualMFADevice"]
    seed, serial = device["Base32StringSeed"], device["SerialNumber"]
    assert re.fullmatch(r"[A-Z2-7]{64}", seed)
    assert device["QRCodePNG"].startswith(b"\x89PNG")
    assert mfa.otpauth_uri(seed, "bob-phone", "123456789012").startswith(
        "otpauth://totp/Amazon%20Web%20Services:bob-phone%40123456789012?secret="
    )
    now = int(FIXED.timestamp())
    wrong = ("000000", "000000") if _codes(seed, now)[0] != "000000" else ("111111", "111111")
    err = error_of(mfa.enable_mfa_device, db, None, "bob", serial, *wrong)
    assert (err.code, err.message) == (
        "InvalidAuthenticationCode",
        "Authentication code for device is not valid.",
    )
    # Two codes of the same step are not consecutive.
    same = pyotp.TOTP(seed).at(now)
    assert error_of(mfa.enable_mfa_device, db, None, "bob", serial, same, same).code == (
        "InvalidAuthenticationCode"
    )
    mfa.enable_mfa_device(db, None, "bob", serial, *_codes(seed, now))
    devices = mfa.list_mfa_devices(db, None, "bob")["MFADevices"]
    assert devices == [
        {"UserName": "bob", "SerialNumber": serial, "EnableDate": "2026-03-04T05:06:07+00:00"}
    ]
    assigned = mfa.list_virtual_mfa_devices(db, None, assignment_status="Assigned")
    assert assigned["VirtualMFADevices"][0]["User"]["UserName"] == "bob"
    assert (
        mfa.list_virtual_mfa_devices(db, None, assignment_status="Unassigned")["VirtualMFADevices"]
        == []
    )
    assert error_of(mfa.delete_virtual_mfa_device, db, None, serial).code == "DeleteConflict"


def test_mfa_resync_and_token_replay(db: Database, clock: Clock) -> None:
    device = mfa.create_virtual_mfa_device(db, None, "phone")["VirtualMFADevice"]
    seed, serial = device["Base32StringSeed"], device["SerialNumber"]
    start = int(FIXED.timestamp())
    mfa.enable_mfa_device(db, None, "bob", serial, *_codes(seed, start))
    # The device's clock drifted 20 minutes ahead: resync accepts it, enabling would not.
    drifted = start + 20 * 60
    clock.moment = FIXED + timedelta(minutes=1)
    mfa.resync_mfa_device(db, None, "bob", serial, *_codes(seed, drifted))
    # The pair just used cannot be used again.
    err = error_of(mfa.resync_mfa_device, db, None, "bob", serial, *_codes(seed, drifted))
    assert err.code == "InvalidAuthenticationCode"
    clock.moment = FIXED + timedelta(minutes=25)
    code = pyotp.TOTP(seed).at(clock.moment)
    with db.transaction() as session:
        assert mfa.verify_token(session, serial, code, clock.moment)
    with db.transaction() as session:
        assert not mfa.verify_token(session, serial, code, clock.moment)  # replay refused
    mfa.deactivate_mfa_device(db, None, "bob", serial)
    assert mfa.list_mfa_devices(db, None, "bob")["MFADevices"] == []
    mfa.delete_virtual_mfa_device(db, None, serial)
    assert error_of(mfa.deactivate_mfa_device, db, None, "bob", serial).code == "NoSuchEntity"


def test_eight_mfa_devices_per_user(db: Database) -> None:
    now = int(FIXED.timestamp())
    for i in range(9):
        device = mfa.create_virtual_mfa_device(db, None, f"d{i}")["VirtualMFADevice"]
        codes = _codes(device["Base32StringSeed"], now)
        if i < 8:
            mfa.enable_mfa_device(db, None, "bob", device["SerialNumber"], *codes)
        else:
            err = error_of(mfa.enable_mfa_device, db, None, "bob", device["SerialNumber"], *codes)
            assert (err.code, err.message) == (
                "LimitExceeded",
                "Cannot exceed quota for MFADevicesPerUser: 8",
            )
    assert error_of(mfa.create_virtual_mfa_device, db, None, "D0").code == "EntityAlreadyExists"


def test_login_profile_and_password_policy(db: Database) -> None:
    err = error_of(login_profiles.create_login_profile, db, None, "bob", "short")
    assert err.code == "PasswordPolicyViolation"
    assert err.message.startswith("Password does not conform to the account password policy.")
    profile = login_profiles.create_login_profile(
        db, None, "bob", "Correct-Horse-9", password_reset_required=True
    )["LoginProfile"]
    assert profile == {
        "UserName": "bob",
        "CreateDate": "2026-03-04T05:06:07+00:00",
        "PasswordResetRequired": True,
    }
    assert "Correct-Horse-9" not in _dump(db)
    assert login_profiles.verify_password(db, None, "bob", "Correct-Horse-9")
    assert error_of(login_profiles.create_login_profile, db, None, "bob", "Another-1x").message == (
        "Login Profile for user bob already exists."
    )
    password_policy.update_account_password_policy(
        db,
        None,
        minimum_password_length=12,
        require_symbols=True,
        require_numbers=True,
        password_reuse_prevention=2,
        max_password_age=90,
    )
    got = password_policy.get_account_password_policy(db, None)["PasswordPolicy"]
    assert got["MinimumPasswordLength"] == 12 and got["ExpirePasswords"] is True
    err = error_of(login_profiles.update_login_profile, db, None, "bob", password="NoSymbols12345")
    assert err.code == "PasswordPolicyViolation" and "symbol" in err.message
    err = error_of(login_profiles.update_login_profile, db, None, "bob", password="Correct-Horse-9")
    assert err.code == "PasswordPolicyViolation"  # too short and a reused password
    login_profiles.update_login_profile(db, None, "bob", password="Much-Longer-Pass-42")
    err = error_of(
        login_profiles.update_login_profile, db, None, "bob", password="Much-Longer-Pass-42"
    )
    assert "used before" in err.message
    login_profiles.update_login_profile(db, None, "bob", password_reset_required=False)
    assert (
        login_profiles.get_login_profile(db, None, "bob")["LoginProfile"]["PasswordResetRequired"]
        is False
    )
    err = error_of(
        password_policy.update_account_password_policy, db, None, minimum_password_length=3
    )
    assert err.code == "ValidationError"
    password_policy.delete_account_password_policy(db, None)
    assert error_of(password_policy.get_account_password_policy, db, None).message == (
        "The Password Policy with domain name 123456789012 cannot be found."
    )
    login_profiles.delete_login_profile(db, None, "bob")
    assert error_of(login_profiles.get_login_profile, db, None, "bob").message == (
        "Login Profile for User bob cannot be found."
    )


def test_tags_add_replace_remove_and_quota(db: Database) -> None:
    tags.tag(db, None, "user", "bob", [{"Key": "Team", "Value": "a"}])
    tags.tag(db, None, "user", "bob", [{"Key": "team", "Value": "b"}, {"Key": "env", "Value": ""}])
    assert tags.list_tags(db, None, "user", "bob")["Tags"] == [
        {"Key": "Team", "Value": "b"},
        {"Key": "env", "Value": ""},
    ]
    tags.untag(db, None, "user", "bob", ["TEAM", "absent"])
    assert tags.list_tags(db, None, "user", "bob")["Tags"] == [{"Key": "env", "Value": ""}]
    tags.tag(db, None, "user", "bob", [{"Key": f"k{i}", "Value": "v"} for i in range(49)])
    before = table_counts(db)
    err = error_of(tags.tag, db, None, "user", "bob", [{"Key": "one-more", "Value": "v"}])
    assert err.code == "LimitExceeded"
    assert table_counts(db) == before
    err = error_of(tags.tag, db, None, "user", "bob", [{"Key": "aws:x", "Value": "v"}])
    assert err.code == "InvalidInput"
    err = error_of(tags.tag, db, None, "user", "bob", [{"Key": "bad*key", "Value": "v"}])
    assert err.code == "ValidationError"


def test_account_summary_counts_and_quotas(db: Database) -> None:
    groups.create_group(db, None, "g")
    groups.add_user_to_group(db, None, "g", "bob")
    from iamdesk.services import attachments

    attachments.attach_policy(db, None, "group", "g", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    summary = account.get_account_summary(db, None)["SummaryMap"]
    assert summary["Users"] == 1 and summary["Groups"] == 1 and summary["Roles"] == 0
    assert summary["Policies"] == 0  # AWS managed policies are not counted
    assert summary["PolicyVersionsInUse"] == 1
    assert summary["UsersQuota"] == 5000 and summary["AccessKeysPerUserQuota"] == 2
    account.create_account_alias(db, None, "example-corp")
    assert account.list_account_aliases(db, None)["AccountAliases"] == ["example-corp"]
    assert error_of(account.create_account_alias, db, None, "Bad_Alias").code == "ValidationError"
    account.delete_account_alias(db, None, "example-corp")
    assert account.list_account_aliases(db, None)["AccountAliases"] == []


def test_credential_report_columns_and_refresh(db: Database, clock: Clock) -> None:
    assert error_of(credential_report.get_credential_report, db, None).code == "ReportNotPresent"
    login_profiles.create_login_profile(db, None, "bob", "Correct-Horse-9")
    access_keys.create_access_key(db, None, "bob")
    assert credential_report.generate_credential_report(db, None)["State"] == "STARTED"
    report = credential_report.get_credential_report(db, None)
    rows = list(csv.DictReader(io.StringIO(report["Content"].decode())))
    assert tuple(rows[0]) == credential_report.COLUMNS
    bob = rows[1]
    assert (bob["user"], bob["password_enabled"], bob["mfa_active"]) == ("bob", "true", "false")
    assert bob["password_last_used"] == "no_information"
    assert bob["access_key_1_active"] == "true" and bob["access_key_2_active"] == "false"
    users.create_user(db, None, "carol")
    # Within four hours the stored report is kept, as IAM does.
    assert credential_report.generate_credential_report(db, None) == {"State": "COMPLETE"}
    assert len(credential_report.get_credential_report(db, None)["Content"].splitlines()) == 3
    credential_report.generate_credential_report(db, None, force=True)
    assert len(credential_report.get_credential_report(db, None)["Content"].splitlines()) == 4
    users.create_user(db, None, "dan")
    clock.moment = FIXED + timedelta(hours=5)
    credential_report.generate_credential_report(db, None)
    assert len(credential_report.get_credential_report(db, None)["Content"].splitlines()) == 5


def test_no_secret_reaches_the_files_on_disk(db: Database) -> None:
    secret = access_keys.create_access_key(db, None, "bob")["AccessKey"]["SecretAccessKey"]
    login_profiles.create_login_profile(db, None, "bob", "Unusual-Pass-4711")
    if db.path is None:
        pytest.skip("a model file's bytes on disk; the server's storage is PostgreSQL's")
    files = [db.path, db.path.with_name(db.path.name + "-wal")]
    blob = b"".join(path.read_bytes() for path in files if path.exists())
    assert len(blob) > 0
    assert secret.encode() not in blob
    assert b"Unusual-Pass-4711" not in blob
