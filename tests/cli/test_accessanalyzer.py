"""`iamdesk accessanalyzer validate-policy`: Access Analyzer's output, run as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamdesk.cli.main import main

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "iam:PassRole"],
            "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "yes"}},
        }
    ],
}


def validate(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["accessanalyzer", "validate-policy", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_findings_in_access_analyzer_shape(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = json.dumps(POLICY, indent=4)
    path = tmp_path / "policy.json"
    path.write_text(text)
    code, out, _ = validate(
        capsys, "--policy-document", f"file://{path}", "--policy-type", "IDENTITY_POLICY"
    )
    assert code == 0
    findings = {f["issueCode"]: f for f in json.loads(out)["findings"]}
    assert set(findings) == {"PASS_ROLE_WITH_STAR_IN_RESOURCE", "TYPE_MISMATCH_BOOLEAN"}
    boolean = findings["TYPE_MISMATCH_BOOLEAN"]
    assert boolean["findingType"] == "WARNING"
    assert boolean["learnMoreLink"].endswith(
        "#access-analyzer-reference-policy-checks-general-warning-type-mismatch-boolean"
    )
    (location,) = boolean["locations"]
    assert location["path"] == [
        {"value": "Statement"},
        {"index": 0},
        {"value": "Condition"},
        {"value": "Bool"},
        {"value": "aws:MultiFactorAuthPresent"},
    ]
    start, end = location["span"]["start"], location["span"]["end"]
    assert text[start["offset"] : end["offset"]] == '"yes"'
    line = text.split("\n")[start["line"] - 1]
    assert line[start["column"] : end["column"]] == '"yes"'  # columns count from 0
    passrole = findings["PASS_ROLE_WITH_STAR_IN_RESOURCE"]
    assert passrole["findingType"] == "SECURITY_WARNING"
    assert passrole["locations"][0]["path"][-1] == {"value": "Resource"}


def test_trust_policy_resource_type(capsys: pytest.CaptureFixture[str]) -> None:
    trust = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    )
    code, out, _ = validate(
        capsys,
        "--policy-document", trust,
        "--policy-type", "RESOURCE_POLICY",
        "--validate-policy-resource-type", "AWS::IAM::AssumeRolePolicyDocument",
    )  # fmt: skip
    assert code == 0
    codes = [f["issueCode"] for f in json.loads(out)["findings"]]
    assert codes == ["MISSING_PRINCIPAL"]


def test_broken_json_is_a_finding_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = validate(
        capsys, "--policy-document", '{"Version": ', "--policy-type", "IDENTITY_POLICY"
    )
    assert code == 0
    (finding,) = json.loads(out)["findings"]
    assert finding["issueCode"] == "JSON_SYNTAX_ERROR"
    assert finding["locations"][0]["path"] == []


def test_bad_policy_type_is_a_service_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = validate(capsys, "--policy-document", "{}", "--policy-type", "USER_POLICY")
    assert code == 254
    assert "An error occurred (ValidationException) when calling the ValidatePolicy" in err
    code, _, err = validate(capsys, "--policy-type", "IDENTITY_POLICY")
    assert code == 252
    assert "--policy-document" in err
