"""``iamdesk demo`` and simulate-principal-policy / sts on the demo, run as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pyotp
import pytest

from iamdesk.cli.main import main
from iamdesk.services import demo


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-demo") / "demo.sqlite"
    assert main(["--db", str(path), "demo"]) == 0
    return path


def _run(db: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_demo_refuses_to_overwrite(demo_db: Path, capsys) -> None:
    capsys.readouterr()
    code, _, err = _run(demo_db, capsys, "demo")
    assert code == 1 and "already exists" in err


def test_simulate_principal_policy_from_the_command_line(demo_db: Path, capsys) -> None:
    code, out, err = _run(
        demo_db,
        capsys,
        "iam",
        "simulate-principal-policy",
        "--policy-source-arn",
        f"arn:aws:iam::{demo.PRODUCTION}:user/alice",
        "--action-names",
        "iam:CreateUser",
        "iam:ListUsers",
        "--context-entries",
        "ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=false,ContextKeyType=boolean",
    )
    assert code == 0, err
    results = json.loads(out)["EvaluationResults"]
    assert [r["EvalDecision"] for r in results] == ["explicitDeny", "explicitDeny"]
    assert results[0]["MatchedStatements"][0]["SourcePolicyId"] == "RequireMFA"
    code, _, err = _run(
        demo_db,
        capsys,
        "iam",
        "simulate-principal-policy",
        "--policy-source-arn",
        f"arn:aws:iam::{demo.PRODUCTION}:user/nobody",
        "--action-names",
        "s3:GetObject",
    )
    assert code == 254
    assert err.strip() == (
        "An error occurred (NoSuchEntity) when calling the SimulatePrincipalPolicy operation:"
        " The user with name nobody cannot be found."
    )


def test_simulate_principal_policy_checks_the_account_it_acts_in(demo_db: Path, capsys) -> None:
    request = [
        "iam",
        "simulate-principal-policy",
        "--policy-source-arn",
        f"arn:aws:iam::{demo.PRODUCTION}:user/alice",
        "--action-names",
        "iam:ListUsers",
    ]
    code, out, err = _run(demo_db, capsys, "--account-id", demo.MANAGEMENT, *request)
    assert code == 0, err
    assert json.loads(out)["EvaluationResults"][0]["EvalActionName"] == "iam:ListUsers"
    code, _, err = _run(demo_db, capsys, "--account-id", "999999999999", *request)
    assert code == 254
    assert "(NoSuchEntity)" in err and "The account with id 999999999999 cannot be found." in err


def test_sts_assume_role_with_a_real_code(demo_db: Path, capsys) -> None:
    code, out, err = _run(
        demo_db,
        capsys,
        "sts",
        "assume-role",
        "--role-arn",
        f"arn:aws:iam::{demo.PRODUCTION}:role/DeployRole",
        "--role-session-name",
        "cli-deploy",
        "--caller-arn",
        f"arn:aws:iam::{demo.PRODUCTION}:user/alice",
        "--serial-number",
        f"arn:aws:iam::{demo.PRODUCTION}:mfa/alice",
        "--token-code",
        pyotp.TOTP(demo.MFA_SEEDS["alice"]).now(),
    )
    assert code == 0, err
    creds = json.loads(out)["Credentials"]
    code, out, _ = _run(
        demo_db, capsys, "sts", "get-caller-identity", "--access-key-id", creds["AccessKeyId"]
    )
    assert json.loads(out)["Arn"].endswith(":assumed-role/DeployRole/cli-deploy")
    code, _, err = _run(
        demo_db,
        capsys,
        "sts",
        "assume-role",
        "--role-arn",
        f"arn:aws:iam::{demo.PRODUCTION}:role/DeployRole",
        "--role-session-name",
        "no-mfa",
        "--caller-arn",
        f"arn:aws:iam::{demo.PRODUCTION}:user/bob",
    )
    assert code == 254
    assert "An error occurred (AccessDenied) when calling the AssumeRole operation: User: " in err
