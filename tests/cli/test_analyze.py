"""``iamdesk analyze ...`` run as a user would: JSON on stdout, one-line errors on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamdesk.cli.main import main


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-analyze") / "demo.sqlite"
    assert main(["--db", str(path), "demo"]) == 0
    return path


def _run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--db", str(db), "analyze", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_who_can_prints_grants(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        demo_db,
        capsys,
        "who-can",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::example-corp-shared-data/report.csv",
    )
    assert code == 0
    grants = {g["principal"]: g for g in json.loads(out)["grants"]}
    erin = grants["arn:aws:iam::444455556666:user/erin"]
    assert erin["accessLevel"] == "Read"
    assert {s["policyKind"] for s in erin["statements"]} >= {"inline", "resource"}
    assert all(s["start"]["line"] >= 1 for s in erin["statements"])


def test_what_can_by_service(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        demo_db,
        capsys,
        "what-can",
        "--principal",
        "arn:aws:iam::111122223333:user/dave",
        "--service",
        "s3",
    )
    assert code == 0
    grants = json.loads(out)["grants"]
    levels = [g["accessLevel"] for g in grants]
    assert "Read" in levels and "List" in levels
    assert levels == sorted(
        levels, key=["List", "Read", "Write", "Permissions management", "Tagging"].index
    )


def test_errors_are_one_line(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        demo_db,
        capsys,
        "what-can",
        "--principal",
        "arn:aws:iam::111122223333:user/ghost",
        "--service",
        "s3",
    )
    assert (code, out) == (254, "")
    assert err.strip() == (
        "iamdesk analyze what-can: NoSuchEntity: The principal "
        "arn:aws:iam::111122223333:user/ghost cannot be found in the model."
    )
    code, _, err = _run(demo_db, capsys, "who-can", "--action", "nocolon")
    assert code == 254 and "InvalidInput" in err
    code, _, err = _run(demo_db, capsys, "what-can", "--principal", "x")
    assert code == 2 and "one of the arguments --resource --service is required" in err


def test_help_lists_each_question(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["analyze", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "who-can" in out and "what-can" in out


def test_best_practices_and_validate(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(demo_db, capsys, "best-practices")
    assert code == 0
    findings = json.loads(out)["findings"]
    checks = {(f["check"], f["entity"]) for f in findings}
    assert ("console-without-mfa", "arn:aws:iam::111122223333:user/bob") in checks
    assert ("admin-equivalent", "arn:aws:iam::111122223333:user/alice") in checks
    assert all(f["title"] and f["severity"] in ("high", "medium", "low") for f in findings)
    code, out, _ = _run(demo_db, capsys, "validate")
    assert code == 0
    rows = json.loads(out)["findings"]
    assert all({"policy", "severity", "code", "start", "end"} <= set(r) for r in rows)


def test_unused_access_and_privesc_on_the_demo(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(demo_db, capsys, "unused-access", "--days", "90")
    assert code == 0
    found = {(f["kind"], f["entity"]) for f in json.loads(out)["findings"]}
    # The demo's dates lie in the past: dave's key was never used, the roles not lately.
    assert ("access_key", "arn:aws:iam::111122223333:user/dave") in found
    assert ("role", "arn:aws:iam::111122223333:role/DeployRole") in found
    code, _, err = _run(demo_db, capsys, "unused-access", "--days", "0")
    assert code == 254 and "at least 1" in err
    # Nobody in the demo can escalate: PowerUserAccess leaves IAM out.
    code, out, _ = _run(demo_db, capsys, "privesc")
    assert code == 0 and json.loads(out)["paths"] == []
    code, out, _ = _run(
        demo_db, capsys, "privesc", "--principal", "arn:aws:iam::111122223333:user/bob"
    )
    assert code == 0 and json.loads(out)["paths"] == []
    code, _, err = _run(
        demo_db, capsys, "generate-policy", "--principal", "arn:aws:iam::111122223333:user/bob"
    )
    assert code == 254 and "iamdesk activity import" in err
