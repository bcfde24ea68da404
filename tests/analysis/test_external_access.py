"""External access findings: a public bucket, a KMS key shared with another account, a role
trusting another account; archived findings come back when the policy changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamdesk.analysis.external_access import (
    archive_finding,
    find_external_access,
    unarchive_finding,
)
from iamdesk.cli.main import main
from iamdesk.services import resources
from iamdesk.services.errors import IamError
from tests.analysis.scenario import OTHER, Builder, allow, doc, trust
from tests.services.store_fixtures import ACCOUNT


def _build(tmp_path: Path) -> tuple[Builder, str]:
    b = Builder(tmp_path)
    resources.create_bucket(b.db, bucket="site", account_id=ACCOUNT)
    resources.put_bucket_policy(
        b.db,
        bucket="site",
        account_id=ACCOUNT,
        policy=doc({**allow("s3:GetObject", "arn:aws:s3:::site/*"), "Principal": "*"}),
    )
    resources.create_bucket(b.db, bucket="inside", account_id=ACCOUNT)
    resources.put_bucket_policy(
        b.db,
        bucket="inside",
        account_id=ACCOUNT,
        policy=doc(
            {
                **allow("s3:*", "arn:aws:s3:::inside/*"),
                "Principal": "*",
                "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
            }
        ),
    )
    key = resources.create_key(b.db, account_id=ACCOUNT)["KeyMetadata"]
    resources.put_key_policy(
        b.db,
        key_id=key["KeyId"],
        account_id=ACCOUNT,
        policy=doc(
            {**allow("kms:*"), "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}},
            {
                **allow(["kms:Decrypt", "kms:DescribeKey"]),
                "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
            },
        ),
    )
    b.role("Partner", trust({"AWS": OTHER}))
    b.role("Lambda", trust({"Service": "lambda.amazonaws.com"}))
    return b, key["Arn"]


def test_public_bucket_shared_key_and_cross_account_role(tmp_path: Path) -> None:
    b, key_arn = _build(tmp_path)
    findings = {(f.resource.arn, f.principal): f for f in find_external_access(b.db, None)}
    assert set(findings) == {
        ("arn:aws:s3:::site", "*"),
        (key_arn, f"arn:aws:iam::{OTHER}:root"),
        (f"arn:aws:iam::{ACCOUNT}:role/Partner", OTHER),
    }
    public = findings[("arn:aws:s3:::site", "*")]
    assert public.is_public and public.resource_type == "AWS::S3::Bucket"
    assert public.access_levels == ("Read",) and public.statement.policy_kind == "resource"
    shared = findings[(key_arn, f"arn:aws:iam::{OTHER}:root")]
    assert not shared.is_public and shared.actions == ("kms:Decrypt", "kms:DescribeKey")
    assert shared.access_levels == ("Read", "Write")  # the catalog lists kms:Decrypt as Write
    assert shared.statement.statement_index == 1
    role = findings[(f"arn:aws:iam::{ACCOUNT}:role/Partner", OTHER)]
    assert (
        role.resource_type == "AWS::IAM::Role"
        and role.statement.policy_label == "trust policy of role/Partner"
    )
    with pytest.raises(IamError):
        find_external_access(b.db, None, zone="galaxy")


def test_archive_until_the_policy_changes(tmp_path: Path) -> None:
    b, _ = _build(tmp_path)
    public = next(f for f in find_external_access(b.db, None) if f.principal == "*")
    with pytest.raises(IamError):
        archive_finding(b.db, public, "  ")
    archive_finding(b.db, public, "static website")
    again = next(f for f in find_external_access(b.db, None) if f.finding_id == public.finding_id)
    assert (again.status, again.archive_reason) == ("archived", "static website")
    unarchive_finding(b.db, again)
    assert (
        next(
            f for f in find_external_access(b.db, None) if f.finding_id == public.finding_id
        ).status
        == "active"
    )
    archive_finding(b.db, public, "static website")
    # The same statement, changed policy: the finding is active again.
    resources.put_bucket_policy(
        b.db,
        bucket="site",
        account_id=ACCOUNT,
        policy=doc(
            {**allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::site/*"), "Principal": "*"}
        ),
    )
    back = next(f for f in find_external_access(b.db, None) if f.finding_id == public.finding_id)
    assert back.status == "active" and back.access_levels == ("Read", "Write")


def test_organization_zone_on_the_demo_and_cli_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.sqlite"
    assert main(["--db", str(path), "demo"]) == 0
    capsys.readouterr()
    assert main(["--db", str(path), "analyze", "external-access"]) == 0
    account = json.loads(capsys.readouterr().out)["findings"]
    assert main(["--db", str(path), "analyze", "external-access", "--zone", "organization"]) == 0
    org = json.loads(capsys.readouterr().out)["findings"]
    # The partner account is in the organization: only the public website and the role that
    # GitHub Actions' identities assume (a federated principal, outside any zone) stay outside.
    assert len(org) < len(account)
    github = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
    assert [(f["resource"], f["principal"], f["isPublic"]) for f in org] == [
        ("arn:aws:iam::111122223333:role/GitHubDeploy", github, False),
        ("arn:aws:s3:::example-corp-public-website", "*", True),
    ]
    fid = org[0]["id"]
    assert (
        main(
            [
                "--db",
                str(path),
                "analyze",
                "external-access",
                "--archive",
                fid,
                "--reason",
                "website",
            ]
        )
        == 0
    )
    assert fid not in {f["id"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert main(["--db", str(path), "analyze", "external-access", "--include-archived"]) == 0
    kept = {f["id"]: f for f in json.loads(capsys.readouterr().out)["findings"]}
    assert kept[fid]["status"] == "archived" and kept[fid]["archiveReason"] == "website"
    assert (
        main(
            ["--db", str(path), "analyze", "external-access", "--archive", "nope", "--reason", "x"]
        )
        == 254
    )
    assert "NoSuchEntity" in capsys.readouterr().err
