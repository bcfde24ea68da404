"""Hostile and unlucky input on every command line: one line on standard error and AWS's exit
codes, never a traceback (issue 8, items 4, 5 and 7)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamdesk.cli import failures
from iamdesk.cli.main import main
from iamdesk.store.db import new_database

DEEP = "[" * 50_000
ARN = "arn:aws:iam::123456789012"


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "m.sqlite"
    with new_database(path):
        pass
    assert main(["--db", str(path), "iam", "create-user", "--user-name", "u"]) == 0
    return path


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err[:2000]
    assert "Traceback" not in err and len(lines[0]) < 1000
    return lines[0]


DEEP_COMMANDS = [
    ["iam", "tag-user", "--user-name", "u", "--tags", "@"],
    ["iam", "simulate-custom-policy", "--policy-input-list", "@", "--action-names", "s3:Get"],
    ["iam", "simulate-custom-policy", "--policy-input-list", "{}", "--action-names", "@"],
    [
        "iam",
        "simulate-principal-policy",
        "--policy-source-arn",
        f"{ARN}:user/u",
        "--action-names",
        "@",
    ],
    ["iam", "get-context-keys-for-custom-policy", "--policy-input-list", "@"],
    ["iam", "put-user-policy", "--user-name", "u", "--policy-name", "p", "--policy-document", "@"],
    ["kms", "create-key", "--tags", "@"],
    ["sns", "create-topic", "--name", "t", "--tags", "@"],
    ["secretsmanager", "create-secret", "--name", "s", "--tags", "@"],
    [
        "sts",
        "assume-role",
        "--role-arn",
        f"{ARN}:role/r",
        "--role-session-name",
        "s",
        "--policy-arns",
        "@",
    ],
    ["sqs", "create-queue", "--queue-name", "q", "--attributes", '{"a":@'],
    [
        "lambda",
        "create-function",
        "--function-name",
        "f",
        "--role",
        f"{ARN}:role/r",
        "--tags",
        "@",
    ],
]


@pytest.mark.parametrize("command", DEEP_COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("inline", [True, False], ids=["inline", "file"])
def test_fifty_thousand_brackets_are_a_one_line_error(
    model: Path, tmp_path: Path, capsys, command: list[str], inline: bool
) -> None:
    deep_file = tmp_path / "deep.json"
    deep_file.write_text(DEEP, encoding="utf-8")
    value = DEEP if inline else f"file://{deep_file}"
    argv = [word.replace("@", value) if "@" in word else word for word in command]
    if not inline and argv[-1].startswith('{"a":'):
        argv[-1] = '{"a":' + DEEP  # a map option takes JSON inline only
    before = model.read_bytes()
    code, out, err = _run(capsys, "--db", str(model), *argv)
    line = _one_line(err)
    assert code in (252, 254) and out == ""
    assert "nested" in line or "unbalanced" in line
    assert model.read_bytes() == before


def test_validate_policy_reports_deep_nesting_as_a_finding(capsys) -> None:
    code, out, err = _run(
        capsys,
        "accessanalyzer",
        "validate-policy",
        "--policy-type",
        "IDENTITY_POLICY",
        "--policy-document",
        DEEP,
    )
    assert code == 0, err
    findings = json.loads(out)["findings"]
    assert findings[0]["issueCode"] == "JSON_SYNTAX_ERROR"
    assert "nested deeper" in findings[0]["findingDetails"]


def test_import_of_a_deep_or_non_utf8_file_names_where(model: Path, tmp_path: Path, capsys) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"UserDetailList": ' + DEEP, encoding="utf-8")
    code, _, err = _run(capsys, "--db", str(model), "import", str(deep))
    assert code == 254 and "nested deeper than the 64 levels" in _one_line(err)
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"UserDetailList": [{"UserName": "a\xff"}]}')
    code, _, err = _run(capsys, "--db", str(model), "import", str(bad))
    line = _one_line(err)
    assert code == 254 and "not UTF-8 text (byte 0xff)" in line and "line 1, column 36" in line


def test_a_batch_line_too_deep_is_that_lines_error_and_the_batch_goes_on(
    tmp_path: Path, capsys
) -> None:
    cases = tmp_path / "cases.jsonl"
    good = {
        "id": "ok",
        "principal": {"arn": f"{ARN}:user/a", "account": "123456789012"},
        "identity_policies": [
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        ],
        "request": {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
    }
    cases.write_text(
        '{"id": "deep", "identity_policies": [' + DEEP + "\n" + json.dumps(good) + "\n",
        encoding="utf-8",
    )
    code, out, err = _run(capsys, "simulate", "--cases", str(cases))
    assert code == 0 and err == ""
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["decision"] is None and "nested deeper" in first["error"]
    assert second["id"] == "ok" and second["decision"] == "allowed"


# Words a terminal passes when the user types bytes that are not UTF-8 ($'\xff').
not_utf8 = st.builds(
    lambda head, tail: head + "\udcff" + tail,
    st.text("abc-_", max_size=5),
    st.text("abc", max_size=5),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(word=not_utf8, slot=st.sampled_from(["account", "user", "password", "org"]))
def test_words_that_are_not_utf8_are_usage_errors(
    model: Path, capsys, word: str, slot: str
) -> None:
    argv = {
        "account": ["--account-id", word, "iam", "list-users"],
        "user": ["iam", "create-user", "--user-name", word],
        "password": ["iam", "create-login-profile", "--user-name", "u", "--password", word],
        "org": ["organizations", "create-organization", "--feature-set", word],
    }[slot]
    before = model.read_bytes()
    code, out, err = _run(capsys, "--db", str(model), *argv)
    assert code == 252 and out == ""
    assert "is not UTF-8 text" in _one_line(err) and "\\udcff" in err
    assert model.read_bytes() == before


def test_a_file_name_that_is_not_utf8_is_still_a_file_name(tmp_path: Path, capsys) -> None:
    path = tmp_path / "\udcff.sqlite"
    assert main(["--db", str(path), "new"]) == 0
    code, out, _ = _run(capsys, "--db", str(path), "iam", "list-users")
    assert code == 0 and json.loads(out) == {"Users": []}


def test_an_unexpected_failure_is_one_line_exit_255_without_sql_parameters(capsys) -> None:
    from sqlalchemy.exc import IntegrityError

    def failing() -> int:
        raise IntegrityError(
            "INSERT INTO mfa (seed) VALUES (?)", ("JBSWY3DPEHPK3PXP",), Exception("boom\nmore")
        )

    assert failures.guard(failing) == 255
    err = capsys.readouterr().err
    assert _one_line(err) == "Exception: boom" and "JBSWY3DPEHPK3PXP" not in err


def test_unexpected_failures_in_a_real_process_exit_255(tmp_path: Path) -> None:
    """A model file that is a directory of the wrong kind: the process prints one line."""
    folder = tmp_path / "dir.sqlite"
    folder.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "iamdesk", "--db", str(folder), "iam", "list-users"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 255 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("case_id", ["NaN", "Infinity", "1e999"])
def test_simulate_never_prints_values_strict_json_rejects(tmp_path: Path, capsys, case_id) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"id": ' + case_id + ', "request": {}}\n', encoding="utf-8")
    code, out, _ = _run(capsys, "simulate", "--cases", str(cases))
    result = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} printed"))
    assert code == 0 and result["id"] is None and result["decision"] is None
    assert "not a JSON value" in result["error"] or "too large" in result["error"]
