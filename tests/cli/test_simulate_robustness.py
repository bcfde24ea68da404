"""``iamdesk simulate`` on hostile input: every line gets exactly one result, a malformed one an
``error`` naming the field (never a traceback), and the batch goes on."""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamdesk.cli.simulate import run_stream

USER = "arn:aws:iam::111122223333:user/alice"
GOOD: dict[str, Any] = {
    "id": "good",
    "principal": {"arn": USER, "account": "111122223333"},
    "identity_policies": [
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}},
                }
            ],
        }
    ],
    "permissions_boundary": None,
    "session_policy": None,
    "scps": [],
    "rcps": [],
    "resource_policy": None,
    "resource_account": "111122223333",
    "request": {
        "action": "s3:GetObject",
        "resource": "arn:aws:s3:::b/k",
        "context": {"aws:PrincipalTag/team": "a"},
    },
}


def _run(lines: list[str]) -> list[dict[str, Any]]:
    out = io.StringIO()
    run_stream(lines, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
# Paths into GOOD whose value gets replaced by arbitrary JSON.
PATHS = [
    ("principal",),
    ("principal", "arn"),
    ("principal", "account"),
    ("identity_policies",),
    ("identity_policies", 0),
    ("identity_policies", 0, "Statement"),
    ("identity_policies", 0, "Statement", 0, "Action"),
    ("identity_policies", 0, "Statement", 0, "Condition"),
    ("identity_policies", 0, "Statement", 0, "Condition", "StringEquals"),
    ("permissions_boundary",),
    ("session_policy",),
    ("scps",),
    ("rcps",),
    ("resource_policy",),
    ("resource_account",),
    ("request",),
    ("request", "action"),
    ("request", "resource"),
    ("request", "context"),
    ("request", "context", "aws:PrincipalTag/team"),
    ("resource_policy_must_allow",),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=JSON)
def test_any_field_replaced_by_any_json_gives_one_result(path: tuple[Any, ...], value: Any) -> None:
    case = json.loads(json.dumps(GOOD))
    target = case
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    results = _run([json.dumps(case), json.dumps(GOOD)])
    assert len(results) == 2
    first, second = results
    assert (first["error"] is None) == (first["decision"] is not None)
    assert first["id"] == "good"
    if first["error"] is not None:
        assert first["matched_statements"] == []
    # The next case is unaffected by the bad one.
    assert second["decision"] == "allowed" and second["error"] is None


def test_a_byte_order_mark_on_the_first_line_is_not_an_error() -> None:
    (result,) = _run(["\ufeff" + json.dumps(GOOD)])
    assert result["decision"] == "allowed"


def test_resource_policy_must_allow_must_be_a_boolean() -> None:
    (result,) = _run([json.dumps({**GOOD, "resource_policy_must_allow": "yes"})])
    assert result["decision"] is None
    assert "resource_policy_must_allow" in result["error"]


def test_deeply_nested_policy_text_is_an_error_not_a_crash() -> None:
    deep = "[" * 50_000 + "]" * 50_000
    (result,) = _run([json.dumps({**GOOD, "identity_policies": [deep]})])
    assert result["decision"] is None
    assert result["error"].startswith("identity[0]:")


def test_a_large_policy_is_evaluated_with_the_last_statement_positioned() -> None:
    statements: list[dict[str, Any]] = [
        {
            "Sid": f"S{i}",
            "Effect": "Allow",
            "Action": f"s3:Get{i}*",
            "Resource": f"arn:aws:s3:::b{i}/*",
        }
        for i in range(3000)
    ]
    statements.append({"Sid": "Last", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"})
    text = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=1)
    (result,) = _run([json.dumps({**GOOD, "identity_policies": [text]})])
    assert result["decision"] == "explicitDeny"
    (m,) = result["matched_statements"]
    lines = text.splitlines()
    # The Deny is the last statement: its "{" is on the line before its Sid.
    opening = next(i for i, line in enumerate(lines) if '"Last"' in line) - 1
    assert lines[opening].strip() == "{"
    assert m["statement"] == 3000
    assert m["start"] == {"line": opening + 1, "column": lines[opening].index("{") + 2}


def test_a_line_that_is_not_utf8_is_that_lines_error(tmp_path: Any, capsys: Any) -> None:
    from iamdesk.cli.main import main

    path = tmp_path / "cases.jsonl"
    good = json.dumps(GOOD).encode()
    path.write_bytes(good + b"\n" + b'{"id": "\xff\xfe"}\n' + good + b"\r\n")
    assert main(["simulate", "--cases", str(path)]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["decision"] for r in results] == ["allowed", None, "allowed"]
    assert "UTF-8" in results[1]["error"]


def test_a_reader_that_stops_early_ends_the_batch_quietly(tmp_path: Any) -> None:
    import subprocess
    import sys

    path = tmp_path / "cases.jsonl"
    path.write_text((json.dumps(GOOD) + "\n") * 20_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "iamdesk", "simulate", "--cases", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    stderr = proc.stderr.read()
    assert proc.wait(timeout=60) == 0
    assert json.loads(first)["decision"] == "allowed"
    assert stderr == b""
