"""Size quotas: IAM counts characters without white space, Organizations counts every one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamdesk.core.policy.document import PolicyKind
from iamdesk.core.policy.quotas import (
    INLINE_AGGREGATE_CHARS,
    MANAGED_POLICY_CHARS,
    SCP_CHARS,
    check_inline_aggregate,
    policy_size,
)
from iamdesk.core.policy.validation import validate_policy


def sized(minified_chars: int) -> dict[str, Any]:
    """A valid policy whose minified JSON is exactly ``minified_chars`` long."""
    policy: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ""}],
    }
    base = len(json.dumps(policy, separators=(",", ":")))
    bucket = "b" * (minified_chars - base - len("arn:aws:s3:::/x"))
    policy["Statement"][0]["Resource"] = f"arn:aws:s3:::{bucket}/x"
    assert policy_size(policy) == minified_chars
    return policy


def quota_codes(source: Any, kind: PolicyKind) -> list[str]:
    return [f.code for f in validate_policy(source, kind) if f.code.startswith("POLICY_SIZE")]


def test_identity_quota_ignores_white_space() -> None:
    at_limit = sized(MANAGED_POLICY_CHARS)
    # Indented, the text is far longer than 6,144 characters, but white space does not count.
    assert len(json.dumps(at_limit, indent=4)) > MANAGED_POLICY_CHARS
    assert quota_codes(at_limit, PolicyKind.IDENTITY) == []
    over = sized(MANAGED_POLICY_CHARS + 1)
    (finding,) = [f for f in validate_policy(over, PolicyKind.IDENTITY) if f.code.startswith("P")]
    assert finding.code == "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"
    assert "6,145" in finding.message and "6,144" in finding.message


def test_scp_quota_counts_white_space() -> None:
    small = sized(SCP_CHARS - 200)
    compact = json.dumps(small, separators=(",", ":"))
    assert quota_codes(compact, PolicyKind.SCP) == []
    padded = compact.replace(",", ",\n" + " " * 80)
    assert len(padded) > SCP_CHARS
    assert quota_codes(padded, PolicyKind.SCP) == ["POLICY_SIZE_EXCEEDS_SCP_QUOTA"]


def test_trust_policy_quota() -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "AWS": [f"arn:aws:iam::111122223333:role/r{i:04}" for i in range(60)]
                },
                "Action": "sts:AssumeRole",
            }
        ],
    }
    assert policy_size(trust) > 2048
    assert quota_codes(trust, PolicyKind.TRUST) == ["POLICY_SIZE_EXCEEDS_TRUST_POLICY_QUOTA"]
    assert quota_codes(trust, PolicyKind.RESOURCE) == []  # the quota differs by service


@pytest.mark.parametrize(("entity", "quota"), sorted(INLINE_AGGREGATE_CHARS.items()))
def test_inline_aggregate(entity: str, quota: int) -> None:
    half = sized(quota // 2)
    assert check_inline_aggregate(entity, [half, json.dumps(half, indent=4)]) is None
    over = check_inline_aggregate(entity, [half, half, sized(200)])
    assert over is not None
    assert over.code == "POLICY_SIZE_EXCEEDS_INLINE_AGGREGATE_QUOTA"
    assert f"{quota:,}" in over.message


def test_inline_aggregate_rejects_unknown_entity() -> None:
    with pytest.raises(ValueError, match="user, group, role"):
        check_inline_aggregate("bucket", [])
