"""``iamdesk organizations update-policy`` / ``describe-policy`` as ``aws organizations``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamdesk.cli.main import main
from iamdesk.store.db import new_database


@pytest.fixture
def aws(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    db = tmp_path / "model.sqlite"
    new_database(db).close()

    def run(*args: str) -> tuple[int, Any, str]:
        code = main(["--db", str(db), *args])
        captured = capsys.readouterr()
        out = json.loads(captured.out) if captured.out.strip().startswith("{") else captured.out
        return code, out, captured.err

    return run


def _file(tmp_path: Path, name: str, action: str) -> str:
    path = tmp_path / name
    path.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*"}],
            }
        ),
        encoding="utf-8",
    )
    return f"file://{path}"


def test_update_policy(aws, tmp_path: Path) -> None:
    assert aws("organizations", "create-organization")[0] == 0
    created = aws(
        "organizations",
        "create-policy",
        "--content",
        _file(tmp_path, "a.json", "s3:*"),
        "--name",
        "Guard",
        "--type",
        "SERVICE_CONTROL_POLICY",
        "--description",
        "no S3",
    )[1]["Policy"]["PolicySummary"]
    code, out, _ = aws(
        "organizations",
        "update-policy",
        "--policy-id",
        created["Id"],
        "--content",
        _file(tmp_path, "b.json", "sqs:*"),
        "--description",
        "no queues",
    )
    assert code == 0
    assert json.loads(out["Policy"]["Content"])["Statement"][0]["Action"] == "sqs:*"
    assert out["Policy"]["PolicySummary"]["Description"] == "no queues"
    described = aws("organizations", "describe-policy", "--policy-id", created["Id"])[1]
    assert described["Policy"]["Content"] == out["Policy"]["Content"]

    code, _, err = aws(
        "organizations", "update-policy", "--policy-id", "p-FullAWSAccess", "--content", "{}"
    )
    assert code == 254
    assert err.strip().startswith(
        "An error occurred (AccessDeniedException) when calling the UpdatePolicy operation: "
    )

    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "2012-10-17", "Statement": [', encoding="utf-8")
    code, _, err = aws(
        "organizations", "update-policy", "--policy-id", created["Id"], "--content", f"file://{bad}"
    )
    assert code == 254 and "(MalformedPolicyDocumentException)" in err
    still = aws("organizations", "describe-policy", "--policy-id", created["Id"])[1]
    assert still["Policy"]["Content"] == out["Policy"]["Content"]

    code, _, err = aws("organizations", "update-policy")
    assert code == 252 and "--policy-id" in err
