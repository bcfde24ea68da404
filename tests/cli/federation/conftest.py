"""Fixtures of the federation command tests (``cli`` is tests/cli's)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.federation.fixtures import GITHUB, GITHUB_ARN, ok


@pytest.fixture
def github(cli, tmp_path: Path):
    """GitHub Actions' provider and a role that trusts one repository's workflows."""
    ok(cli, "iam", "create-open-id-connect-provider", "--url", f"https://{GITHUB}",
       "--client-id-list", "sts.amazonaws.com")  # fmt: skip
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": GITHUB_ARN},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                "StringLike": {f"{GITHUB}:sub": "repo:octo-org/octo-repo:*"},
            },
        }],
    }), encoding="utf-8")  # fmt: skip
    ok(cli, "iam", "create-role", "--role-name", "gh-deploy",
       "--assume-role-policy-document", f"file://{trust}")  # fmt: skip
    ok(cli, "iam", "attach-role-policy", "--role-name", "gh-deploy",
       "--policy-arn", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")  # fmt: skip
    return cli


# The endpoint of ``iamdesk serve`` over the demo, as its own tests start it.
from tests.cli.test_endpoint import endpoint  # noqa: E402, F401
