"""The fidelity audit: cases written from the AWS IAM User Guide, run through the batch CLI.

Each line of ``audit/*.jsonl`` is a DESIGN.md §5 case with ``expected`` (AWS's decision), a
``why`` naming the documented rule and, for some, ``expected_matched`` (the deciding statements
with AWS's MatchedStatements positions). They were written from the documentation, not from the
evaluator, so a failure here means the evaluator and the documentation disagree.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from iamdesk.cli.simulate import run_stream

AUDIT = Path(__file__).parent / "audit"


def _cases() -> list[Any]:
    params = []
    for path in sorted(AUDIT.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("//"):
                case = json.loads(line)
                params.append(pytest.param(line, case, id=f"{path.stem}:{case['id']}"))
    return params


CASES = _cases()


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Any]]:
    """Every audit case through one batch run, as ``iamdesk simulate --cases`` runs them."""
    out = io.StringIO()
    run_stream((p.values[0] for p in CASES), out)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(lines) == len(CASES)
    return {str(p.id): r for p, r in zip(CASES, lines, strict=True)}


def test_enough_cases_cover_the_guide() -> None:
    assert len(CASES) >= 120
    assert len({p.id for p in CASES}) == len(CASES)


@pytest.mark.parametrize(("line", "case"), CASES)
def test_audit_case(
    line: str, case: dict[str, Any], results: dict[str, dict[str, Any]], request: Any
) -> None:
    result = results[request.node.callspec.id]
    assert result["id"] == case["id"]
    assert result["error"] is None, result["error"]
    assert result["decision"] == case["expected"], case["why"]
    if "expected_matched" in case:
        assert result["matched_statements"] == case["expected_matched"], case["why"]


def test_core_matched_statement_reports_aws_positions() -> None:
    """The AWS CLI simulate-custom-policy example: StartPosition Line 1 Column 38 and
    EndPosition Line 1 Column 167 for its one-statement policy."""
    from iamdesk.core.evaluator import (
        PolicyRef,
        PolicySet,
        Principal,
        Request,
        compile_policy,
        evaluate,
    )
    from iamdesk.core.policy.parser import parse_policy

    text = (
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
        '"Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":'
        '"2018-08-16T12:00:00Z"}}}}'
    )
    policy = compile_policy(parse_policy(text))
    request = Request(
        Principal("arn:aws:iam::123456789012:user/alejandro", "123456789012"),
        "dynamodb:CreateBackup",
        "*",
        context={"aws:CurrentTime": "2019-04-25T11:00:00Z"},
    )
    decision = evaluate(request, PolicySet(identity=[PolicyRef("PolicyInputList.1", policy)]))
    assert decision.decision == "allowed"
    (m,) = decision.matched_statements
    assert (m.start_position.line, m.start_position.column) == (1, 38)
    assert (m.end_position.line, m.end_position.column) == (1, 167)
    # The span itself starts at the brace, for highlighting the whole statement.
    assert text[m.span.start.column - 1] == "{"


def test_explained_evaluation_agrees_with_the_batch_path() -> None:
    """The GUI evaluates with ``explain=True`` (trace, near misses, plain-English text); it must
    reach the same decision and deciding statements as the batch's fast path."""
    from iamdesk.cli.simulate import PolicyCache, build_case
    from iamdesk.core.evaluator import evaluate

    cache = PolicyCache()
    for param in CASES:
        case = param.values[1]
        request, policy_set = build_case(case, cache)
        fast = evaluate(request, policy_set, explain=False)
        full = evaluate(request, policy_set, explain=True)
        assert (full.decision, full.matched_statements) == (
            fast.decision,
            fast.matched_statements,
        ), case["id"]
        assert full.explanation, case["id"]
