"""Reading a policy object without positions gives what the parser gives: the same verdict on
whether the object is a policy, the same statement spans, and the same decisions and traces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iamdesk.core.evaluator import (
    PolicyRef,
    PolicySet,
    Principal,
    Request,
    compile_policy,
    evaluate,
)
from iamdesk.core.evaluator.compiled import CompiledPolicy
from iamdesk.core.policy import checkers
from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.parser import parse_policy
from iamdesk.core.policy.plain import plain_statements, statement_span

EVALUATOR = Path(__file__).parents[1] / "evaluator"


def _policies() -> list[Any]:
    """Every policy object of the evaluator's cases and audit."""
    found: list[Any] = []
    cases: list[Any] = []
    for path in sorted((EVALUATOR / "cases").glob("*.json")):
        cases.extend(json.loads(path.read_text()))
    for path in sorted((EVALUATOR / "audit").glob("*.jsonl")):
        cases.extend(json.loads(x) for x in path.read_text().splitlines() if x.startswith("{"))
    for case in cases:
        docs = list(case.get("identity_policies") or [])
        docs += [case.get(k) for k in ("permissions_boundary", "session_policy", "resource_policy")]
        docs += [p for field in ("scps", "rcps") for level in case.get(field) or [] for p in level]
        for doc in docs:
            if isinstance(doc, dict) and "document" in doc and "Statement" not in doc:
                doc = doc["document"]
            if isinstance(doc, dict):
                found.append(doc)
    return found


POLICIES = _policies()


def _agrees(doc: Any) -> None:
    statements = plain_statements(doc)
    try:
        parsed = parse_policy(doc)
    except PolicyParseError:
        assert statements is None, "plain_statements accepted what the parser refuses"
        return
    if statements is None:
        return  # the parser decides (and the evaluator uses it)
    assert len(statements) == len(parsed.statements)
    for i, s in enumerate(parsed.statements):
        assert statement_span(doc, i) == s.span


def test_the_case_policies_are_many() -> None:
    assert len(POLICIES) > 400


@pytest.mark.parametrize("doc", POLICIES)
def test_spans_and_verdicts_match_the_parser_on_every_case_policy(doc: Any) -> None:
    _agrees(doc)
    assert plain_statements(doc) is not None


SCALARS = st.one_of(
    st.text(max_size=6), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.none()
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3))
STATEMENT = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny", "allow", 1])},
    optional={
        "Sid": st.one_of(st.text(max_size=4), st.integers()),
        "Action": st.one_of(st.just("s3:*"), st.lists(st.sampled_from(["s3:Get*", "*"]))),
        "NotAction": st.just("iam:*"),
        "Resource": VALUES,
        "NotResource": st.just("arn:aws:s3:::x/*"),
        "Principal": st.one_of(
            st.just("*"),
            st.just("x"),
            st.dictionaries(st.sampled_from(["AWS", "Service", "Other"]), VALUES, max_size=2),
        ),
        "NotPrincipal": st.just({"AWS": "111122223333"}),
        "Condition": st.one_of(
            VALUES,
            st.dictionaries(
                st.sampled_from(["StringEquals", "Bool"]),
                st.one_of(VALUES, st.dictionaries(st.sampled_from(["aws:a", "b"]), VALUES)),
                max_size=2,
            ),
        ),
        "Extra": st.just(1),
    },
)
DOCUMENT = st.fixed_dictionaries(
    {"Statement": st.one_of(STATEMENT, st.lists(STATEMENT, max_size=3), st.just([]), st.just("x"))},
    optional={
        "Version": st.sampled_from(["2012-10-17", "2008-10-17", "2020-01-01"]),
        "Id": st.one_of(st.text(max_size=3), st.integers()),
    },
)


@settings(max_examples=400, deadline=None)
@given(DOCUMENT)
def test_generated_objects_agree_with_the_parser(doc: dict[str, Any]) -> None:
    _agrees(doc)


A = "111122223333"


@settings(max_examples=150, deadline=None)
@given(st.lists(STATEMENT, min_size=1, max_size=4), st.sampled_from(["s3:GetObject", "iam:Get"]))
def test_decisions_and_traces_match_the_parsed_path(statements: list[Any], action: str) -> None:
    doc = {"Version": "2012-10-17", "Statement": statements}
    if plain_statements(doc) is None:
        return
    lazy = compile_policy(doc)
    assert lazy._document is None  # read without positions
    parsed = CompiledPolicy(parse_policy(doc))
    request = Request(
        Principal(f"arn:aws:iam::{A}:user/alice", A),
        action,
        "arn:aws:s3:::x/y",
        A,
        {"aws:a": "b", "b": ["true"]},
    )
    for kind in ("identity", "resource"):
        results = []
        for policy in (lazy, parsed):
            ref = PolicyRef(f"{kind}[0]", policy)
            ps = PolicySet(identity=[ref]) if kind == "identity" else PolicySet(resource_policy=ref)
            fast = evaluate(request, ps, explain=False)
            full = evaluate(request, ps, explain=True)
            assert fast.matched_statements == full.matched_statements
            results.append((full.decision, full.matched_statements, full.trace, full.explanation))
        assert results[0] == results[1]


def test_a_compiled_object_is_a_copy() -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}
    policy = compile_policy(doc)
    doc["Statement"][0]["Effect"] = "Deny"
    assert policy.statements[0].effect == "Allow"
    assert policy.document.statements[0].effect == "Allow"


@st.composite
def _reordered(draw: st.DrawFn) -> dict[str, Any]:
    """A generated statement with its elements in a drawn order (each order has a checker of
    its own, and the one last used for a size is tried first)."""
    statement = draw(STATEMENT)
    names = draw(st.permutations(list(statement)))
    return {name: statement[name] for name in names}


@settings(max_examples=400, deadline=None)
@given(st.lists(_reordered(), min_size=1, max_size=5))
def test_statements_in_any_order_agree_with_the_parser(statements: list[dict[str, Any]]) -> None:
    _agrees({"Version": "2012-10-17", "Statement": statements})


def test_a_statement_in_a_new_order_of_a_known_size_is_checked_by_its_own_rules() -> None:
    # Same size, same names in another order: the checker tried first (written for the first
    # order) must hand the second statement to the checker of its own order.
    first = {"Sid": "a", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    good = {"Effect": "Deny", "Sid": "b", "Resource": ["x"], "Action": "s3:Get*"}
    bad = {"Effect": "Deny", "Sid": "b", "Resource": "x", "Action": []}
    assert plain_statements({"Statement": [first, good]}) == [first, good]
    assert plain_statements({"Statement": [first, bad]}) is None
    # And back: the first order after the second was last used for its size.
    assert plain_statements({"Statement": [good, first, good]}) == [good, first, good]
    assert plain_statements({"Statement": [good, {**first, "Effect": "allow"}]}) is None


def test_non_objects_and_oversized_statements_are_left_to_the_parser() -> None:
    statement = {"Effect": "Allow", "Action": "s3:*"}
    oversized = {**statement, **{f"x{i}": 1 for i in range(12)}}
    for odd in (["Effect", "Action"], "EA", 3, None, oversized):
        doc = {"Statement": [statement, odd]}
        assert plain_statements(doc) is None
        with pytest.raises(PolicyParseError):
            parse_policy(doc)


@settings(max_examples=100, deadline=None)
@given(st.lists(_reordered(), min_size=1, max_size=4))
def test_orders_met_once_the_table_is_full_agree_with_the_parser(
    statements: list[dict[str, Any]],
) -> None:
    # A batch with more orders than the table holds: the rest are checked element by element.
    saved = dict(checkers._CHECKERS), checkers._CHECKERS_LIMIT, list(checkers._BY_SIZE)
    checkers._CHECKERS.clear()
    checkers._CHECKERS_LIMIT = 0
    checkers._BY_SIZE[:] = [checkers._by_order] * len(checkers._BY_SIZE)
    try:
        _agrees({"Statement": statements})
        assert not checkers._CHECKERS
    finally:
        checkers._CHECKERS.update(saved[0])
        checkers._CHECKERS_LIMIT = saved[1]
        checkers._BY_SIZE[:] = saved[2]
