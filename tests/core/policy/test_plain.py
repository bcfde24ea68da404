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
from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.parser import parse_policy
from iamdesk.core.policy.plain import PlainPolicy, plain_policy, read_policy

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


def _agrees(doc: Any) -> PlainPolicy | None:
    """The typed reading of ``doc`` (as an object, and as JSON text when it is JSON) agrees
    with the parser: it refuses what the parser refuses, and counts the parser's spans."""
    plain = plain_policy(doc)
    try:
        text = json.dumps(doc, allow_nan=False).encode()
    except ValueError:
        text = None  # (NaN or an infinity: not JSON)
    read = None if text is None else read_policy(text)
    try:
        parsed = parse_policy(doc)
    except PolicyParseError:
        assert plain is None, "the typed reading accepted what the parser refuses"
        assert read is None, "the typed reading of the text accepted what the parser refuses"
        return None
    for found in (plain, read):
        if found is None:
            continue  # the parser decides (and the evaluator uses it)
        assert len(found.statements) == len(parsed.statements)
        for i, s in enumerate(parsed.statements):
            assert found.statement_span(i) == s.span
        assert found.document == parsed
    # The text holds what the object holds (json.dumps renders a float as a float), but for an
    # integer beyond 64 bits: orjson does not render it (the parser reads the object), msgspec
    # reads it from the text.
    if plain is None and read is not None:
        assert _beyond_64_bits(doc)
    else:
        assert (plain is None) == (read is None)
    return plain


def _beyond_64_bits(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_beyond_64_bits(v) for v in value.values())
    if isinstance(value, list):
        return any(_beyond_64_bits(v) for v in value)
    return type(value) is int and not -(2**63) <= value < 2**64


def test_the_case_policies_are_many() -> None:
    assert len(POLICIES) > 400


@pytest.mark.parametrize("doc", POLICIES)
def test_spans_and_verdicts_match_the_parser_on_every_case_policy(doc: Any) -> None:
    assert _agrees(doc) is not None


SCALARS = st.one_of(
    st.text(max_size=6),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from([2**64, -(2**63) - 1, 10**30]),  # beyond 64 bits
    st.sampled_from(["\ud800", "a\udfff"]),  # half a surrogate pair
    st.floats(allow_nan=True),
    st.none(),
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
    if plain_policy(doc) is None:
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


def test_statements_of_every_shape_in_one_document_are_each_checked() -> None:
    first = {"Sid": "a", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    good = {"Effect": "Deny", "Sid": "b", "Resource": ["x"], "Action": "s3:Get*"}
    bad = {"Effect": "Deny", "Sid": "b", "Resource": "x", "Action": []}
    for statements, accepted in (
        ([first, good], True),
        ([first, bad], False),
        ([good, first, good], True),
        ([good, {**first, "Effect": "allow"}], False),
        ([first, {**first, "NotAction": "iam:*"}], False),
        ([first, {**good, "NotResource": "y"}], False),
        ([{**first, "Principal": "*", "NotPrincipal": {"AWS": "1"}}], False),
    ):
        doc = {"Version": "2012-10-17", "Statement": statements}
        assert (_agrees(doc) is not None) == accepted, statements


def test_non_objects_and_oversized_statements_are_left_to_the_parser() -> None:
    statement = {"Effect": "Allow", "Action": "s3:*"}
    oversized = {**statement, **{f"x{i}": 1 for i in range(12)}}
    for odd in (["Effect", "Action"], "EA", 3, None, oversized):
        doc = {"Statement": [statement, odd]}
        assert plain_policy(doc) is None
        assert read_policy(json.dumps(doc).encode()) is None
        with pytest.raises(PolicyParseError):
            parse_policy(doc)


@pytest.mark.parametrize(
    "text",
    [
        b'{"Statement": {"Effect": "Allow", "Action": "s3:*", "Sid": "\\ud800"}}',
        b'{"Statement": {"Effect": "Allow", "Action": "s3:*",}}',
        b'{"Statement": {"Effect": "Allow", "Action": "s3:*", "Condition": '
        b'{"NumericEquals": {"k": NaN}}}}',
        b'{"Statement": {"Effect": "Allow", "Action": "s3:*", "Condition": '
        b'{"NumericEquals": {"k": 1e2}}}}',
        b'\xef\xbb\xbf{"Statement": {"Effect": "Allow", "Action": "s3:*"}}',
    ],
)
def test_text_the_parser_reads_otherwise_is_left_to_it(text: bytes) -> None:
    # (NaN and the BOM are not JSON; 1e2 is a float, rendered 100.0; a lone surrogate is
    # rendered as an escape: the parser names or reads each its own way.)
    assert read_policy(text) is None


@pytest.mark.parametrize(
    "doc",
    [
        {"Statement": {"Effect": "\ud800", "Action": "s3:*"}},
        {"Statement": {"Effect": "Allow", "Action": "s3:*", "Principal": {"AWS\ud800": "x"}}},
        {"Statement": {"Effect": "Allow", "Action": "s3:*", "Sid": "\udc00"}},
    ],
)
def test_half_a_surrogate_pair_in_an_object_gets_the_parsers_error(doc: dict[str, Any]) -> None:
    assert plain_policy(doc) is None
    with pytest.raises(PolicyParseError, match="surrogate"):
        compile_policy(doc)


def test_an_integer_beyond_64_bits_in_an_object_is_read_by_the_parser() -> None:
    value = 2**64 + 1
    statement = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    statement["Condition"] = {"NumericLessThan": {"s3:max-keys": value}}
    doc = {"Version": "2012-10-17", "Statement": [statement]}
    assert plain_policy(doc) is None  # (orjson does not render it)
    policy = compile_policy(doc)
    assert policy.document.statements[0].conditions[0].values[0].text == str(value)
    assert read_policy(json.dumps(doc).encode()) is not None  # (msgspec reads it as an int)


def test_a_document_read_from_text_keeps_the_text_members_order_for_its_spans() -> None:
    statement = {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}
    for doc in (
        {"Version": "2012-10-17", "Statement": [statement, statement]},
        {"Statement": [statement, statement], "Version": "2012-10-17"},
        {"Id": "x", "Statement": statement, "Version": "2012-10-17"},
    ):
        plain = read_policy(json.dumps(doc).encode())
        assert plain is not None
        parsed = parse_policy(doc)
        assert [plain.statement_span(i) for i in range(len(plain.statements))] == [
            s.span for s in parsed.statements
        ]
    # A repeated member: the last value, where the first stood (as json reads it).
    text = b'{"Statement": {"Effect": "Deny", "Action": "a:b"}, "Version": "2012-10-17", '
    text += b'"Statement": [' + json.dumps(statement).encode() + b"]}"
    plain = read_policy(text)
    assert plain is not None and plain.statements[0].Action == ["s3:Get*", "s3:List*"]
    assert plain.statement_span(0) == parse_policy(json.loads(text)).statements[0].span
