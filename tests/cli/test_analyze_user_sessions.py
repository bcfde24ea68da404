"""``iamdesk analyze who-can`` / ``what-can`` count users' sessions as they count role sessions,
run as a user would: a get-session-token session with MFA is allowed what its user is allowed
only with MFA (and can assume a role whose trust requires MFA), one without MFA only
conditionally, and a federated user gets its user's permissions capped by its session policy
(and cannot assume roles: its credentials cannot call STS)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest

from iamdesk.cli.main import main
from iamdesk.store.db import new_database

ACCOUNT = "123456789012"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/Admin"
OBJECT = "arn:aws:s3:::reports/q1.csv"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    db = tmp_path / "model.sqlite"
    new_database(db).close()
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)

    def run(*args: str) -> dict | list:
        code = main(["--db", str(db), *args])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        return json.loads(captured.out) if captured.out.strip() else {}

    return run


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: str, resource: str = "*", condition: dict | None = None) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


@pytest.fixture
def sessions(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """bob may read reports with MFA and list them without; the Admin role trusts bob with
    MFA. bob's sessions: one with MFA, one without, and a federated user 'contractor' whose
    session policy allows listing only."""
    cli("iam", "create-user", "--user-name", "bob")
    cli("iam", "put-user-policy", "--user-name", "bob", "--policy-name", "p",
        "--policy-document", _policy(_allow("s3:GetObject", "arn:aws:s3:::reports/*", MFA),
                                     _allow("s3:ListBucket"), _allow("sts:*")))  # fmt: skip
    trust = {"Effect": "Allow", "Principal": {"AWS": BOB}, "Action": "sts:AssumeRole",
             "Condition": MFA}  # fmt: skip
    cli("iam", "create-role", "--role-name", "Admin", "--assume-role-policy-document",
        _policy(trust))  # fmt: skip
    cli("iam", "put-role-policy", "--role-name", "Admin", "--policy-name", "a",
        "--policy-document", _policy(_allow("iam:ListUsers")))  # fmt: skip
    key = cli("iam", "create-access-key", "--user-name", "bob")["AccessKey"]["AccessKeyId"]
    seed = tmp_path / "seed.txt"
    device = cli("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "bob",
                 "--outfile", str(seed), "--bootstrap-method", "Base32StringSeed")  # fmt: skip
    serial = device["VirtualMFADevice"]["SerialNumber"]
    totp = pyotp.TOTP(seed.read_text().strip())
    now = datetime.now(UTC).timestamp()
    codes = ("--authentication-code1", totp.at(now - 60), "--authentication-code2",
             totp.at(now - 30))  # fmt: skip
    cli("iam", "enable-mfa-device", "--user-name", "bob", "--serial-number", serial, *codes)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    with_mfa = cli("sts", "get-session-token", "--serial-number", serial,
                   "--token-code", totp.now())["Credentials"]["AccessKeyId"]  # fmt: skip
    plain = cli("sts", "get-session-token")["Credentials"]["AccessKeyId"]
    listing = _policy(_allow("s3:ListBucket"))
    federated = cli("sts", "get-federation-token", "--name", "contractor",
                    "--policy", listing)["FederatedUser"]["Arn"]  # fmt: skip
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    return {"mfa": with_mfa, "plain": plain, "federated": federated}


def _by_principal(answer: dict) -> dict[str, dict]:
    return {g["principal"]: g for g in answer["grants"]}


def test_who_can_lists_users_sessions_with_their_mfa(cli, sessions) -> None:
    read = _by_principal(cli("analyze", "who-can", "--action", "s3:GetObject",
                             "--resource", OBJECT))  # fmt: skip
    assert set(read) == {BOB, sessions["mfa"], sessions["plain"]}  # not the federated user
    assert read[sessions["mfa"]]["decision"] == "allowed"  # its MFA satisfies the condition
    assert read[sessions["mfa"]]["principalType"] == "session"
    assert read[sessions["mfa"]]["sessionOf"] == BOB
    for who in (BOB, sessions["plain"]):
        assert read[who]["decision"] == "conditional"
        assert read[who]["conditions"] == ["aws:MultiFactorAuthPresent is true"]

    listing = _by_principal(cli("analyze", "who-can", "--action", "s3:ListBucket",
                                "--resource", "arn:aws:s3:::reports"))  # fmt: skip
    assert set(listing) == {BOB, sessions["mfa"], sessions["plain"], sessions["federated"]}
    contractor = listing[sessions["federated"]]
    assert contractor["decision"] == "allowed" and contractor["sessionOf"] == BOB
    assert {s["policy"] for s in contractor["statements"]} >= {
        "inline p on user/bob",
        "session policy of federated-user/contractor (of bob)",
    }

    # Through the role whose trust requires MFA: the MFA session assumes it outright.
    admin = _by_principal(cli("analyze", "who-can", "--action", "iam:ListUsers"))
    assert admin[sessions["mfa"]]["decision"] == "allowed"
    assert admin[sessions["mfa"]]["chain"] == [ADMIN]
    assert admin[sessions["plain"]]["decision"] == "conditional"
    assert sessions["federated"] not in admin  # federated users cannot call STS


def test_what_can_answers_for_a_users_session(cli, sessions) -> None:
    def actions(principal: str) -> dict[str, str]:
        grants = cli("analyze", "what-can", "--principal", principal, "--resource", OBJECT)
        return {g["action"]: g["decision"] for g in grants["grants"]}

    assert actions(sessions["mfa"])["s3:GetObject"] == "allowed"
    assert actions(sessions["plain"])["s3:GetObject"] == "conditional"
    assert "s3:GetObject" not in actions(sessions["federated"])
    listed = cli("analyze", "what-can", "--principal", sessions["federated"], "--service", "s3")
    listed = listed["grants"]
    assert {g["action"] for g in listed} == {"s3:ListBucket"}
    assert listed[0]["principal"] == sessions["federated"]
