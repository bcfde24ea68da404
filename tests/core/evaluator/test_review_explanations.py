"""What the explanation and trace say for the rules a review against AWS's documentation fixed
(the decisions themselves are in ``cases/review_rules.json``)."""

from __future__ import annotations

from typing import Any

from iamdesk.core.evaluator import (
    MismatchReason,
    PolicyRef,
    PolicySet,
    Principal,
    Request,
    compile_policy,
    evaluate,
)

A = "111122223333"
ALICE = Principal(f"arn:aws:iam::{A}:user/alice", A)
ROLE = Principal(f"arn:aws:iam::{A}:role/Deployer", A)
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DENY_ALL_RCP = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}],
}


def ref(label: str, *statements: dict[str, Any]) -> PolicyRef:
    return PolicyRef(
        label, compile_policy({"Version": "2012-10-17", "Statement": list(statements)})
    )


def test_rcp_skipped_for_a_service_without_rcp_support_is_said() -> None:
    ps = PolicySet(
        identity=[ref("identity[0]", {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"})],
        rcps=[[PolicyRef("rcps[0][0]", compile_policy(DENY_ALL_RCP))]],
    )
    d = evaluate(Request(ALICE, "ec2:DescribeInstances", "*"), ps)
    assert d.allowed
    assert "rcps" not in d.applies
    assert "resource control policies were skipped: ec2 does not support RCPs" in d.explanation
    # Where RCPs apply, nothing is said about skipping them.
    s3 = evaluate(Request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k"), ps)
    assert s3.decision == "explicitDeny"
    assert "skipped" not in s3.explanation


def test_rcp_exempt_action_is_said() -> None:
    ps = PolicySet(
        identity=[ref("identity[0]", {"Effect": "Allow", "Action": "kms:*", "Resource": "*"})],
        rcps=[[PolicyRef("rcps[0][0]", compile_policy(DENY_ALL_RCP))]],
        resource_policy=ref(
            "resource_policy",
            {"Effect": "Allow", "Principal": {"AWS": A}, "Action": "kms:*", "Resource": "*"},
        ),
        resource_policy_must_allow=True,
    )
    d = evaluate(Request(ALICE, "kms:RetireGrant", KEY), ps)
    assert d.allowed
    assert "kms:RetireGrant is not effective in an RCP" in d.explanation


def test_kms_key_without_key_policy_explains_the_key_policy_rule() -> None:
    ps = PolicySet(
        identity=[ref("identity[0]", {"Effect": "Allow", "Action": "kms:*", "Resource": "*"})]
    )
    d = evaluate(Request(ALICE, "kms:Decrypt", KEY), ps)
    assert d.decision == "implicitDeny"
    assert d.gate == "resource_policy"
    assert "key policy must allow kms:Decrypt" in d.explanation
    assert evaluate(Request(ALICE, "kms:ListKeys", "*"), ps).allowed


def test_get_caller_identity_explanation_says_no_permission_is_needed() -> None:
    ps = PolicySet(
        identity=[ref("identity[0]", {"Effect": "Deny", "Action": "sts:*", "Resource": "*"})]
    )
    d = evaluate(Request(ALICE, "sts:GetCallerIdentity", "*"), ps)
    assert d.allowed and d.matched_statements == ()
    assert "needs no permission" in d.explanation
    # The deny still shows in the trace: it matched, it just cannot stop this call.
    assert d.trace[0].matched
    assert evaluate(Request(ALICE, "sts:GetSessionToken", "*"), ps).decision == "explicitDeny"


def test_unresolved_variable_in_not_resource_is_traced_and_missing() -> None:
    ps = PolicySet(
        identity=[
            ref(
                "identity[0]",
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "NotResource": "arn:aws:s3:::home/${aws:username}/*",
                },
            )
        ]
    )
    d = evaluate(Request(ROLE, "s3:GetObject", "arn:aws:s3:::reports/q1.csv"), ps)
    assert d.decision == "implicitDeny"
    assert d.missing_context_values == ("aws:username",)
    assert d.trace[0].resource.reason is MismatchReason.VARIABLE_MISSING
    assert d.near_misses and d.near_misses[0].element == "Resource"
    fast = evaluate(Request(ROLE, "s3:GetObject", "arn:aws:s3:::reports/q1.csv"), ps, explain=False)
    assert fast.missing_context_values == ("aws:username",)


def test_only_deciding_resource_grants_are_explained() -> None:
    session = Principal(f"arn:aws:sts::{A}:assumed-role/Deployer/build-7", A)
    ps = PolicySet(
        resource_policy=ref(
            "resource_policy",
            {
                "Sid": "Account",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                "Action": "s3:GetObject",
                "Resource": "*",
            },
            {
                "Sid": "Session",
                "Effect": "Allow",
                "Principal": {"AWS": session.arn},
                "Action": "s3:GetObject",
                "Resource": "*",
            },
        )
    )
    d = evaluate(Request(session, "s3:GetObject", "arn:aws:s3:::reports/q1.csv"), ps)
    assert d.allowed
    assert [m.sid for m in d.matched_statements] == ["Session"]
    assert "(Session)" in d.explanation and "(Account)" not in d.explanation
