"""``iamdesk iam generate-organizations-access-report`` / ``get-organizations-access-report`` on
the demo organization, run as a user would: CloudTrail activity of three accounts imported, an
SCP that takes EC2 away from the partner account, and reports for the root, the OU, a member
account, the management account and one SCP, with IAM's sorting, paging and errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from iamdesk.cli.main import main
from iamdesk.core import catalog
from iamdesk.services.demo import write_demo

MANAGEMENT, PRODUCTION, PARTNER = "123456789012", "111122223333", "444455556666"
NOW = datetime.now(UTC).replace(microsecond=0)


def _when(days: int) -> str:
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _event(account: str, user: str, source: str, name: str, days: int) -> dict:
    arn = f"arn:aws:iam::{account}:user/{user}"
    who = {"type": "IAMUser", "arn": arn, "accountId": account, "userName": user}
    return {"eventVersion": "1.08", "eventTime": _when(days), "eventSource": source,
            "eventName": name, "userIdentity": who}  # fmt: skip


@pytest.fixture
def org(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    db = write_demo(tmp_path / "demo.sqlite")

    def run(*args: str, account: str = MANAGEMENT) -> tuple[int, str, str]:
        code = main(["--db", str(db), "--account-id", account, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    def ok(*args: str, account: str = MANAGEMENT) -> dict:
        code, out, err = run(*args, account=account)
        assert code == 0, err
        return json.loads(out) if out.strip() else {}

    trail = tmp_path / "trail.json"
    trail.write_text(json.dumps({"Records": [
        _event(PRODUCTION, "alice", "s3.amazonaws.com", "GetObject", 5),
        _event(PRODUCTION, "alice", "ec2.amazonaws.com", "DescribeInstances", 4),
        _event(PARTNER, "erin", "s3.amazonaws.com", "ListBucket", 2),
        _event(MANAGEMENT, "grace", "iam.amazonaws.com", "ListUsers", 1),
    ]}), encoding="utf-8")  # fmt: skip
    assert run("activity", "import", str(trail))[0] == 0
    no_ec2 = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}]})  # fmt: skip
    policy = ok("organizations", "create-policy", "--name", "NoEc2", "--type",
                "SERVICE_CONTROL_POLICY", "--description", "", "--content", no_ec2)  # fmt: skip
    policy_id = policy["Policy"]["PolicySummary"]["Id"]
    ok("organizations", "attach-policy", "--policy-id", policy_id, "--target-id", PARTNER)
    organization = ok("organizations", "describe-organization")["Organization"]["Id"]
    root = ok("organizations", "list-roots")["Roots"][0]["Id"]
    ou = ok("organizations", "list-organizational-units-for-parent", "--parent-id", root)
    run.ok = ok  # type: ignore[attr-defined]
    run.root = f"{organization}/{root}"  # type: ignore[attr-defined]
    run.ou = f"{run.root}/{ou['OrganizationalUnits'][0]['Id']}"  # type: ignore[attr-defined]
    run.policy = policy_id  # type: ignore[attr-defined]
    return run


def _report(org, path: str, *more: str) -> tuple[dict, dict[str, dict]]:
    job = org.ok("iam", "generate-organizations-access-report", "--entity-path", path, *more)
    assert len(job["JobId"]) == 36
    report = org.ok("iam", "get-organizations-access-report", "--job-id", job["JobId"],
                    "--no-paginate", "--max-items", "1000")  # fmt: skip
    assert report["JobStatus"] == "COMPLETED" and report["IsTruncated"] is False
    return report, {row["ServiceNamespace"]: row for row in report["AccessDetails"]}


def test_the_root_and_the_ou_report_their_accounts_but_the_management_one(org) -> None:
    every = len(catalog.services())
    for path in (org.root, org.ou):
        report, rows = _report(org, path)
        assert report["NumberOfServicesAccessible"] == every  # FullAWSAccess all the way down
        assert report["NumberOfServicesNotAccessed"] == every - 2
        assert rows["s3"] == {
            "ServiceName": catalog.service_name("s3"),
            "ServiceNamespace": "s3",
            "EntityPath": f"{org.ou}/{PARTNER}",  # the latest use was the partner's
            "LastAuthenticatedTime": _when(2).replace("Z", "+00:00"),
            "TotalAuthenticatedEntities": 2,  # accounts, not principals
        }
        assert rows["ec2"]["TotalAuthenticatedEntities"] == 1
        assert rows["ec2"]["EntityPath"] == f"{org.ou}/{PRODUCTION}"
        unused = {"ServiceName": catalog.service_name("iam"), "ServiceNamespace": "iam",
                  "TotalAuthenticatedEntities": 0}  # fmt: skip
        assert rows["iam"] == unused


def test_an_account_is_limited_by_its_scps_and_the_management_account_is_not(org) -> None:
    report, rows = _report(org, f"{org.ou}/{PARTNER}")
    assert "ec2" not in rows  # NoEc2, attached to the account, takes it away whole
    assert report["NumberOfServicesAccessible"] == len(catalog.services()) - 1
    assert rows["s3"]["TotalAuthenticatedEntities"] == 1
    report, rows = _report(org, f"{org.root}/{MANAGEMENT}", "--organizations-policy-id", org.policy)
    assert "ec2" in rows  # every service; the policy is ignored
    assert rows["iam"]["EntityPath"] == f"{org.root}/{MANAGEMENT}"
    assert rows["s3"]["TotalAuthenticatedEntities"] == 0  # its own data only


def test_one_scp_reports_the_accounts_it_applies_to(org) -> None:
    _, rows = _report(org, org.root, "--organizations-policy-id", org.policy)
    assert "ec2" not in rows
    assert rows["s3"]["TotalAuthenticatedEntities"] == 1  # the partner only: attached there
    _, rows = _report(org, f"{org.ou}/{PRODUCTION}", "--organizations-policy-id", org.policy)
    assert rows["s3"]["TotalAuthenticatedEntities"] == 0  # not attached to production


def test_sorting_paging_and_errors(org) -> None:
    job = org.ok("iam", "generate-organizations-access-report", "--entity-path", org.ou)["JobId"]
    latest = ("--sort-key", "LAST_AUTHENTICATED_TIME_DESCENDING")
    page = org.ok("iam", "get-organizations-access-report", "--job-id", job, *latest,
                  "--max-items", "2", "--no-paginate")  # fmt: skip
    assert [r["ServiceNamespace"] for r in page["AccessDetails"]] == ["s3", "ec2"]
    assert page["IsTruncated"] is True
    rest = org.ok("iam", "get-organizations-access-report", "--job-id", job, "--sort-key",
                  "LAST_AUTHENTICATED_TIME_DESCENDING", "--marker", page["Marker"],
                  "--max-items", "1", "--no-paginate")  # fmt: skip
    assert rest["AccessDetails"][0]["TotalAuthenticatedEntities"] == 0
    last = org.ok("iam", "get-organizations-access-report", "--job-id", job, "--sort-key",
                  "SERVICE_NAMESPACE_DESCENDING", "--max-items", "1", "--no-paginate")  # fmt: skip
    assert last["AccessDetails"][0]["ServiceNamespace"] == max(catalog.services(), key=str.lower)

    def refused(code_word: str, *args: str, account: str = MANAGEMENT) -> str:
        code, _, err = org(*args, account=account)
        assert code == 254 and f"({code_word})" in err, err
        return err

    generate = ("iam", "generate-organizations-access-report", "--entity-path")
    assert "management account" in refused("AccessDenied", *generate, org.root, account=PARTNER)
    assert org(*generate, "not-a-path")[0] == 252  # the CLI's own check: too short
    refused("ValidationError", *generate, "o-ABCDEFGHIJ/r-abcd")  # IAM's pattern
    other = org.root.replace(org.root.split("/")[0], "o-zzzzzzzzzz")
    assert "names no entity" in refused("InvalidInput", *generate, other)
    refused("InvalidInput", *generate, f"{org.root}/ou-qabg-nothere0")
    refused("InvalidInput", *generate, f"{org.root}/{PARTNER}")  # the partner is in the OU
    refused("InvalidInput", *generate, org.root, "--organizations-policy-id", "p-FullAWSAccesz")
    refused("NoSuchEntity", "iam", "get-organizations-access-report", "--job-id", "0" * 36)
    refused("NoSuchEntity", "iam", "get-organizations-access-report", "--job-id", job,
            account=PRODUCTION)  # fmt: skip
