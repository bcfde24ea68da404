"""Documents beyond IAM's or a service's size quota are refused at once with that quota's error,
before anything costly reads them; documents within the quotas are read in linear time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamdesk.cli.main import main
from iamdesk.core.policy.quotas import MANAGED_POLICY_CHARS, RESOURCE_POLICY_BYTES


def _policy(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _validate(capsys: pytest.CaptureFixture[str], path: Path, *options: str) -> list[Any]:
    code, out, _ = _run(
        capsys, "accessanalyzer", "validate-policy", *options, "--policy-document", f"file://{path}"
    )
    assert code == 0
    findings: list[Any] = json.loads(out)["findings"]
    return findings


def test_simulate_custom_policy_with_40000_statements_is_refused_at_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    statements = [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b{i}/*"}
        for i in range(40_000)
    ]
    path = tmp_path / "big.json"
    path.write_text(_policy(statements))
    code, out, err = _run(
        capsys,
        "iam",
        "simulate-custom-policy",
        "--policy-input-list",
        f"file://{path}",
        "--action-names",
        "s3:GetObject",
    )
    assert code == 254 and out == ""
    assert "(ValidationError)" in err
    assert "'policyInputList.1.member'" in err and "less than or equal to 131072" in err


def test_validate_policy_on_a_10_mb_resource_gives_the_identity_quota_finding_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "huge.json"
    path.write_text(
        _policy([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "a" * 10_000_000}])
    )
    (finding,) = _validate(capsys, path, "--policy-type", "IDENTITY_POLICY")
    assert finding["issueCode"] == "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"
    assert f"{MANAGED_POLICY_CHARS:,} character maximum" in finding["findingDetails"]


def _bucket_policy(size: int) -> str:
    text = _policy(
        [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::reports/*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": "x"}},
            }
        ]
    )
    return text.replace('"x"', json.dumps("x" * (size - len(text) + 1)))


@pytest.mark.parametrize(("resource_type", "quota"), [("AWS::S3::Bucket", "s3")])
def test_resource_policy_over_its_service_quota_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, resource_type: str, quota: str
) -> None:
    limit = RESOURCE_POLICY_BYTES[quota]
    for size, refused in ((limit, False), (limit + 1, True)):
        path = tmp_path / "bucket.json"
        path.write_text(_bucket_policy(size))
        assert len(path.read_bytes()) == size
        findings = _validate(
            capsys,
            path,
            "--policy-type",
            "RESOURCE_POLICY",
            "--validate-policy-resource-type",
            resource_type,
        )
        codes = [f["issueCode"] for f in findings]
        if refused:
            assert codes == ["POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA"]
        else:
            assert "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA" not in codes


def test_a_resource_policy_of_unknown_service_is_refused_only_beyond_every_quota(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "p.json"
    largest = max(RESOURCE_POLICY_BYTES.values())
    for size, refused in ((RESOURCE_POLICY_BYTES["s3"] + 100, False), (largest + 1, True)):
        path.write_text(_bucket_policy(size))
        findings = _validate(capsys, path, "--policy-type", "RESOURCE_POLICY")
        codes = [f["issueCode"] for f in findings]
        assert ("POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA" in codes) == refused
