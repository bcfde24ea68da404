"""Deleting resources, OUs and org policies by AWS's rules, and the exact restores the app's undo
uses (same ids, ARNs and dates)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from iamdesk.services import integration, removals, resources
from iamdesk.services import organizations as orgs
from iamdesk.services.errors import IamError
from iamdesk.services.organizations import removal
from iamdesk.store.db import Database, open_database

DENY_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "model.sqlite", rng=random.Random(3))


def _code(call, **kwargs) -> str:
    with pytest.raises(IamError) as caught:
        call(**kwargs)
    return caught.value.code


def _names(db: Database) -> list[str]:
    return [r["Name"] for r in resources.list_resources(db)]


def test_each_service_deletes_its_resource_and_restore_brings_back_the_same_row(
    db: Database,
) -> None:
    resources.create_bucket(db, bucket="amzn-s3-demo-bucket")
    integration.create_queue(db, queue_name="jobs", tags={"team": "a"})
    topic = integration.create_topic(db, name="alerts")["TopicArn"]
    secret = integration.create_secret(db, name="db-password")
    before = {
        s: removals.snapshot(db, service=s, name=n, account_id=None)
        for s, n in (
            ("s3", "amzn-s3-demo-bucket"),
            ("sqs", "jobs"),
            ("sns", "alerts"),
            ("secretsmanager", "db-password"),
        )
    }
    removals.delete_bucket(db, bucket="amzn-s3-demo-bucket")
    removals.delete_queue(db, queue_url="https://sqs.us-east-1.amazonaws.com/123456789012/jobs")
    removals.delete_topic(db, topic_arn=topic)
    removals.delete_topic(db, topic_arn=topic)  # SNS: deleting a missing topic is no error
    gone = removals.delete_secret(db, secret_id="db-password", recovery_window_in_days=7)
    assert gone["ARN"] == secret["ARN"] and gone["DeletionDate"] > secret["ARN"][:0]
    assert _names(db) == []
    assert _code(removals.delete_bucket, db=db, bucket="amzn-s3-demo-bucket") == "NoSuchBucket"
    for snap in before.values():
        removals.restore(db, snap)
    assert {
        s: removals.snapshot(db, service=s, name=b["Name"], account_id=None)
        for s, b in before.items()
    } == before
    assert before["sqs"]["Tags"] == [{"Key": "team", "Value": "a"}]


def test_delete_secret_windows_follow_secrets_manager(db: Database) -> None:
    integration.create_secret(db, name="s")
    assert (
        _code(removals.delete_secret, db=db, secret_id="s", recovery_window_in_days=3)
        == "InvalidParameterException"
    )
    assert (
        _code(
            removals.delete_secret,
            db=db,
            secret_id="s",
            recovery_window_in_days=7,
            force_delete_without_recovery=True,
        )
        == "InvalidParameterException"
    )
    removals.delete_secret(db, secret_id="s", force_delete_without_recovery=True)
    assert _code(removals.delete_secret, db=db, secret_id="s") == "ResourceNotFoundException"


def test_a_kms_key_waits_in_pending_deletion_and_restore_undoes_it(db: Database) -> None:
    key = resources.create_key(db, description="k")["KeyMetadata"]
    snap = removals.snapshot(db, service="kms", name=key["KeyId"], account_id=None)
    assert (
        _code(removals.schedule_key_deletion, db=db, key_id=key["KeyId"], pending_window_in_days=6)
        == "ValidationException"
    )
    out = removals.schedule_key_deletion(db, key_id=key["KeyId"], pending_window_in_days=7)
    assert out["KeyState"] == "PendingDeletion" and out["KeyId"] == key["Arn"]
    assert (
        _code(removals.schedule_key_deletion, db=db, key_id=key["KeyId"])
        == "KMSInvalidStateException"
    )
    removals.restore(db, snap)
    assert removals.snapshot(db, service="kms", name=key["KeyId"], account_id=None) == snap
    removals.schedule_key_deletion(db, key_id=key["KeyId"])
    assert removals.cancel_key_deletion(db, key_id=key["KeyId"]) == {"KeyId": key["Arn"]}
    removals.purge(db, arn=key["Arn"])
    assert _names(db) == []


def test_delete_function_and_restore(db: Database) -> None:
    from iamdesk.services.roles import create_role

    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    role = create_role(db, None, "fn-role", trust)["Role"]["Arn"]
    integration.create_function(db, function_name="fn", role=role)
    snap = removals.snapshot(db, service="lambda", name="fn", account_id=None)
    removals.delete_function(db, function_name="fn")
    assert _code(removals.delete_function, db=db, function_name="fn") == (
        "ResourceNotFoundException"
    )
    removals.restore(db, snap)
    integration.create_secret(db, name="fn")  # another kind with the same name: no clash
    assert removals.snapshot(db, service="lambda", name="fn", account_id=None) == snap


def test_a_non_empty_ou_cannot_be_deleted_and_restore_keeps_id_and_attachments(
    db: Database,
) -> None:
    orgs.create_organization(db)
    root = orgs.list_roots(db)["Roots"][0]["Id"]
    ou = orgs.create_organizational_unit(db, parent_id=root, name="Prod")["OrganizationalUnit"]
    child = orgs.create_organizational_unit(db, parent_id=ou["Id"], name="Web")[
        "OrganizationalUnit"
    ]
    scp = orgs.create_policy(
        db, name="NoS3", policy_type=orgs.SCP, content=DENY_S3, description=""
    )["Policy"]["PolicySummary"]["Id"]
    orgs.attach_policy(db, policy_id=scp, target_id=child["Id"])
    assert (
        _code(orgs.delete_organizational_unit, db=db, organizational_unit_id=ou["Id"])
        == "OrganizationalUnitNotEmptyException"
    )
    assert _code(orgs.delete_policy, db=db, policy_id=scp) == "PolicyInUseException"
    assert (
        _code(orgs.delete_policy, db=db, policy_id=orgs.FULL_AWS_ACCESS_ID)
        == "AccessDeniedException"
    )
    snap = removal.ou_snapshot(db, ou_id=child["Id"])
    orgs.delete_organizational_unit(db, organizational_unit_id=child["Id"])
    assert orgs.list_organizational_units_for_parent(db, parent_id=ou["Id"]) == {
        "OrganizationalUnits": []
    }
    removal.restore_organizational_unit(db, snap)
    assert removal.ou_snapshot(db, ou_id=child["Id"]) == snap
    assert snap["Policies"] == ["p-FullAWSAccess", scp]
    orgs.detach_policy(db, policy_id=scp, target_id=child["Id"])
    policy = removal.policy_snapshot(db, policy_id=scp)
    orgs.delete_policy(db, policy_id=scp)
    assert _code(orgs.describe_policy, db=db, policy_id=scp) == "PolicyNotFoundException"
    removal.restore_policy(db, policy)
    assert orgs.describe_policy(db, policy_id=scp)["Policy"]["Content"] == DENY_S3


def test_account_state_undoes_a_created_account_exactly(db: Database) -> None:
    orgs.create_organization(db)
    assert removal.account_state(db, member_account_id="111122223333") is None
    orgs.create_account(
        db, email="dev@example.com", account_name="Dev", new_account_id="111122223333"
    )
    after = removal.account_state(db, member_account_id="111122223333")
    assert after is not None and after["Policies"] == ["p-FullAWSAccess"]
    removal.put_account_state(db, member_account_id="111122223333", state=None)
    assert removal.account_state(db, member_account_id="111122223333") is None
    removal.put_account_state(db, member_account_id="111122223333", state=after)
    assert removal.account_state(db, member_account_id="111122223333") == after
    resources.create_bucket(db, bucket="dev-bucket", account_id="111122223333")
    with pytest.raises(IamError) as caught:
        removal.put_account_state(db, member_account_id="111122223333", state=None)
    assert caught.value.code == "AccountNotRemovableException"
    assert removal.account_state(db, member_account_id="111122223333") == after
