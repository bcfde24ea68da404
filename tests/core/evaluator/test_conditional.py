"""Conditional answers: the values of absent context keys under which a request would be
allowed, each answer checked by evaluating the request again with them."""

from __future__ import annotations

import io
import json
from typing import Any

from iamdesk.cli.simulate import run_stream
from iamdesk.core.evaluator import (
    PolicyRef,
    PolicySet,
    Principal,
    Request,
    allowed_if,
    compile_policy,
    evaluate,
)

A = "111122223333"
ALICE = Principal(f"arn:aws:iam::{A}:user/alice", A)
OBJ = "arn:aws:s3:::reports/q1.csv"


def ref(label: str, *statements: dict[str, Any]) -> PolicyRef:
    return PolicyRef(
        label, compile_policy({"Version": "2012-10-17", "Statement": list(statements)})
    )


def allow(condition: dict[str, Any], action: str = "s3:*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": "*", "Condition": condition}


MFA_AND_IP = {
    "Bool": {"aws:MultiFactorAuthPresent": "true"},
    "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
}


def test_mfa_and_source_ip_are_what_the_request_needs() -> None:
    ps = PolicySet(identity=[ref("identity[0]", allow(MFA_AND_IP))])
    request = Request(ALICE, "s3:GetObject", OBJ)
    assert evaluate(request, ps).decision == "implicitDeny"
    (answer,) = allowed_if(request, ps)
    assert answer.text == (
        "allowed if aws:MultiFactorAuthPresent is true and aws:SourceIp in 203.0.113.0/24"
    )
    assert answer.to_json()[1] == {
        "key": "aws:SourceIp",
        "operator": "IpAddress",
        "values": ["203.0.113.0/24"],
    }
    # With the values given, it is allowed, and nothing conditional is left to say.
    given = Request(
        ALICE,
        "s3:GetObject",
        OBJ,
        context={"aws:MultiFactorAuthPresent": True, "aws:SourceIp": "203.0.113.9"},
    )
    assert evaluate(given, ps).allowed and allowed_if(given, ps) == ()


def test_alternatives_and_a_deny_the_values_would_trigger() -> None:
    ps = PolicySet(
        identity=[
            ref(
                "identity[0]",
                allow({"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]}}),
                allow({"StringLike": {"aws:RequestTag/project": "alpha-*"}}),
                {
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringLike": {"aws:RequestTag/project": "alpha*"}},
                },
            )
        ]
    )
    answers = allowed_if(Request(ALICE, "s3:PutObject", OBJ), ps)
    # The project tag would trip the Deny, so only the team tag is offered.
    assert [a.text for a in answers] == ["allowed if aws:PrincipalTag/team is one of red, blue"]


def test_a_condition_on_a_value_the_request_has_is_not_conditional() -> None:
    ps = PolicySet(identity=[ref("identity[0]", allow(MFA_AND_IP))])
    request = Request(ALICE, "s3:GetObject", OBJ, context={"aws:SourceIp": "10.0.0.1"})
    assert allowed_if(request, ps) == ()


def test_identity_and_boundary_each_needing_a_key_are_one_answer() -> None:
    ps = PolicySet(
        identity=[ref("identity[0]", allow({"Bool": {"aws:MultiFactorAuthPresent": "true"}}))],
        permissions_boundary=ref(
            "permissions_boundary", allow({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})
        ),
    )
    (answer,) = allowed_if(Request(ALICE, "s3:GetObject", OBJ), ps)
    assert answer.text == (
        "allowed if aws:MultiFactorAuthPresent is true and aws:MultiFactorAuthAge < 3600"
    )


def test_for_any_value_asks_for_one_of_the_values() -> None:
    ps = PolicySet(
        identity=[
            ref("identity[0]", allow({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}))
        ]
    )
    (answer,) = allowed_if(Request(ALICE, "s3:GetObject", OBJ), ps)
    assert answer.text == "allowed if aws:TagKeys is team"


def test_the_batch_reports_allowed_if() -> None:
    case = {
        "id": "c",
        "principal": {"arn": ALICE.arn},
        "identity_policies": [{"Version": "2012-10-17", "Statement": [allow(MFA_AND_IP)]}],
        "request": {"action": "s3:GetObject", "resource": OBJ},
    }
    with_keys = {
        **case,
        "id": "d",
        "request": {**case["request"], "context": {"aws:MultiFactorAuthPresent": "false"}},
    }
    out = io.StringIO()
    run_stream([json.dumps(case), json.dumps(with_keys)], out)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["decision"] == "implicitDeny"
    assert first["allowed_if"] == [
        [
            {"key": "aws:MultiFactorAuthPresent", "operator": "Bool", "values": ["true"]},
            {"key": "aws:SourceIp", "operator": "IpAddress", "values": ["203.0.113.0/24"]},
        ]
    ]
    # MFA given as false is a value, not an absent key: nothing conditional to offer.
    assert "allowed_if" not in second


def test_a_deny_that_applies_because_a_key_is_absent_says_what_turns_it_off() -> None:
    require_mfa = {
        "Effect": "Deny",
        "NotAction": "iam:GetUser",
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }
    ps = PolicySet(
        identity=[
            ref("identity[0]", {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}, require_mfa)
        ]
    )
    request = Request(ALICE, "iam:CreateUser", "*")
    assert evaluate(request, ps).decision == "explicitDeny"
    (answer,) = allowed_if(request, ps)
    assert answer.text == "allowed if aws:MultiFactorAuthPresent is true"
    # A Deny that no absent key can turn off leaves nothing to offer.
    always = PolicySet(
        identity=[
            ref(
                "identity[0]",
                {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
                require_mfa,
                {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"},
            )
        ]
    )
    assert allowed_if(request, always) == ()
