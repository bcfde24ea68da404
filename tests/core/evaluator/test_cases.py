"""Data-driven cases from the AWS IAM User Guide's rules (``cases/*.json``).

Each case is in the batch format of DESIGN.md §5 plus ``rule`` (the documented rule it checks),
``expected`` (AWS's decision) and optionally ``expected_matched`` (the deciding statements:
``[label, index]`` pairs or full records with positions) and ``expected_missing``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamdesk.cli.simulate import PolicyCache, build_case
from iamdesk.core.evaluator import evaluate

CASES_DIR = Path(__file__).parent / "cases"


def _load() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(CASES_DIR.glob("*.json")):
        for case in json.loads(path.read_text()):
            found.append((f"{path.stem}:{case['id']}", case))
    return found


CASES = _load()
_CACHE = PolicyCache()


def test_there_are_enough_cases_and_each_names_its_rule() -> None:
    assert len(CASES) >= 150
    ids = [name for name, _ in CASES]
    assert len(set(ids)) == len(ids)
    for _, case in CASES:
        assert case["rule"] and case["expected"] in ("allowed", "explicitDeny", "implicitDeny")


@pytest.mark.parametrize(("name", "case"), CASES, ids=[n for n, _ in CASES])
def test_case(name: str, case: dict[str, Any]) -> None:
    request, policy_set = build_case(case, _CACHE)
    decision = evaluate(request, policy_set, explain=True)
    assert decision.decision == case["expected"], f"{case['rule']}\n{decision.explanation}"
    expected = case.get("expected_matched")
    if expected is not None:
        got = [
            {
                "policy": m.label,
                "statement": m.statement_index,
                "sid": m.sid,
                # As AWS's MatchedStatements and the batch output count them.
                "start": {"line": m.start_position.line, "column": m.start_position.column},
                "end": {"line": m.end_position.line, "column": m.end_position.column},
            }
            for m in decision.matched_statements
        ]
        if expected and isinstance(expected[0], list):
            assert [[g["policy"], g["statement"]] for g in got] == expected
        else:
            assert got == expected
    if "expected_missing" in case:
        assert list(decision.missing_context_values) == case["expected_missing"]
    # The fast path gives the same decision and deciding statements as the explained one.
    fast = evaluate(request, policy_set, explain=False)
    assert fast.decision == decision.decision
    assert fast.matched_statements == decision.matched_statements
    assert decision.explanation.startswith("Allowed" if decision.allowed else "Denied")
