"""UpdatePolicy for SCPs and RCPs: new content takes effect in simulations, AWS managed
policies and malformed content are refused with nothing changed, the change is logged."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from iamdesk.services import organizations as orgs
from iamdesk.services.errors import IamError
from iamdesk.services.inline_policies import put_inline_policy
from iamdesk.services.queries.history import list_changes
from iamdesk.services.simulate import simulate_principal_policy
from iamdesk.services.users import create_user
from iamdesk.store.db import Database, open_database

MGMT = "123456789012"
MEMBER = "111122223333"


def _deny(action: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*"}],
        }
    )


@pytest.fixture
def db(tmp_path: Path) -> Database:
    db = open_database(tmp_path / "org.sqlite", rng=random.Random(3))
    orgs.create_organization(db)
    orgs.create_account(db, email="m@example.com", account_name="Member", new_account_id=MEMBER)
    return db


def _scp(db: Database, content: str) -> str:
    created = orgs.create_policy(
        db, name="Guard", policy_type=orgs.SCP, content=content, description="guard"
    )
    policy_id = created["Policy"]["PolicySummary"]["Id"]
    orgs.attach_policy(db, policy_id=policy_id, target_id=MEMBER)
    return str(policy_id)


def _decision(db: Database, action: str) -> str:
    result = simulate_principal_policy(
        db,
        account_id=MEMBER,
        policy_source_arn=f"arn:aws:iam::{MEMBER}:user/alice",
        action_names=[action],
    )
    return str(result.evaluation_results[0]["EvalDecision"])


def test_updated_content_takes_effect_and_is_logged(db: Database) -> None:
    create_user(db, MEMBER, "alice")
    allow_all = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        }
    )
    put_inline_policy(db, MEMBER, "user", "alice", "all", allow_all)
    policy_id = _scp(db, _deny("s3:*"))
    assert _decision(db, "s3:ListBucket") == "explicitDeny"
    assert _decision(db, "sqs:ListQueues") == "allowed"

    updated = orgs.update_policy(db, policy_id=policy_id, content=_deny("sqs:*"))
    assert updated["Policy"]["Content"] == _deny("sqs:*")
    assert updated["Policy"]["PolicySummary"]["Name"] == "Guard"  # not given: unchanged
    assert orgs.describe_policy(db, policy_id=policy_id)["Policy"]["Content"] == _deny("sqs:*")
    assert _decision(db, "s3:ListBucket") == "allowed"
    assert _decision(db, "sqs:ListQueues") == "explicitDeny"

    entry = list_changes(db, MGMT)[0]
    assert entry["Operation"] == "UpdatePolicy"
    assert entry["EntityName"] == "Guard"
    assert (entry["Before"], entry["After"]) == (_deny("s3:*"), _deny("sqs:*"))


def test_name_and_description_change_alone(db: Database) -> None:
    policy_id = _scp(db, _deny("s3:*"))
    summary = orgs.update_policy(db, policy_id=policy_id, name="Renamed", description="new")[
        "Policy"
    ]["PolicySummary"]
    assert (summary["Name"], summary["Description"]) == ("Renamed", "new")
    assert orgs.describe_policy(db, policy_id=policy_id)["Policy"]["Content"] == _deny("s3:*")


@pytest.mark.parametrize("policy_id", [orgs.FULL_AWS_ACCESS_ID, "p-RCPFullAWSAccess"])
def test_aws_managed_policies_are_refused(db: Database, policy_id: str) -> None:
    with pytest.raises(IamError) as caught:
        orgs.update_policy(db, policy_id=policy_id, content=_deny("*"))
    assert caught.value.code == "AccessDeniedException"
    assert "AWS managed" in caught.value.message
    if policy_id == orgs.FULL_AWS_ACCESS_ID:
        content = orgs.describe_policy(db, policy_id=policy_id)["Policy"]["Content"]
        assert json.loads(content)["Statement"][0]["Effect"] == "Allow"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("{not json", "MalformedPolicyDocumentException"),
        (
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}
                    ],
                }
            ),
            "MalformedPolicyDocumentException",
        ),
        (_deny("s3:" + "x" * 5200), "ConstraintViolationException"),
    ],
)
def test_bad_content_is_refused_and_nothing_changes(db: Database, content: str, code: str) -> None:
    policy_id = _scp(db, _deny("s3:*"))
    with pytest.raises(IamError) as caught:
        orgs.update_policy(db, policy_id=policy_id, content=content)
    assert caught.value.code == code
    assert orgs.describe_policy(db, policy_id=policy_id)["Policy"]["Content"] == _deny("s3:*")


def test_unknown_policy_duplicate_name_and_member_caller(db: Database) -> None:
    policy_id = _scp(db, _deny("s3:*"))
    orgs.create_policy(db, name="Other", policy_type=orgs.SCP, content=_deny("ec2:*"))
    with pytest.raises(IamError) as caught:
        orgs.update_policy(db, policy_id="p-doesnotexist", content=_deny("*"))
    assert caught.value.code == "PolicyNotFoundException"
    with pytest.raises(IamError) as caught:
        orgs.update_policy(db, policy_id=policy_id, name="Other")
    assert caught.value.code == "DuplicatePolicyException"
    with pytest.raises(IamError) as caught:
        orgs.update_policy(db, policy_id=policy_id, content=_deny("*"), account_id=MEMBER)
    assert caught.value.code == "AccessDeniedException"
