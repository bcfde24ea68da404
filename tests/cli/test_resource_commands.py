"""s3api, kms, lambda, sqs, sns, secretsmanager and organizations commands as in AWS's docs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamdesk.cli.main import main
from iamdesk.store.db import new_database

ACCOUNT = "123456789012"


@pytest.fixture
def aws(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    db = tmp_path / "model.sqlite"
    new_database(db).close()

    def run(*args: str) -> tuple[int, Any, str]:
        code = main(["--db", str(db), *args])
        captured = capsys.readouterr()
        out = json.loads(captured.out) if captured.out.strip().startswith("{") else captured.out
        return code, out, captured.err

    return run


from typing import Any  # noqa: E402


def _policy(tmp_path: Path, resource: str, action: str, principal: Any = "*") -> str:
    path = tmp_path / "policy.json"
    path.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": principal,
                        "Action": action,
                        "Resource": resource,
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    return f"file://{path}"


def test_s3api_bucket_policy(aws, tmp_path: Path) -> None:
    assert aws("s3api", "create-bucket", "--bucket", "amzn-s3-demo-bucket")[1] == {
        "Location": "/amzn-s3-demo-bucket"
    }
    code, _, err = aws("s3api", "get-bucket-policy", "--bucket", "amzn-s3-demo-bucket")
    assert code == 254
    assert err.strip() == (
        "An error occurred (NoSuchBucketPolicy) when calling the GetBucketPolicy operation: "
        "The bucket policy does not exist"
    )
    policy = _policy(tmp_path, "arn:aws:s3:::amzn-s3-demo-bucket/*", "s3:GetObject")
    assert (
        aws("s3api", "put-bucket-policy", "--bucket", "amzn-s3-demo-bucket", "--policy", policy)[0]
        == 0
    )
    code, out, _ = aws("s3api", "get-bucket-policy", "--bucket", "amzn-s3-demo-bucket")
    assert json.loads(out["Policy"])["Statement"][0]["Principal"] == "*"
    code, _, err = aws(
        "s3api", "put-bucket-policy", "--bucket", "amzn-s3-demo-bucket", "--policy", "{bad"
    )
    assert code == 254 and "(MalformedPolicy)" in err
    assert aws("s3api", "list-buckets")[1]["Buckets"][0]["Name"] == "amzn-s3-demo-bucket"
    code, _, err = aws("s3api", "no-such-command")
    assert code == 252 and "Invalid choice" in err


def test_kms_lambda_sqs_sns_secrets(aws, tmp_path: Path) -> None:
    code, out, _ = aws(
        "kms", "create-key", "--description", "app key", "--tags", "TagKey=team,TagValue=payments"
    )
    key = out["KeyMetadata"]["KeyId"]
    policy = _policy(tmp_path, "*", "kms:Decrypt", {"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    assert (
        aws(
            "kms", "put-key-policy", "--key-id", key, "--policy-name", "default", "--policy", policy
        )[0]
        == 0
    )
    assert "kms:Decrypt" in aws("kms", "get-key-policy", "--key-id", key)[1]["Policy"]
    assert aws("kms", "list-keys")[1]["Keys"][0]["KeyId"] == key

    zip_file = tmp_path / "function.zip"
    zip_file.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip archive
    code, _, err = aws(
        "lambda",
        "create-function",
        "--function-name",
        "my-function",
        "--role",
        f"arn:aws:iam::{ACCOUNT}:role/missing",
        "--runtime",
        "python3.12",
        "--zip-file",
        f"fileb://{zip_file}",
    )
    assert code == 254 and "(InvalidParameterValueException)" in err

    url = aws("sqs", "create-queue", "--queue-name", "MyQueue")[1]["QueueUrl"]
    queue_policy = json.loads(
        Path(
            _policy(
                tmp_path,
                f"arn:aws:sqs:us-east-1:{ACCOUNT}:MyQueue",
                "sqs:SendMessage",
                {"Service": "sns.amazonaws.com"},
            )[7:]
        ).read_text()
    )
    attributes = tmp_path / "attributes.json"
    attributes.write_text(json.dumps({"Policy": json.dumps(queue_policy)}), encoding="utf-8")
    assert (
        aws(
            "sqs",
            "set-queue-attributes",
            "--queue-url",
            url,
            "--attributes",
            f"file://{attributes}",
        )[0]
        == 0
    )
    attrs = aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All")[1][
        "Attributes"
    ]
    assert json.loads(attrs["Policy"]) == queue_policy

    topic = aws("sns", "create-topic", "--name", "my-topic")[1]["TopicArn"]
    assert (
        aws(
            "sns",
            "set-topic-attributes",
            "--topic-arn",
            topic,
            "--attribute-name",
            "Policy",
            "--attribute-value",
            _policy(tmp_path, topic, "sns:Publish", {"Service": "s3.amazonaws.com"}),
        )[0]
        == 0
    )
    assert (
        "s3.amazonaws.com"
        in aws("sns", "get-topic-attributes", "--topic-arn", topic)[1]["Attributes"]["Policy"]
    )

    secret = aws(
        "secretsmanager", "create-secret", "--name", "MyTestSecret", "--secret-string", "hunter2"
    )[1]
    assert (
        aws(
            "secretsmanager",
            "put-resource-policy",
            "--secret-id",
            "MyTestSecret",
            "--resource-policy",
            _policy(
                tmp_path,
                "*",
                "secretsmanager:GetSecretValue",
                {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            ),
        )[0]
        == 0
    )
    got = aws("secretsmanager", "get-resource-policy", "--secret-id", secret["ARN"])[1]
    assert got["Name"] == "MyTestSecret" and "GetSecretValue" in got["ResourcePolicy"]
    db_bytes = (tmp_path / "model.sqlite").read_bytes()
    assert b"hunter2" not in db_bytes


def test_organizations_flow(aws, tmp_path: Path) -> None:
    assert aws("organizations", "list-roots")[0] == 254
    org = aws("organizations", "create-organization", "--feature-set", "ALL")[1]["Organization"]
    root = aws("organizations", "list-roots")[1]["Roots"][0]["Id"]
    ou = aws(
        "organizations", "create-organizational-unit", "--parent-id", root, "--name", "Workloads"
    )[1]["OrganizationalUnit"]["Id"]
    assert (
        aws(
            "organizations",
            "create-account",
            "--email",
            "prod@example.com",
            "--account-name",
            "Prod",
            "--new-account-id",
            "111122223333",
        )[0]
        == 0
    )
    assert (
        aws(
            "organizations",
            "move-account",
            "--account-id",
            "111122223333",
            "--source-parent-id",
            root,
            "--destination-parent-id",
            ou,
        )[0]
        == 0
    )
    scp = tmp_path / "scp.json"
    scp.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
                ],
            }
        )
    )
    policy = aws(
        "organizations",
        "create-policy",
        "--content",
        f"file://{scp}",
        "--name",
        "DenyLeave",
        "--type",
        "SERVICE_CONTROL_POLICY",
        "--description",
        "no leaving",
    )[1]["Policy"]["PolicySummary"]
    assert policy["Arn"].startswith(f"arn:aws:organizations::{ACCOUNT}:policy/{org['Id']}/")
    assert (
        aws("organizations", "attach-policy", "--policy-id", policy["Id"], "--target-id", ou)[0]
        == 0
    )
    listed = aws(
        "organizations",
        "list-policies-for-target",
        "--target-id",
        ou,
        "--filter",
        "SERVICE_CONTROL_POLICY",
    )[1]["Policies"]
    assert [p["Name"] for p in listed] == ["FullAWSAccess", "DenyLeave"]
    units = aws("organizations", "list-organizational-units-for-parent", "--parent-id", root)[1][
        "OrganizationalUnits"
    ]
    assert units[0]["Id"] == ou
    code, _, err = aws(
        "organizations", "attach-policy", "--policy-id", policy["Id"], "--target-id", ou
    )
    assert code == 254 and "(DuplicatePolicyAttachmentException)" in err


def test_every_queue_and_topic_attribute_as_aws_lists_them(aws) -> None:
    url = aws("sqs", "create-queue", "--queue-name", "AllAttrs", "--attributes",
              "DelaySeconds=5")[1]["QueueUrl"]  # fmt: skip
    attributes = aws("sqs", "get-queue-attributes", "--queue-url", url,
                     "--attribute-names", "All")[1]["Attributes"]  # fmt: skip
    assert set(attributes) >= {
        "QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp",
        "VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod", "DelaySeconds",
        "ReceiveMessageWaitTimeSeconds", "SqsManagedSseEnabled",
    }  # fmt: skip
    assert attributes["DelaySeconds"] == "5" and attributes["VisibilityTimeout"] == "30"
    assert attributes["CreatedTimestamp"].isdigit()
    only = aws("sqs", "get-queue-attributes", "--queue-url", url,
               "--attribute-names", "QueueArn")[1]["Attributes"]  # fmt: skip
    assert list(only) == ["QueueArn"]
    arn = aws("sns", "create-topic", "--name", "AllAttrs")[1]["TopicArn"]
    topic = aws("sns", "get-topic-attributes", "--topic-arn", arn)[1]["Attributes"]
    assert set(topic) == {
        "TopicArn", "Owner", "Policy", "SubscriptionsConfirmed", "SubscriptionsPending",
        "SubscriptionsDeleted", "DisplayName", "EffectiveDeliveryPolicy",
    }  # fmt: skip
    assert json.loads(topic["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]


def test_delete_commands_of_every_service(aws) -> None:
    aws("s3api", "create-bucket", "--bucket", "amzn-s3-demo-bucket")
    assert aws("s3api", "delete-bucket", "--bucket", "amzn-s3-demo-bucket")[0] == 0
    code, _, err = aws("s3api", "delete-bucket", "--bucket", "amzn-s3-demo-bucket")
    assert code == 254 and "(NoSuchBucket) when calling the DeleteBucket operation" in err
    key = aws("kms", "create-key")[1]["KeyMetadata"]["KeyId"]
    code, out, _ = aws(
        "kms", "schedule-key-deletion", "--key-id", key, "--pending-window-in-days", "7"
    )
    assert code == 0 and out["KeyState"] == "PendingDeletion"
    assert aws("kms", "cancel-key-deletion", "--key-id", key)[1]["KeyId"].endswith(key)
    url = aws("sqs", "create-queue", "--queue-name", "jobs")[1]["QueueUrl"]
    assert aws("sqs", "delete-queue", "--queue-url", url)[0] == 0
    topic = aws("sns", "create-topic", "--name", "alerts")[1]["TopicArn"]
    assert aws("sns", "delete-topic", "--topic-arn", topic)[0] == 0
    aws("secretsmanager", "create-secret", "--name", "pw")
    code, out, _ = aws(
        "secretsmanager", "delete-secret", "--secret-id", "pw", "--force-delete-without-recovery"
    )
    assert code == 0 and out["Name"] == "pw"
    code, _, err = aws("lambda", "delete-function", "--function-name", "nope")
    assert code == 254 and "ResourceNotFoundException" in err
    aws("organizations", "create-organization")
    root = aws("organizations", "list-roots")[1]["Roots"][0]["Id"]
    ou = aws("organizations", "create-organizational-unit", "--parent-id", root, "--name", "X")[1]
    ou_id = ou["OrganizationalUnit"]["Id"]
    code, _, _ = aws(
        "organizations", "delete-organizational-unit", "--organizational-unit-id", ou_id
    )
    assert code == 0
    code, _, err = aws("organizations", "delete-policy", "--policy-id", "p-FullAWSAccess")
    assert code == 254 and "AccessDeniedException" in err
