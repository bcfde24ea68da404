"""The Decision's explaining parts: trace, near misses, per-type details, plain English."""

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
OBJ = "arn:aws:s3:::reports/q1.csv"


def ref(label: str, doc: dict[str, Any], name: str | None = None) -> PolicyRef:
    return PolicyRef(label, compile_policy(doc), name)


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_boundary_explanation_names_the_boundary_and_action() -> None:
    ps = PolicySet(
        identity=[ref("identity[0]", doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))],
        permissions_boundary=ref(
            "permissions_boundary",
            doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}),
            "DevBoundary",
        ),
    )
    d = evaluate(Request(ALICE, "s3:DeleteBucket", "arn:aws:s3:::reports"), ps)
    assert d.decision == "implicitDeny"
    assert d.gate == "permissions_boundary"
    assert d.explanation == (
        "Denied: the permissions boundary DevBoundary has no statement that allows s3:DeleteBucket."
    )
    details = d.details
    assert details["identity"].allowed is True
    assert details["permissions_boundary"].allowed is False
    assert details["session_policy"].applies is False
    assert details["resource_policy"].allowed is None


def test_explicit_deny_explanation_and_details() -> None:
    ps = PolicySet(
        identity=[
            ref(
                "identity[0]",
                doc(
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Sid": "NoQ1", "Effect": "Deny", "Action": "s3:*", "Resource": OBJ},
                ),
                "guard",
            )
        ]
    )
    d = evaluate(Request(ALICE, "s3:GetObject", OBJ), ps)
    assert d.explanation.startswith("Denied: statement 1 (NoQ1) of the identity policy guard")
    (m,) = d.matched_statements
    assert (m.label, m.name, m.statement_index, m.sid, m.effect) == (
        "identity[0]",
        "guard",
        1,
        "NoQ1",
        "Deny",
    )
    assert d.details["identity"].denied and d.details["identity"].allowed


def test_trace_records_every_element_and_reason() -> None:
    policy = doc(
        {"Sid": "Other", "Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
        {
            "Sid": "Wrong",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::x/*",
        },
        {
            "Sid": "Cond",
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:PrincipalTag/team": "red"},
                "Bool": {"aws:SecureTransport": "true"},
            },
        },
        {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
    )
    d = evaluate(
        Request(ALICE, "s3:GetObject", OBJ, context={"aws:SecureTransport": "true"}),
        PolicySet(identity=[ref("identity[0]", policy)]),
    )
    assert d.decision == "implicitDeny"
    other, wrong, cond, not_action = d.trace
    assert other.action.reason is MismatchReason.ACTION_NOT_LISTED
    assert wrong.action.matched and wrong.resource.reason is MismatchReason.RESOURCE_NOT_LISTED
    assert cond.resource.matched and cond.principal is None
    assert [(c.key, c.matched, c.reason) for c in cond.conditions] == [
        ("aws:PrincipalTag/team", False, MismatchReason.CONTEXT_KEY_MISSING),
        ("aws:SecureTransport", True, None),
    ]
    assert cond.conditions[1].request_values == ("true",)
    assert not_action.action.reason is MismatchReason.ACTION_EXCLUDED
    assert d.missing_context_values == ("aws:PrincipalTag/team",)
    # Near misses: matched the action, failed on exactly one element.
    assert [(n.sid, n.element) for n in d.near_misses] == [
        ("Wrong", "Resource"),
        ("Cond", "Condition"),
    ]
    assert "aws:PrincipalTag/team" in d.near_misses[1].detail


def test_fast_path_builds_no_trace() -> None:
    ps = PolicySet(
        identity=[ref("identity[0]", doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))]
    )
    d = evaluate(Request(ALICE, "s3:GetObject", OBJ), ps, explain=False)
    assert d.decision == "allowed" and d.trace == () and d.near_misses == ()
    assert d.explanation.startswith("Allowed: statement 0 of the identity policy identity[0]")


def test_resource_policy_principal_trace_and_cross_account_details() -> None:
    bucket = doc(
        {
            "Sid": "Partner",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::reports/*",
        }
    )
    ps = PolicySet(
        identity=[ref("identity[0]", doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))],
        resource_policy=ref("resource_policy", bucket),
    )
    d = evaluate(Request(ALICE, "s3:GetObject", OBJ, resource_account="999988887777"), ps)
    assert d.decision == "implicitDeny" and d.cross_account and d.gate == "cross_account"
    resource_trace = [t for t in d.trace if t.policy_type == "resource_policy"]
    assert resource_trace[0].principal is not None
    assert resource_trace[0].principal.reason is MismatchReason.PRINCIPAL_NOT_LISTED
    assert [n.element for n in d.near_misses] == ["Principal"]
    assert "cross-account" in d.explanation


def test_scp_levels_in_details() -> None:
    allow_all = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    ec2_only = doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"})
    ps = PolicySet(
        identity=[ref("identity[0]", allow_all)],
        scps=[[ref("scps[0][0]", allow_all)], [ref("scps[1][0]", ec2_only)]],
    )
    d = evaluate(Request(ALICE, "s3:GetObject", OBJ), ps)
    assert d.decision == "implicitDeny" and d.gate == "scp"
    assert d.details["scps"].levels == (True, False)
    assert "level 1" in d.explanation


def test_allowed_via_resource_policy_only() -> None:
    bucket = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ALICE.arn},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::reports/*",
        }
    )
    d = evaluate(
        Request(ALICE, "s3:GetObject", OBJ),
        PolicySet(resource_policy=ref("resource_policy", bucket)),
    )
    assert d.decision == "allowed" and d.allowed_via == ("resource_policy",)
    assert [m.label for m in d.matched_statements] == ["resource_policy"]
    assert d.explanation.startswith("Allowed: statement 0 of the resource policy allows")


def test_unknown_operator_and_bad_values_never_match() -> None:
    policy = doc(
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEqualz": {"k": "v"}},
        },
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"NumericLessThan": {"k": "ten"}},
        },
    )
    d = evaluate(
        Request(ALICE, "s3:GetObject", OBJ, context={"k": "v"}),
        PolicySet(identity=[ref("identity[0]", policy)]),
    )
    assert d.decision == "implicitDeny"
    reasons = [c.reason for t in d.trace for c in t.conditions]
    assert reasons == [MismatchReason.UNKNOWN_OPERATOR, MismatchReason.INVALID_CONDITION_VALUE]


def test_missing_context_values_are_deduplicated_in_order() -> None:
    policy = doc(
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1", "AWS:SourceVPC": "vpc-2"}},
        },
        {
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:ViaAWSService": "false"}},
        },
        {
            "Effect": "Allow",
            "Action": "ec2:*",
            "Resource": "*",
            "Condition": {"Bool": {"ec2:Unrelated": "true"}},
        },
    )
    d = evaluate(
        Request(ALICE, "s3:GetObject", OBJ), PolicySet(identity=[ref("identity[0]", policy)])
    )
    # Keys of statements whose action does not match (ec2:Unrelated) are not requested.
    assert d.missing_context_values == ("aws:SourceVpc", "aws:ViaAWSService")
