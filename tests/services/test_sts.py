"""assume-role and get-caller-identity against the demo organization, with real TOTP codes."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func, select

from iamdesk.services import demo, sts
from iamdesk.services.errors import IamError
from iamdesk.services.simulate import simulate_principal_policy
from iamdesk.store import tables as t
from iamdesk.store.db import Database, open_database
from iamdesk.store.secrets import verify_secret

NOW = demo.DEMO_TIME + timedelta(days=1)
PROD = demo.PRODUCTION
ALICE = f"arn:aws:iam::{PROD}:user/alice"
DEPLOY = f"arn:aws:iam::{PROD}:role/DeployRole"
ALICE_MFA = f"arn:aws:iam::{PROD}:mfa/alice"


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_database(demo.write_demo(tmp_path / "demo.sqlite"), clock=lambda: NOW)


def _code(seed: str, moment=NOW) -> str:
    return pyotp.TOTP(seed).at(moment)


def _sessions(db: Database) -> int:
    with db.read() as session:
        return session.execute(select(func.count()).select_from(t.StsSession)).scalar_one()


def _error(**kwargs) -> IamError:
    with pytest.raises(IamError) as caught:
        sts.assume_role(**kwargs)
    return caught.value


def test_assume_role_with_mfa_returns_credentials_and_records_the_session(db: Database) -> None:
    out = sts.assume_role(
        db,
        role_arn=DEPLOY,
        role_session_name="release-42",
        caller_arn=ALICE,
        serial_number=ALICE_MFA,
        token_code=_code(demo.MFA_SEEDS["alice"]),
        duration_seconds=1800,
    )
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert len(creds["SecretAccessKey"]) == 40 and creds["SessionToken"]
    assert creds["Expiration"] == (NOW + timedelta(seconds=1800)).isoformat()
    user = out["AssumedRoleUser"]
    assert user["Arn"] == f"arn:aws:sts::{PROD}:assumed-role/DeployRole/release-42"
    assert user["AssumedRoleId"].startswith("AROA") and user["AssumedRoleId"].endswith(
        ":release-42"
    )
    who = sts.get_caller_identity(db, access_key_id=creds["AccessKeyId"])
    assert who == {"UserId": user["AssumedRoleId"], "Account": PROD, "Arn": user["Arn"]}
    with db.read() as session:
        row = session.scalars(select(t.StsSession).where(t.StsSession.arn == user["Arn"])).one()
        assert row.mfa_authenticated and row.secret_hash != creds["SecretAccessKey"]
        assert verify_secret(creds["SecretAccessKey"], row.secret_hash)
    simulated = simulate_principal_policy(
        db, policy_source_arn=user["Arn"], action_names=["iam:CreateUser"]
    )
    assert simulated.context["aws:MultiFactorAuthPresent"] == "true"


def test_trust_policy_conditions_and_codes_are_enforced(db: Database) -> None:
    before = _sessions(db)
    no_mfa = _error(db=db, role_arn=DEPLOY, role_session_name="s1", caller_arn=ALICE)
    assert no_mfa.code == "AccessDenied"
    assert no_mfa.message == (
        f"User: {ALICE} is not authorized to perform: sts:AssumeRole on resource: {DEPLOY}"
    )
    wrong = _error(
        db=db,
        role_arn=DEPLOY,
        role_session_name="s1",
        caller_arn=ALICE,
        serial_number=ALICE_MFA,
        token_code="000000" if _code(demo.MFA_SEEDS["alice"]) != "000000" else "111111",
    )
    assert "MultiFactorAuthentication failed" in wrong.message
    bob = _error(
        db=db, role_arn=DEPLOY, role_session_name="s1", caller_arn=f"arn:aws:iam::{PROD}:user/bob"
    )
    assert bob.code == "AccessDenied"
    assert _sessions(db) == before


def test_a_code_cannot_be_used_twice(db: Database) -> None:
    code = _code(demo.MFA_SEEDS["alice"])
    args = dict(
        role_arn=DEPLOY,
        role_session_name="once",
        caller_arn=ALICE,
        serial_number=ALICE_MFA,
        token_code=code,
    )
    sts.assume_role(db, **args)
    assert _error(db=db, **args).code == "AccessDenied"


def test_cross_account_needs_both_sides(db: Database) -> None:
    erin = f"arn:aws:iam::{demo.PARTNER}:user/erin"
    audit = f"arn:aws:iam::{PROD}:role/CrossAccountAuditRole"
    out = sts.assume_role(
        db,
        role_arn=audit,
        role_session_name="erin-audit",
        caller_arn=erin,
        serial_number=f"arn:aws:iam::{demo.PARTNER}:mfa/erin",
        token_code=_code(demo.MFA_SEEDS["erin"]),
    )
    assert out["AssumedRoleUser"]["Arn"].endswith("CrossAccountAuditRole/erin-audit")
    # The trust policy names only the partner account: production's own admin is refused.
    refused = _error(db=db, role_arn=audit, role_session_name="alice-audit", caller_arn=ALICE)
    assert refused.code == "AccessDenied"


def test_inputs_are_checked_before_anything_happens(db: Database) -> None:
    base = dict(db=db, role_arn=DEPLOY, caller_arn=ALICE)
    assert _error(**base, role_session_name="x").code == "ValidationError"
    long = _error(
        **base,
        role_session_name="long",
        duration_seconds=7200,
        serial_number=ALICE_MFA,
        token_code=_code(demo.MFA_SEEDS["alice"]),
    )
    assert "MaxSessionDuration" in long.message
    bad = _error(**base, role_session_name="pol", policy='{"Statement": 5}')
    assert bad.code == "MalformedPolicyDocument"
    big = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": f"s3:Get{i}x" * 3, "Resource": "*"} for i in range(80)
            ],
        }
    )
    assert _error(**base, role_session_name="big", policy=big).code == "PackedPolicyTooLarge"


def test_caller_identity_of_keys(db: Database) -> None:
    with db.read() as session:
        key, user = session.execute(
            select(t.AccessKey.access_key_id, t.User.arn).join(
                t.User, t.User.pk == t.AccessKey.user_pk
            )
        ).first()
    assert sts.get_caller_identity(db, access_key_id=key)["Arn"] == user
    with pytest.raises(IamError) as caught:
        sts.get_caller_identity(db, access_key_id="AKIANOTAKEY000000000")
    assert caught.value.code == "InvalidClientTokenId"


def _key_of(db: Database, name: str) -> str:
    with db.read() as session:
        return session.execute(
            select(t.AccessKey.access_key_id)
            .join(t.User, t.User.pk == t.AccessKey.user_pk)
            .where(t.User.name == name)
        ).scalar_one()


def test_callers_named_by_access_key_and_role_chaining(db: Database) -> None:
    out = sts.assume_role(
        db,
        role_arn=DEPLOY,
        role_session_name="by-key",
        access_key_id=_key_of(db, "alice"),
        serial_number=ALICE_MFA,
        token_code=_code(demo.MFA_SEEDS["alice"]),
    )
    session_key = out["Credentials"]["AccessKeyId"]
    assert _error(
        db=db, role_arn=DEPLOY, role_session_name="bob", access_key_id=_key_of(db, "bob")
    ).code == ("AccessDenied")
    # A session assuming a role (chaining) is held to one hour; the deploy session may not
    # assume DeployRole again since the trust policy names alice herself only.
    chained = _error(
        db=db,
        role_arn=DEPLOY,
        role_session_name="chained",
        access_key_id=session_key,
        duration_seconds=7200,
    )
    assert "role chaining" in chained.message
    refused = _error(db=db, role_arn=DEPLOY, role_session_name="chained", access_key_id=session_key)
    assert refused.message.startswith(f"User: {out['AssumedRoleUser']['Arn']} is not authorized")
    assert (
        _error(
            db=db, role_arn=DEPLOY, role_session_name="x1", access_key_id="AKIAUNKNOWN000000000"
        ).code
        == "InvalidClientTokenId"
    )


def test_session_tags_need_tag_session_in_the_trust_policy(db: Database) -> None:
    args = dict(
        role_arn=DEPLOY,
        caller_arn=ALICE,
        serial_number=ALICE_MFA,
        tags=[{"Key": "project", "Value": "checkout"}],
    )
    refused = _error(
        db=db, role_session_name="tagged", token_code=_code(demo.MFA_SEEDS["alice"]), **args
    )
    assert refused.message.endswith(f"perform: sts:TagSession on resource: {DEPLOY}")
    # Allow tagging in the trust policy: the tags become principal tags of the session.
    from iamdesk.services import roles

    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": ALICE},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {"StringEquals": {"aws:RequestTag/project": "checkout"}},
            }
        ],
    }
    roles.update_assume_role_policy(db, PROD, "DeployRole", json.dumps(trust))
    out = sts.assume_role(
        db,
        role_session_name="tagged",
        token_code=_code(demo.MFA_SEEDS["alice"], NOW + timedelta(seconds=30)),
        **args,
    )
    simulated = simulate_principal_policy(
        db, policy_source_arn=out["AssumedRoleUser"]["Arn"], action_names=["s3:ListBucket"]
    )
    assert simulated.context["aws:PrincipalTag/project"] == "checkout"
    duplicate = [{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]
    assert _error(
        db=db, role_arn=DEPLOY, role_session_name="dup", caller_arn=ALICE, tags=duplicate
    ).code == ("InvalidParameterValue")


def test_managed_session_policies_join_the_inline_one(db: Database) -> None:
    inline = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
        }
    )
    out = sts.assume_role(
        db,
        role_arn=DEPLOY,
        role_session_name="scoped",
        caller_arn=ALICE,
        serial_number=ALICE_MFA,
        token_code=_code(demo.MFA_SEEDS["alice"]),
        policy=inline,
        policy_arns=[{"arn": "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess"}],
    )
    arn = out["AssumedRoleUser"]["Arn"]
    region = {"aws:RequestedRegion": "us-east-1"}

    def decide(action: str) -> str:
        result = simulate_principal_policy(
            db, policy_source_arn=arn, action_names=[action], context_entries=region
        )
        return result.decisions[0].decision

    assert decide("s3:GetObject") == "allowed"  # the inline session policy
    assert decide("ec2:DescribeInstances") == "allowed"  # the managed session policy
    assert decide("ec2:RunInstances") == "implicitDeny"  # neither: the role alone is not enough
    missing = _error(
        db=db,
        role_arn=DEPLOY,
        role_session_name="missing",
        caller_arn=ALICE,
        policy_arns=[{"arn": f"arn:aws:iam::{PROD}:policy/Nope"}],
    )
    assert missing.code == "InvalidParameterValue"
