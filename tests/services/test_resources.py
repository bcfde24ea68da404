"""Resources with resource-based policies, through each service's own operations."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from sqlalchemy import insert

from iamdesk.services import integration, resources
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database, open_database
from iamdesk.store.tables import Account, Role

ACCOUNT = "123456789012"
OTHER = "210987654321"


def _policy(resource: str, principal: object = "*", action: str = "s3:GetObject") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource}
            ],
        }
    )


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = open_database(tmp_path / "r.sqlite", rng=random.Random(3))
    with database.transaction() as session:
        session.execute(
            insert(Account.__table__), {"account_id": OTHER, "create_date": database.now()}
        )
    return database


def _code(call, **kwargs) -> str:
    with pytest.raises(IamError) as caught:
        call(**kwargs)
    return caught.value.code


def test_bucket_policy_lifecycle_and_errors(db: Database) -> None:
    assert resources.create_bucket(db, bucket="example-reports") == {"Location": "/example-reports"}
    assert _code(resources.create_bucket, db=db, bucket="example-reports") == (
        "BucketAlreadyOwnedByYou"
    )
    assert _code(resources.create_bucket, db=db, bucket="example-reports", account_id=OTHER) == (
        "BucketAlreadyExists"
    )
    assert _code(resources.create_bucket, db=db, bucket="Bad_Name") == "InvalidBucketName"
    assert _code(resources.get_bucket_policy, db=db, bucket="example-reports") == (
        "NoSuchBucketPolicy"
    )
    text = _policy("arn:aws:s3:::example-reports/*")
    resources.put_bucket_policy(db, bucket="example-reports", policy=text)
    assert resources.get_bucket_policy(db, bucket="example-reports") == {"Policy": text}
    assert _code(
        resources.put_bucket_policy, db=db, bucket="example-reports", policy='{"Statement": ['
    ) == ("MalformedPolicy")
    no_principal = json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    )
    assert _code(
        resources.put_bucket_policy, db=db, bucket="example-reports", policy=no_principal
    ) == ("MalformedPolicy")
    one_without = json.dumps(
        {
            "Statement": [
                json.loads(text)["Statement"][0],
                {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
            ]
        }
    )
    assert _code(
        resources.put_bucket_policy, db=db, bucket="example-reports", policy=one_without
    ) == ("MalformedPolicy")
    assert resources.get_bucket_policy(db, bucket="example-reports") == {"Policy": text}
    assert _code(
        resources.get_bucket_policy, db=db, bucket="example-reports", account_id=OTHER
    ) == ("AccessDenied")
    assert _code(resources.get_bucket_policy, db=db, bucket="nothing-here") == "NoSuchBucket"
    assert [b["Name"] for b in resources.list_buckets(db)["Buckets"]] == ["example-reports"]
    resources.delete_bucket_policy(db, bucket="example-reports")
    assert _code(resources.get_bucket_policy, db=db, bucket="example-reports") == (
        "NoSuchBucketPolicy"
    )


def test_object_arns_find_their_bucket(db: Database) -> None:
    resources.create_bucket(db, bucket="example-data", account_id=OTHER)
    with db.read() as session:
        row = resources.resource_for_arn(session, "arn:aws:s3:::example-data/a/b.csv")
        assert row is not None and row.account_id == OTHER
        assert resources.resource_for_arn(session, "arn:aws:s3:::elsewhere/x") is None


def test_kms_key_gets_the_default_key_policy_and_can_replace_it(db: Database) -> None:
    meta = resources.create_key(db, description="payments")["KeyMetadata"]
    assert meta["Arn"] == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{meta['KeyId']}"
    policy = json.loads(resources.get_key_policy(db, key_id=meta["KeyId"])["Policy"])
    assert policy["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    text = _policy("*", {"AWS": f"arn:aws:iam::{OTHER}:root"}, "kms:Decrypt")
    resources.put_key_policy(db, key_id=meta["Arn"], policy=text)
    assert resources.get_key_policy(db, key_id=meta["KeyId"])["Policy"] == text
    assert [k["KeyId"] for k in resources.list_keys(db)["Keys"]] == [meta["KeyId"]]
    assert _code(resources.get_key_policy, db=db, key_id="nope") == "NotFoundException"


def test_lambda_permissions_build_the_function_policy(db: Database) -> None:
    assert _code(
        integration.create_function,
        db=db,
        function_name="thumbnailer",
        role=f"arn:aws:iam::{ACCOUNT}:role/missing",
    ) == ("InvalidParameterValueException")
    with db.transaction() as session:
        session.add(
            Role(
                account_id=ACCOUNT,
                name="thumbnailer-exec",
                role_id="AROAEXAMPLE000000001",
                arn=f"arn:aws:iam::{ACCOUNT}:role/thumbnailer-exec",
                create_date=db.now(),
                assume_role_policy="{}",
            )
        )
    role = f"arn:aws:iam::{ACCOUNT}:role/thumbnailer-exec"
    fn = integration.create_function(db, function_name="thumbnailer", role=role)
    assert fn["FunctionArn"] == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:thumbnailer"
    assert _code(integration.get_policy, db=db, function_name="thumbnailer") == (
        "ResourceNotFoundException"
    )
    out = integration.add_permission(
        db,
        function_name="thumbnailer",
        statement_id="s3-invoke",
        action="lambda:InvokeFunction",
        principal="s3.amazonaws.com",
        source_arn="arn:aws:s3:::example-uploads",
        source_account=ACCOUNT,
    )
    statement = json.loads(out["Statement"])
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Condition"]["ArnLike"] == {"AWS:SourceArn": "arn:aws:s3:::example-uploads"}
    assert _code(
        integration.add_permission,
        db=db,
        function_name="thumbnailer",
        statement_id="s3-invoke",
        action="lambda:InvokeFunction",
        principal=OTHER,
    ) == ("ResourceConflictException")
    policy = json.loads(integration.get_policy(db, function_name="thumbnailer")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["s3-invoke"]
    integration.remove_permission(db, function_name="thumbnailer", statement_id="s3-invoke")
    assert _code(
        integration.remove_permission, db=db, function_name="thumbnailer", statement_id="s3-invoke"
    ) == ("ResourceNotFoundException")


def test_queue_topic_and_secret_policies(db: Database) -> None:
    url = integration.create_queue(db, queue_name="orders")["QueueUrl"]
    assert url == f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/orders"
    arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"
    text = _policy(arn, {"Service": "sns.amazonaws.com"}, "sqs:SendMessage")
    integration.set_queue_attributes(db, queue_url=url, attributes={"Policy": text})
    attrs = integration.get_queue_attributes(db, queue_url=url)["Attributes"]
    assert attrs["QueueArn"] == arn and attrs["Policy"] == text
    assert _code(
        integration.set_queue_attributes, db=db, queue_url=url, attributes={"Policy": "nope"}
    ) == ("InvalidAttributeValue")
    assert _code(integration.get_queue_attributes, db=db, queue_url=url + "x") == (
        "AWS.SimpleQueueService.NonExistentQueue"
    )

    topic = integration.create_topic(db, name="alerts")["TopicArn"]
    default = json.loads(
        integration.get_topic_attributes(db, topic_arn=topic)["Attributes"]["Policy"]
    )
    assert default["Statement"][0]["Condition"] == {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}
    assert _code(
        integration.set_topic_attributes,
        db=db,
        topic_arn=topic,
        attribute_name="Policy",
        attribute_value="{",
    ) == ("InvalidParameter")

    secret = integration.create_secret(db, name="prod/db-password")
    assert secret["ARN"].startswith(
        f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-password-"
    )
    assert "ResourcePolicy" not in integration.get_resource_policy(db, secret_id="prod/db-password")
    text = _policy("*", {"AWS": f"arn:aws:iam::{OTHER}:root"}, "secretsmanager:GetSecretValue")
    integration.put_resource_policy(db, secret_id=secret["ARN"], resource_policy=text)
    assert (
        integration.get_resource_policy(db, secret_id="prod/db-password")["ResourcePolicy"] == text
    )
    assert _code(integration.get_resource_policy, db=db, secret_id="nope") == (
        "ResourceNotFoundException"
    )
    listed = {(r["Service"], r["Name"]) for r in resources.list_resources(db)}
    assert listed == {("sqs", "orders"), ("sns", "alerts"), ("secretsmanager", "prod/db-password")}
