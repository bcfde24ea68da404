"""Wildcard request resources: allowed for all, some or none of the resources a pattern names,
with the statements that allow and deny within it."""

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
    compile_policy,
    evaluate_pattern,
)

A, B = "111122223333", "444455556666"
ALICE = Principal(f"arn:aws:iam::{A}:user/alice", A)
BUCKET = "arn:aws:s3:::reports/*"


def ref(label: str, *statements: dict[str, Any]) -> PolicyRef:
    return PolicyRef(
        label, compile_policy({"Version": "2012-10-17", "Statement": list(statements)})
    )


def st(effect: str, resource: str, **more: Any) -> dict[str, Any]:
    return {"Effect": effect, "Action": "s3:GetObject", "Resource": resource, **more}


def answer(ps: PolicySet, pattern: str = BUCKET, who: Principal = ALICE) -> Any:
    return evaluate_pattern(Request(who, "s3:GetObject", pattern, A), ps)


def test_all_some_none() -> None:
    whole = PolicySet(identity=[ref("identity[0]", st("Allow", "arn:aws:s3:::reports/*"))])
    assert answer(whole).answer == "all"
    part = PolicySet(identity=[ref("identity[0]", st("Allow", "arn:aws:s3:::reports/public/*"))])
    found = answer(part)
    assert found.answer == "some"
    assert [(s.label, s.statement_index, s.extent) for s in found.allowing] == [
        ("identity[0]", 0, "some")
    ]
    other = PolicySet(identity=[ref("identity[0]", st("Allow", "arn:aws:s3:::logs/*"))])
    assert answer(other).answer == "none"


def test_denies_within_the_pattern_make_it_some_and_over_it_none() -> None:
    ps = PolicySet(
        identity=[
            ref(
                "identity[0]",
                st("Allow", "*", Sid="All"),
                st("Deny", "arn:aws:s3:::reports/secret/*", Sid="NoSecrets"),
            )
        ]
    )
    found = answer(ps)
    assert found.answer == "some"
    assert [s.sid for s in found.allowing] == ["All"]
    assert [(s.sid, s.extent) for s in found.denying] == [("NoSecrets", "some")]
    assert answer(ps, "arn:aws:s3:::reports/secret/*").answer == "none"


def test_not_resource_and_a_boundary() -> None:
    ps = PolicySet(
        identity=[
            ref(
                "identity[0]",
                {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::logs/*"},
            )
        ],
        permissions_boundary=ref(
            "permissions_boundary", st("Allow", "arn:aws:s3:::reports/2024/*")
        ),
    )
    assert answer(ps).answer == "some"
    assert answer(ps, "arn:aws:s3:::reports/2024/*").answer == "all"
    assert answer(ps, "arn:aws:s3:::logs/*").answer == "none"


def test_cross_account_needs_both_sides() -> None:
    carol = Principal(f"arn:aws:iam::{B}:user/carol", B)
    bucket = ref(
        "resource_policy",
        st("Allow", "arn:aws:s3:::reports/shared/*", Principal={"AWS": f"arn:aws:iam::{B}:root"}),
    )
    ps = PolicySet(identity=[ref("identity[0]", st("Allow", "*"))], resource_policy=bucket)
    assert answer(ps, who=carol).answer == "some"
    assert answer(ps, "arn:aws:s3:::reports/shared/*", carol).answer == "all"
    no_identity = PolicySet(resource_policy=bucket)
    assert answer(no_identity, "arn:aws:s3:::reports/shared/*", carol).answer == "none"


def test_a_plain_resource_is_all_or_none() -> None:
    ps = PolicySet(identity=[ref("identity[0]", st("Allow", "arn:aws:s3:::reports/*"))])
    assert answer(ps, "arn:aws:s3:::reports/q1.csv").answer == "all"
    assert answer(ps, "arn:aws:s3:::logs/q1.csv").answer == "none"


def test_the_batch_reports_the_pattern() -> None:
    case = {
        "id": "p",
        "principal": {"arn": ALICE.arn},
        "identity_policies": [
            {"Version": "2012-10-17", "Statement": [st("Allow", "arn:aws:s3:::reports/public/*")]}
        ],
        "request": {"action": "s3:GetObject", "resource": BUCKET},
    }
    out = io.StringIO()
    run_stream([json.dumps(case)], out)
    result = json.loads(out.getvalue())
    assert result["decision"] == "implicitDeny"  # the literal text "reports/*" is not public/
    assert result["pattern"]["answer"] == "some"
    assert result["pattern"]["allowing"][0]["resources"] == ["arn:aws:s3:::reports/public/*"]
