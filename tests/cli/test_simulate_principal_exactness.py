"""simulate-principal-policy prints what IAM prints: OrganizationsDecisionDetail, AWS's own
SourcePolicyType values and, with --resource-arns, one result per action with
ResourceSpecificResults (the demo organization's alice is denied by the Guardrails SCP)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamdesk.cli.main import main

ALICE = "arn:aws:iam::111122223333:user/alice"
SOURCE_TYPES = {"user", "group", "role", "aws-managed", "user-managed", "resource", "none"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.iamdesk"
    assert main(["--db", str(path), "demo"]) == 0
    return path


def _simulate(demo: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    capsys.readouterr()
    code = main(["--db", str(demo), "iam", "simulate-principal-policy",
                 "--policy-source-arn", ALICE, *args])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)["EvaluationResults"]


def test_organizations_detail_and_source_types(demo: Path, capsys) -> None:
    results = _simulate(demo, capsys, "--action-names", "s3:GetObject", "iam:CreateUser")
    assert len(results) == 2
    for result in results:
        assert "OrganizationsDecisionDetail" in result
        assert {m["SourcePolicyType"] for m in result["MatchedStatements"]} <= SOURCE_TYPES
    denied = next(r for r in results if r["EvalDecision"] == "explicitDeny")
    by_scp = any(m["SourcePolicyId"] == "Guardrails" for m in denied["MatchedStatements"])
    assert denied["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": not by_scp}


def test_resource_arns_give_resource_specific_results(demo: Path, capsys) -> None:
    results = _simulate(
        demo, capsys, "--action-names", "s3:GetObject", "s3:PutObject",
        "--resource-arns", "arn:aws:s3:::reports/a", "arn:aws:s3:::reports/b",
    )  # fmt: skip
    assert [r["EvalActionName"] for r in results] == ["s3:GetObject", "s3:PutObject"]
    for result in results:
        specific = result["ResourceSpecificResults"]
        assert [s["EvalResourceName"] for s in specific] == [
            "arn:aws:s3:::reports/a",
            "arn:aws:s3:::reports/b",
        ]
        assert result["EvalDecision"] in {s["EvalResourceDecision"] for s in specific}
        assert all("OrganizationsDecisionDetail" not in s for s in specific)
