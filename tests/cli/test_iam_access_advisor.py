"""Access Advisor (service last accessed details), list-policies-granting-service-access and the
``iamdesk iam wait`` waiters, run as commands; activity comes in through ``iamdesk activity
import`` as a user would bring it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamdesk.cli.iam import waiters
from iamdesk.cli.main import main
from tests.cli.shapes import fails, ok

ACCOUNT = "123456789012"
USER = f"arn:aws:iam::{ACCOUNT}:user/ana"
TRUST = json.dumps(
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


def _event(arn: str, kind: str, when: str, source: str, name: str) -> dict:
    identity: dict = {"type": kind, "arn": arn, "accountId": ACCOUNT}
    if kind == "AssumedRole":  # CloudTrail names the session's role as its issuer
        role = arn.split("/")[1]
        identity["sessionContext"] = {
            "sessionIssuer": {"type": "Role", "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}"}
        }
    return {
        "eventVersion": "1.08",
        "userIdentity": identity,
        "eventTime": when,
        "eventSource": f"{source}.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
    }


@pytest.fixture
def advised(iam, tmp_path: Path, capsys):
    """ana (S3 read-only + an inline SQS/IAM policy, in group ops with EC2 read) and bob (in
    ops), and role worker (Lambda); activity for ana (S3, IAM), bob (EC2) and a session of
    worker (Lambda)."""
    ok(iam, "CreateUser", "create-user", "--user-name", "ana")
    ok(iam, "CreateUser", "create-user", "--user-name", "bob")
    ok(iam, "CreateGroup", "create-group", "--group-name", "ops")
    for user in ("ana", "bob"):
        ok(iam, "AddUserToGroup", "add-user-to-group", "--group-name", "ops", "--user-name", user)
    ok(
        iam,
        "AttachUserPolicy",
        "attach-user-policy",
        "--user-name",
        "ana",
        "--policy-arn",
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    )
    ok(
        iam,
        "PutUserPolicy",
        "put-user-policy",
        "--user-name",
        "ana",
        "--policy-name",
        "queue",
        "--policy-document",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["sqs:SendMessage", "iam:Get*"], "Resource": "*"}
                ],
            }
        ),
    )
    ok(
        iam,
        "AttachGroupPolicy",
        "attach-group-policy",
        "--group-name",
        "ops",
        "--policy-arn",
        "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess",
    )
    ok(
        iam,
        "CreateRole",
        "create-role",
        "--role-name",
        "worker",
        "--assume-role-policy-document",
        TRUST,
    )
    ok(
        iam,
        "PutRolePolicy",
        "put-role-policy",
        "--role-name",
        "worker",
        "--policy-name",
        "fn",
        "--policy-document",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}],
            }
        ),
    )
    records = [
        _event(USER, "IAMUser", "2026-11-20T10:00:00Z", "s3", "GetObject"),
        _event(USER, "IAMUser", "2026-11-22T10:00:00Z", "s3", "ListBucket"),
        _event(USER, "IAMUser", "2026-11-25T10:00:00Z", "iam", "GetUser"),
        _event(
            f"arn:aws:iam::{ACCOUNT}:user/bob",
            "IAMUser",
            "2026-11-26T08:00:00Z",
            "ec2",
            "DescribeInstances",
        ),
        _event(
            f"arn:aws:iam::{ACCOUNT}:user/ana",
            "IAMUser",
            "2026-11-21T08:00:00Z",
            "ec2",
            "DescribeVpcs",
        ),
        _event(
            f"arn:aws:sts::{ACCOUNT}:assumed-role/worker/run-1",
            "AssumedRole",
            "2026-11-27T09:00:00Z",
            "lambda",
            "Invoke",
        ),
    ]
    trail = tmp_path / "trail.json"
    trail.write_text(json.dumps({"Records": records}))
    assert main(["--db", iam.db, "activity", "import", str(trail)]) == 0
    capsys.readouterr()
    return iam


def _report(iam, arn: str, granularity: str = "SERVICE_LEVEL") -> tuple[str, dict]:
    job = ok(
        iam,
        "GenerateServiceLastAccessedDetails",
        "generate-service-last-accessed-details",
        "--arn",
        arn,
        "--granularity",
        granularity,
    )["JobId"]
    assert len(job) == 36
    details = ok(
        iam, "GetServiceLastAccessedDetails", "get-service-last-accessed-details", "--job-id", job
    )
    assert details["JobStatus"] == "COMPLETED" and details["JobType"] == granularity
    return job, {s["ServiceNamespace"]: s for s in details["ServicesLastAccessed"]}


def test_a_users_services_with_last_use(advised) -> None:
    _, services = _report(advised, USER)
    # what ana's policies (her own and her group's) allow, used or not
    assert {"s3", "sqs", "iam", "ec2"} <= set(services)
    assert "lambda" not in services
    assert services["s3"]["LastAuthenticated"] == "2026-11-22T10:00:00+00:00"
    assert services["s3"]["LastAuthenticatedEntity"] == USER
    assert services["s3"]["TotalAuthenticatedEntities"] == 1
    assert services["ec2"]["LastAuthenticated"] == "2026-11-21T08:00:00+00:00"  # not bob's
    never = services["sqs"]
    assert "LastAuthenticated" not in never and never["TotalAuthenticatedEntities"] == 0
    assert "TrackedActionsLastAccessed" not in services["s3"]


def test_action_level_tracks_s3_ec2_iam_lambda_actions(advised) -> None:
    _, services = _report(advised, USER, "ACTION_LEVEL")
    tracked = {
        a["ActionName"]: a["LastAccessedTime"] for a in services["s3"]["TrackedActionsLastAccessed"]
    }
    assert tracked == {
        "GetObject": "2026-11-20T10:00:00+00:00",
        "ListBucket": "2026-11-22T10:00:00+00:00",
    }
    assert "TrackedActionsLastAccessed" not in services["sqs"]


def test_a_roles_report_counts_its_sessions(advised) -> None:
    _, services = _report(advised, f"arn:aws:iam::{ACCOUNT}:role/worker")
    assert list(services) == ["lambda"]
    assert services["lambda"]["LastAuthenticated"] == "2026-11-27T09:00:00+00:00"


def test_a_groups_report_lists_the_members_by_service(advised) -> None:
    job, services = _report(advised, f"arn:aws:iam::{ACCOUNT}:group/ops")
    assert services["ec2"]["TotalAuthenticatedEntities"] == 2
    assert services["ec2"]["LastAuthenticatedEntity"] == f"arn:aws:iam::{ACCOUNT}:user/bob"
    entities = ok(
        advised,
        "GetServiceLastAccessedDetailsWithEntities",
        "get-service-last-accessed-details-with-entities",
        "--job-id",
        job,
        "--service-namespace",
        "ec2",
    )["EntityDetailsList"]
    assert [
        (e["EntityInfo"]["Name"], e["EntityInfo"]["Type"], e["LastAuthenticated"]) for e in entities
    ] == [
        ("bob", "USER", "2026-11-26T08:00:00+00:00"),
        ("ana", "USER", "2026-11-21T08:00:00+00:00"),
    ]
    fails(
        advised,
        "InvalidInput",
        "get-service-last-accessed-details-with-entities",
        "--job-id",
        job,
        "--service-namespace",
        "lambda",
    )


def test_a_policys_report_covers_everyone_it_is_attached_to(advised) -> None:
    _, services = _report(advised, "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess")
    assert services["ec2"]["TotalAuthenticatedEntities"] == 2


def test_report_errors_and_paging(advised) -> None:
    fails(
        advised,
        "NoSuchEntity",
        "generate-service-last-accessed-details",
        "--arn",
        f"arn:aws:iam::{ACCOUNT}:user/nobody",
    )
    fails(
        advised,
        "NoSuchEntity",
        "get-service-last-accessed-details",
        "--job-id",
        "00000000-0000-4000-8000-000000000000",
    )
    job, _ = _report(advised, USER)
    code, out, _ = advised(
        "get-service-last-accessed-details", "--job-id", job, "--max-items", "2", "--output", "json"
    )
    page = json.loads(out)
    # not a paginated operation in botocore: the API's own MaxItems/Marker, as the CLI shows them
    assert code == 0 and len(page["ServicesLastAccessed"]) == 2 and page["IsTruncated"]
    rest = ok(
        advised,
        "GetServiceLastAccessedDetails",
        "get-service-last-accessed-details",
        "--job-id",
        job,
        "--marker",
        page["Marker"],
    )
    names = [
        s["ServiceNamespace"] for s in page["ServicesLastAccessed"] + rest["ServicesLastAccessed"]
    ]
    assert len(names) == len(set(names)) and {"s3", "sqs", "iam", "ec2"} <= set(names)
    assert rest["IsTruncated"] is False


def test_policies_granting_service_access(advised) -> None:
    result = ok(
        advised,
        "ListPoliciesGrantingServiceAccess",
        "list-policies-granting-service-access",
        "--arn",
        USER,
        "--service-namespaces",
        "s3",
        "ec2",
        "lambda",
    )["PoliciesGrantingServiceAccess"]
    by = {r["ServiceNamespace"]: r["Policies"] for r in result}
    assert by["s3"] == [
        {
            "PolicyName": "AmazonS3ReadOnlyAccess",
            "PolicyType": "MANAGED",
            "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        }
    ]
    assert by["ec2"][0]["PolicyName"] == "AmazonEC2ReadOnlyAccess"
    assert by["lambda"] == []


def test_waiters(iam, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    def later(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:  # someone else creates the user while we wait
            ok(iam, "CreateUser", "create-user", "--user-name", "late")

    monkeypatch.setattr(waiters, "sleep", later)
    code, out, err = iam("wait", "user-exists", "--user-name", "late")
    assert (code, out) == (0, "") and slept == [1.0, 1.0, 1.0]
    slept.clear()
    monkeypatch.setattr(waiters, "sleep", slept.append)
    code, _, err = iam("wait", "role-exists", "--role-name", "never")
    assert code == 255 and "Waiter RoleExists failed: Max attempts exceeded" in err
    assert len(slept) == 19  # botocore's model: 20 attempts, 1 s apart
    code, _, err = iam("wait", "instance-profile-exists", "--instance-profile-name", "nope")
    assert code == 255 and "InstanceProfileExists" in err
    code, _, err = iam("wait", "bucket-exists")
    assert code == 252 and "user-exists" in err
    code, _, err = iam("wait", "policy-exists")
    assert code == 252
