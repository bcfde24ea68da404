"""Properties every AWS-faithful evaluator has, checked on generated policies and requests:
a Deny never grants, an Allow never takes away, order does not matter, and the same input gives
the same output."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iamdesk.core.evaluator import (
    Decision,
    PolicyRef,
    PolicySet,
    Principal,
    Request,
    compile_policy,
    evaluate,
)

A, B = "111122223333", "444455556666"
PRINCIPALS = [
    Principal(f"arn:aws:iam::{A}:user/alice", A),
    Principal(f"arn:aws:sts::{A}:assumed-role/Dev/s1", A),
    Principal(f"arn:aws:iam::{B}:user/bob", B),
    Principal.anonymous(),
    Principal("lambda.amazonaws.com"),
]
ACTIONS = ["s3:GetObject", "s3:PutObject", "ec2:RunInstances", "iam:CreateUser"]
RESOURCES = ["arn:aws:s3:::reports/q1.csv", "arn:aws:s3:::logs/a", "*"]
ACTION_PATTERNS = ["*", "s3:*", "s3:Get*", "s3:GetObject", "ec2:*", "iam:Create?ser", "s3:Put*"]
RESOURCE_PATTERNS = ["*", "arn:aws:s3:::reports/*", "arn:aws:s3:::logs/*", "arn:aws:s3:::*"]
PRINCIPAL_BLOCKS: list[Any] = [
    "*",
    {"AWS": A},
    {"AWS": f"arn:aws:iam::{A}:user/alice"},
    {"AWS": f"arn:aws:iam::{A}:role/Dev"},
    {"AWS": f"arn:aws:iam::{B}:root"},
    {"Service": "lambda.amazonaws.com"},
]
CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"StringNotEquals": {"aws:PrincipalTag/team": ["red", "blue"]}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NotIpAddress": {"aws:SourceIp": "10.1.0.0/16"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": ["a*"]}},
    {"Null": {"aws:RequestTag/x": "true"}},
    {"NumericLessThan": {"s3:max-keys": "10"}},
]
CONTEXTS: list[dict[str, Any]] = [
    {},
    {"aws:PrincipalTag/team": "red", "aws:SecureTransport": "true", "aws:SourceIp": "10.1.2.3"},
    {"aws:PrincipalTag/team": "green", "aws:TagKeys": ["a"], "aws:MultiFactorAuthPresent": "false"},
    {"aws:SourceIp": "192.168.0.1", "aws:TagKeys": [], "s3:max-keys": "5", "aws:RequestTag/x": "1"},
]


@st.composite
def statements(draw: st.DrawFn, with_principal: bool = False) -> dict[str, Any]:
    s: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    if with_principal:
        s["Principal"] = draw(st.sampled_from(PRINCIPAL_BLOCKS))
    key = draw(st.sampled_from(["Action", "Action", "NotAction"]))
    s[key] = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2))
    rkey = draw(st.sampled_from(["Resource", "Resource", "NotResource"]))
    s[rkey] = draw(st.sampled_from(RESOURCE_PATTERNS))
    if draw(st.booleans()):
        s["Condition"] = draw(st.sampled_from(CONDITIONS))
    return s


def policies(with_principal: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    return st.lists(statements(with_principal), min_size=1, max_size=4).map(
        lambda sts: {"Version": "2012-10-17", "Statement": sts}
    )


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "identity": draw(st.lists(policies(), max_size=3)),
        "boundary": draw(st.none() | policies()),
        "session": draw(st.none() | policies()),
        "scps": draw(st.lists(st.lists(policies(), min_size=1, max_size=2), max_size=2)),
        "resource": draw(st.none() | policies(with_principal=True)),
        "must_allow": draw(st.booleans()),
        "principal": draw(st.sampled_from(PRINCIPALS)),
        "action": draw(st.sampled_from(ACTIONS)),
        "resource_arn": draw(st.sampled_from(RESOURCES)),
        "context": draw(st.sampled_from(CONTEXTS)),
    }


def run(sc: dict[str, Any], explain: bool = False) -> Decision:
    ps = PolicySet(
        identity=[
            PolicyRef(f"identity[{i}]", compile_policy(p)) for i, p in enumerate(sc["identity"])
        ],
        permissions_boundary=(
            PolicyRef("permissions_boundary", compile_policy(sc["boundary"]))
            if sc["boundary"]
            else None
        ),
        session_policy=(
            PolicyRef("session_policy", compile_policy(sc["session"])) if sc["session"] else None
        ),
        scps=[
            [PolicyRef(f"scps[{i}][{j}]", compile_policy(p)) for j, p in enumerate(level)]
            for i, level in enumerate(sc["scps"])
        ],
        resource_policy=(
            PolicyRef("resource_policy", compile_policy(sc["resource"])) if sc["resource"] else None
        ),
        resource_policy_must_allow=sc["must_allow"],
    )
    request = Request(sc["principal"], sc["action"], sc["resource_arn"], A, sc["context"])
    return evaluate(request, ps, explain=explain)


def _slots(sc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every policy document in the scenario (the objects, for in-place edits of a copy)."""
    found = list(sc["identity"])
    found += [p for p in (sc["boundary"], sc["session"], sc["resource"]) if p]
    found += [p for level in sc["scps"] for p in level]
    return found


SETTINGS = settings(max_examples=100, deadline=None)


@SETTINGS
@given(scenarios(), statements(), st.data())
def test_adding_a_deny_never_grants(
    sc: dict[str, Any], extra: dict[str, Any], data: st.DataObject
) -> None:
    before = run(sc).decision
    changed = copy.deepcopy(sc)
    slots = _slots(changed)
    if not slots:
        return
    target = data.draw(st.sampled_from(slots))
    extra = dict(extra, Effect="Deny")
    if target is changed["resource"]:
        extra["Principal"] = data.draw(st.sampled_from(PRINCIPAL_BLOCKS))
    target["Statement"].append(extra)
    after = run(changed).decision
    if before != "allowed":
        assert after != "allowed"
    if before == "explicitDeny":
        assert after == "explicitDeny"


@SETTINGS
@given(scenarios(), statements(), st.data())
def test_adding_an_allow_never_removes_access(
    sc: dict[str, Any], extra: dict[str, Any], data: st.DataObject
) -> None:
    before = run(sc).decision
    changed = copy.deepcopy(sc)
    slots = _slots(changed)
    if not slots:
        return
    target = data.draw(st.sampled_from(slots))
    extra = dict(extra, Effect="Allow")
    if target is changed["resource"]:
        extra["Principal"] = data.draw(st.sampled_from(PRINCIPAL_BLOCKS))
    target["Statement"].append(extra)
    after = run(changed).decision
    if before == "allowed":
        assert after == "allowed"
    if before == "explicitDeny":
        assert after == "explicitDeny"  # an Allow never overrides a Deny


@SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_order_of_statements_and_policies_does_not_matter(sc: dict[str, Any], rnd: Any) -> None:
    before = run(sc)
    changed = copy.deepcopy(sc)
    for doc in _slots(changed):
        rnd.shuffle(doc["Statement"])
    rnd.shuffle(changed["identity"])
    for level in changed["scps"]:
        rnd.shuffle(level)
    after = run(changed)
    assert after.decision == before.decision
    assert len(after.matched_statements) == len(before.matched_statements)


@SETTINGS
@given(scenarios())
def test_same_input_same_output(sc: dict[str, Any]) -> None:
    first, second = run(sc, explain=True), run(sc, explain=True)
    assert first.decision == second.decision
    assert first.matched_statements == second.matched_statements
    assert first.missing_context_values == second.missing_context_values
    assert first.trace == second.trace
    assert first.near_misses == second.near_misses
    assert first.explanation == second.explanation
    fast = run(sc)
    assert (fast.decision, fast.matched_statements) == (first.decision, first.matched_statements)
