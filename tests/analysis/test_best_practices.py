"""Best-practice findings and the validation of every policy, on a hand-made account."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from iamdesk.analysis.best_practices import find_best_practice_issues
from iamdesk.analysis.policy.findings import validate_all
from iamdesk.services import access_keys, login_profiles
from tests.analysis.scenario import OTHER, Builder, allow, arn, doc, trust
from tests.services.store_fixtures import Clock


def _checks(findings: list) -> dict[tuple[str, str], object]:
    return {(f.check_id, f.entity.arn): f for f in findings}


def test_findings_cover_credentials_admins_wildcards_inline_and_trust(tmp_path: Path) -> None:
    clock = Clock()
    b = Builder(tmp_path, clock)
    admin_policy = "arn:aws:iam::aws:policy/AdministratorAccess"
    boss = b.user("boss", managed=(admin_policy,))
    login_profiles.create_login_profile(b.db, None, "boss", "Correct-Horse-9!")
    access_keys.create_access_key(b.db, None, "boss")
    kms_admin = b.user("kmsadmin", doc(allow("kms:*"), allow("s3:GetObject")))
    partner = b.role("Partner", trust({"AWS": f"arn:aws:iam::{OTHER}:root"}))
    guarded = b.role("Guarded", trust({"AWS": OTHER}, StringEquals={"sts:ExternalId": "x1"}))
    public = b.role("Public", trust({"AWS": "*"}))
    broken = b.policy(
        "Broken",
        doc(
            allow(
                "s3:GetObject",
                "arn:aws:s3:::b/*",
                Condition={"StringEquals": {"aws:NoSuchKey": "1"}},
            )
        ),
    )
    clock.moment += timedelta(days=200)

    found = _checks(find_best_practice_issues(b.db, None))

    assert found[("console-without-mfa", boss)].severity == "high"
    assert "200 days" in found[("old-access-key", boss)].detail
    assert found[("unused-credentials", boss)].detail == "no activity for 200 days"
    admin = found[("admin-equivalent", boss)]
    assert admin.severity == "high" and "AdministratorAccess" in admin.detail
    assert admin.statement is not None and admin.statement.policy_arn == admin_policy
    assert ("admin-equivalent", kms_admin) not in found
    wildcard = found[("sensitive-wildcard", kms_admin)]
    assert wildcard.statement.statement_index == 0 and "kms:*" in wildcard.detail
    assert ("inline-policy", kms_admin) in found
    assert found[("cross-account-trust", partner)].statement.policy_kind == "trust"
    assert ("cross-account-trust", guarded) not in found
    assert found[("public-trust", public)].severity == "high"
    assert found[("unused-role", partner)].detail == "not used for 200 days"
    policy_finding = found[("policy-findings", broken)]
    assert "Broken" in policy_finding.detail and policy_finding.entity.kind == "policy"
    assert "INVALID_GLOBAL_CONDITION_KEY (line 10)" in policy_finding.detail
    severities = [f.severity for f in find_best_practice_issues(b.db, None)]
    assert severities == sorted(severities, key=["high", "medium", "low"].index)


def test_validate_all_names_policy_and_span(tmp_path: Path) -> None:
    b = Builder(tmp_path)
    b.user(
        "u",
        doc(
            allow(
                "s3:GetObject",
                "arn:aws:s3:::b/*",
                Condition={"StringEquals": {"aws:NoSuchKey": "1"}},
            )
        ),
    )
    b.role("R", trust({"Service": "lambda.amazonaws.com"}))
    rows = validate_all(b.db, None)
    assert rows, "the unknown global key is reported"
    row = rows[0]
    assert row.policy_label == "inline P0 on user/u" and row.policy_kind == "inline"
    assert row.owner is not None and row.owner.arn == arn("user", "u")
    assert row.start_line >= 1 and row.to_json()["code"] == row.code
    assert {r.policy_kind for r in rows} == {"inline"}  # the trust policy is clean
