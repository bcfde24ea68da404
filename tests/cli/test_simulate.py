"""``iamdesk simulate``: driven the way a user runs it, through the CLI entry point."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from iamdesk.cli.main import main
from iamdesk.cli.simulate import run_stream

DATA = Path(__file__).parent / "data"


def _run(lines: list[str]) -> list[dict]:
    out = io.StringIO()
    run_stream(lines, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_examples_give_aws_decisions(capsys: pytest.CaptureFixture[str]) -> None:
    path = DATA / "examples.jsonl"
    assert main(["simulate", "--cases", str(path)]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    assert [r["id"] for r in results] == [c["id"] for c in cases]
    for case, result in zip(cases, results, strict=True):
        assert result["decision"] == case["expected"], (case["id"], case["why"])
        assert result["error"] is None


def test_examples_report_deciding_statement_positions(capsys: pytest.CaptureFixture[str]) -> None:
    main(["simulate", "--cases", str(DATA / "examples.jsonl")])
    results = {r["id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    # ex2: the Deny is the second statement of json.dumps(document, indent=4); its "{" is at
    # line 10, column 9, and AWS reports the start just after that brace (column 10).
    assert results["ex2"]["matched_statements"] == [
        {
            "policy": "identity[0]",
            "statement": 1,
            "sid": "NoQ1",
            "start": {"line": 10, "column": 10},
            "end": {"line": 15, "column": 10},
        }
    ]
    # ex9: a policy given as text keeps that text's positions (2-space indent).
    (m,) = results["ex9"]["matched_statements"]
    assert (m["start"], m["end"]) == ({"line": 4, "column": 6}, {"line": 8, "column": 6})
    assert results["ex7"]["matched_statements"][0]["policy"] == "resource_policy"
    assert results["ex3"]["matched_statements"] == []


def test_bad_lines_give_errors_and_the_batch_goes_on() -> None:
    good = json.dumps(
        {
            "id": "ok",
            "principal": {"arn": "arn:aws:iam::111122223333:user/a"},
            "identity_policies": [
                {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
            ],
            "request": {"action": "s3:ListBucket", "resource": "arn:aws:s3:::b"},
        }
    )
    bad_policy = json.dumps(
        {
            "id": "badpolicy",
            "principal": {"arn": "arn:aws:iam::111122223333:user/a"},
            "identity_policies": [{"Statement": {"Effect": "Maybe", "Action": "*"}}],
            "request": {"action": "s3:ListBucket"},
        }
    )
    lines = ["", "// a comment", "{not json", good, '{"id": 7}', bad_policy, "[1, 2]", good]
    results = _run(lines)
    assert [r["decision"] for r in results] == [None, "allowed", None, None, None, "allowed"]
    assert results[0]["error"].startswith("invalid JSON")
    assert results[2]["id"] == 7 and "principal" in results[2]["error"]
    assert "identity[0]" in results[3]["error"] and "Effect" in results[3]["error"]
    assert all((r["error"] is None) == (r["decision"] is not None) for r in results)


def test_named_policies_labels_and_levels() -> None:
    allow_all = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    case = {
        "id": "scp",
        "principal": {
            "arn": "arn:aws:sts::111122223333:assumed-role/Dev/s",
            "account": "111122223333",
        },
        "identity_policies": [{"name": "dev", "document": allow_all}],
        "scps": [[allow_all], [allow_all, json.dumps(allow_all)]],
        "request": {"action": "ec2:RunInstances", "resource": "*"},
    }
    (result,) = _run([json.dumps(case)])
    assert result["decision"] == "allowed"
    labels = [m["policy"] for m in result["matched_statements"]]
    assert labels == ["identity[0]", "scps[0][0]", "scps[1][0]", "scps[1][1]"]


def test_stdin_via_the_console_script(tmp_path: Path) -> None:
    data = (DATA / "examples.jsonl").read_text()
    proc = subprocess.run(
        [sys.executable, "-m", "iamdesk", "simulate", "--cases", "-"],
        input=data,
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(proc.stdout.splitlines()) == 9


def test_missing_file_is_a_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["simulate", "--cases", str(tmp_path / "nope.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_stdin_answers_each_case_as_soon_as_it_is_decided() -> None:
    """A reader that writes one case and waits (stdin left open) gets its answer at once."""
    case = {
        "id": "live",
        "principal": {"arn": "arn:aws:iam::111122223333:user/alice"},
        "identity_policies": [
            {
                "Version": "2012-10-17",
                "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"},
            }
        ],
        "request": {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "iamdesk", "simulate", "--cases", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        answers: list[str] = []
        for n in range(2):
            proc.stdin.write(json.dumps({**case, "id": f"live{n}"}) + "\n")
            proc.stdin.flush()
            reader = threading.Thread(target=lambda: answers.append(proc.stdout.readline()))
            reader.start()
            # Process start-up is included in the first wait (a few hundred ms here).
            reader.join(timeout=10 if n == 0 else 2)
            assert len(answers) == n + 1, "no answer while stdin stays open"
            result = json.loads(answers[n])
            assert result["id"] == f"live{n}" and result["decision"] == "allowed"
        proc.stdin.close()
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()


def test_lines_split_across_reads_are_joined(tmp_path: Path) -> None:
    from iamdesk.cli.simulate import read_available

    lines = [json.dumps({"id": i, "pad": "x" * (i * 7)}) for i in range(60)]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines))  # no newline after the last line
    with open(path, "rb") as handle:
        groups = list(read_available(handle.fileno(), size=64))
    assert [line.decode() for group in groups for line in group] == lines
