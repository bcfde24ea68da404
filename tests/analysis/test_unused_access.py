"""Unused access from last-used data and imported CloudTrail files, and least-privilege policy
generation from that activity."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from pathlib import Path

import pytest

from iamdesk.analysis.policy.generation import generate_policy
from iamdesk.analysis.unused_access import find_unused_access
from iamdesk.cli.main import main
from iamdesk.services import access_keys, activity
from iamdesk.services.errors import IamError
from tests.analysis.scenario import Builder, allow, arn, doc, trust
from tests.services.store_fixtures import ACCOUNT, Clock, table_counts


def _event(who: dict, source: str, name: str, when: str, **extra: object) -> dict:
    return {
        "eventVersion": "1.08",
        "userIdentity": who,
        "eventSource": source,
        "eventName": name,
        "eventTime": when,
        **extra,
    }


def _user_identity(name: str) -> dict:
    return {"type": "IAMUser", "arn": arn("user", name), "accountId": ACCOUNT, "userName": name}


def _role_identity(role: str) -> dict:
    return {
        "type": "AssumedRole",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/s1",
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "arn": arn("role", role), "userName": role}
        },
    }


def _write(path: Path, records: list, compress: bool = False) -> Path:
    data = json.dumps({"Records": records}).encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


@pytest.fixture
def account(tmp_path: Path) -> tuple[Builder, Clock, list[Path]]:
    clock = Clock()
    b = Builder(tmp_path, clock)
    b.user(
        "app",
        doc(
            allow(["s3:GetObject", "s3:PutObject", "s3:ListBucket"]),
            allow("sqs:SendMessage"),
            allow("ec2:Describe*"),
        ),
    )
    b.role("Worker", trust({"Service": "lambda.amazonaws.com"}), doc(allow("dynamodb:GetItem")))
    b.role("Idle", trust({"Service": "lambda.amazonaws.com"}))
    key = access_keys.create_access_key(b.db, ACCOUNT, "app")["AccessKey"]["AccessKeyId"]
    clock.moment += timedelta(days=200)  # the key, made 200 days ago, was never used
    now = clock.moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    week_ago = (clock.moment - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    files = [
        _write(
            tmp_path / "a.json",
            [
                _event(
                    _user_identity("app"),
                    "s3.amazonaws.com",
                    "GetObject",
                    week_ago,
                    requestParameters={"bucketName": "reports", "key": "2026/q1.csv"},
                ),
                _event(
                    _user_identity("app"),
                    "s3.amazonaws.com",
                    "GetObject",
                    now,
                    requestParameters={"bucketName": "reports", "key": "2026/q2.csv"},
                ),
                _event(
                    _user_identity("app"),
                    "s3.amazonaws.com",
                    "PutObject",
                    now,
                    errorCode="AccessDenied",
                ),
                _event(
                    {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"},
                    "s3.amazonaws.com",
                    "GetObject",
                    now,
                ),
            ],
        ),
        _write(
            tmp_path / "b.json.gz",
            [
                _event(
                    _role_identity("Worker"),
                    "dynamodb.amazonaws.com",
                    "GetItem",
                    now,
                    resources=[{"ARN": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/jobs"}],
                )
            ],
            compress=True,
        ),
    ]
    b.key = key  # type: ignore[attr-defined]
    return b, clock, files


def test_cloudtrail_files_then_unused_findings(account: tuple[Builder, Clock, list[Path]]) -> None:
    b, _, files = account
    summary = activity.import_activity(b.db, files)
    assert summary.to_dict() == {
        "Files": 2,
        "Records": 5,
        "EventsKept": 3,
        "Principals": 2,
        "PrincipalActions": 2,
    }
    uses = {(u.principal_arn, u.action): u for u in activity.activity(b.db)}
    get = uses[(arn("user", "app"), "s3:GetObject")]
    assert get.count == 2 and get.resources == (
        "arn:aws:s3:::reports/2026/q1.csv",
        "arn:aws:s3:::reports/2026/q2.csv",
    )
    assert (arn("role", "Worker"), "dynamodb:GetItem") in uses

    found = find_unused_access(b.db, None, days=90)
    kinds = {(f.kind, f.entity.name): f for f in found}
    key = kinds[("access_key", "app")]
    assert key.items == (b.key,) and key.days_unused == 200 and key.last_used is None  # type: ignore[attr-defined]
    assert "never used (created 200 days ago)" in key.detail
    assert ("role", "Idle") in kinds and ("role", "Worker") not in kinds  # Worker's activity counts
    services = kinds[("service", "app")]
    assert services.items == ("ec2", "sqs") and services.statements
    actions = kinds[("action", "app")]
    assert actions.items == ("s3:ListBucket", "s3:PutObject")  # the denied PutObject used nothing
    # A bad file among good ones imports nothing.
    bad = files[0].parent / "bad.json"
    bad.write_text('{"Records": 3}')
    before = table_counts(b.db)
    with pytest.raises(IamError) as caught:
        activity.import_activity(b.db, [files[1], bad])
    assert 'bad.json: not a CloudTrail log file (no "Records" list)' in caught.value.message
    assert table_counts(b.db) == before


def test_generated_policy_is_least_privilege_and_valid(
    account: tuple[Builder, Clock, list[Path]],
) -> None:
    b, _, files = account
    activity.import_activity(b.db, files)
    generated = generate_policy(b.db, None, arn("user", "app"), days=90)
    document = json.loads(generated.document)
    assert document["Statement"] == [
        {
            "Sid": "S31",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": "arn:aws:s3:::reports/*",
        }
    ]
    assert generated.actions == ("s3:GetObject",)
    assert not [f for f in generated.findings if f.severity == "ERROR"]
    role = json.loads(generate_policy(b.db, None, arn("role", "Worker")).document)
    assert role["Statement"][0]["Resource"] == f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/jobs"
    with pytest.raises(IamError) as caught:
        generate_policy(b.db, None, arn("role", "Idle"))
    assert "iamdesk activity import" in caught.value.message


def test_activity_and_analyze_commands(
    account: tuple[Builder, Clock, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    b, _, files = account
    db = str(b.db.path)
    assert main(["--db", db, "activity", "import", *map(str, files)]) == 0
    assert json.loads(capsys.readouterr().out)["EventsKept"] == 3
    assert main(["--db", db, "activity", "import", str(files[0].parent / "missing.json")]) == 1
    assert "cannot be read" in capsys.readouterr().err
    # The CLI reads the real clock: every credential in this model is "unused" by now.
    assert main(["--db", db, "analyze", "unused-access", "--days", "30"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["days"] == 30 and any(f["kind"] == "access_key" for f in out["findings"])
    assert (
        main(
            [
                "--db",
                db,
                "analyze",
                "generate-policy",
                "--principal",
                arn("user", "app"),
                "--days",
                "3650",
            ]
        )
        == 0
    )
    policy = json.loads(capsys.readouterr().out)
    assert policy["policyDocument"]["Statement"][0]["Action"] == ["s3:GetObject"]


def test_hostile_files_are_refused_whole(tmp_path: Path) -> None:
    b = Builder(tmp_path)
    deep = tmp_path / "deep.json"
    deep.write_text('{"Records": [' + "[" * 5000 + "]" * 5000 + "]}")
    not_utf8 = tmp_path / "latin1.json"
    not_utf8.write_bytes(b'{"Records": ["\xe9"]}')
    broken_gz = tmp_path / "cut.json.gz"
    broken_gz.write_bytes(gzip.compress(b'{"Records": []}')[:12])
    for path, words in ((deep, "nest"), (not_utf8, "UTF-8"), (broken_gz, "cannot be read")):
        with pytest.raises(IamError) as caught:
            activity.import_activity(b.db, [path])
        assert str(path) in caught.value.message and words in caught.value.message, (
            caught.value.message
        )
    assert activity.activity(b.db) == []
