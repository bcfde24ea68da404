"""``iamdesk iam simulate-custom-policy`` run the way a user runs it: AWS CLI options in,
AWS's JSON (or AWS CLI's error line and exit code) out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamdesk.cli.iam.simulate_custom import run

DYNAMO_AFTER_DATE = (
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
    '"Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
)
READ_REPORTS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::r/*",
        },
        {"Sid": "NoQ1", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::r/q1*"},
    ],
}
BAD_NUMBER = "ContextKeyName=aws:MultiFactorAuthAge,ContextKeyValues=abc,ContextKeyType=numeric"


def simulate(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else out), err


def test_aws_cli_example_with_a_date_context_entry(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = simulate(
        capsys,
        "--policy-input-list", DYNAMO_AFTER_DATE,
        "--action-names", "dynamodb:CreateBackup",
        "--context-entries",
        "ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date",
    )  # fmt: skip
    assert code == 0
    (result,) = out["EvaluationResults"]
    assert result["EvalActionName"] == "dynamodb:CreateBackup"
    assert result["EvalResourceName"] == "*"
    assert result["EvalDecision"] == "allowed"
    (matched,) = result["MatchedStatements"]
    assert matched["SourcePolicyId"] == "PolicyInputList.1"
    assert matched["SourcePolicyType"] == "IAM Policy"
    assert matched["StartPosition"]["Line"] == 1
    assert matched["EndPosition"] == {"Line": 1, "Column": 167}
    assert result["MissingContextValues"] == []
    # Same account, every resource ("*"): no EvalDecisionDetails, no per-resource results.
    assert "EvalDecisionDetails" not in result and "ResourceSpecificResults" not in result


def test_date_before_the_condition_is_denied(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = simulate(
        capsys,
        "--policy-input-list", DYNAMO_AFTER_DATE,
        "--action-names", "dynamodb:CreateBackup",
        "--context-entries",
        "ContextKeyName=aws:CurrentTime,ContextKeyValues=2014-04-25T11:00:00Z,ContextKeyType=date",
    )  # fmt: skip
    assert code == 0
    assert out["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    assert out["EvaluationResults"][0]["MatchedStatements"] == []


def test_missing_context_value_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = simulate(
        capsys, "--policy-input-list", DYNAMO_AFTER_DATE, "--action-names", "dynamodb:GetItem"
    )
    result = out["EvaluationResults"][0]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MissingContextValues"] == ["aws:CurrentTime"]


def test_file_values_actions_and_resources(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(READ_REPORTS, indent=4))
    code, out, _ = simulate(
        capsys,
        "--policy-input-list", f"file://{policy}",
        "--action-names", "s3:GetObject", "s3:PutObject",
        "--resource-arns", "arn:aws:s3:::r/a.csv", "arn:aws:s3:::r/q1.csv",
    )  # fmt: skip
    assert code == 0
    # One result per action (IAM's current shape): the most restrictive decision on top, each
    # resource's own decision in ResourceSpecificResults.
    get, put = out["EvaluationResults"]
    assert (get["EvalActionName"], get["EvalDecision"]) == ("s3:GetObject", "explicitDeny")
    assert get["EvalResourceName"] == "arn:aws:s3:::r/q1.csv"
    per_resource = [
        (r["EvalResourceName"], r["EvalResourceDecision"]) for r in get["ResourceSpecificResults"]
    ]
    assert per_resource == [
        ("arn:aws:s3:::r/a.csv", "allowed"),
        ("arn:aws:s3:::r/q1.csv", "explicitDeny"),
    ]
    (statement,) = get["MatchedStatements"]
    # The deny is the second statement of the indented file: it starts on line 10.
    assert statement["StartPosition"] == {"Line": 10, "Column": 10}
    allowed = get["ResourceSpecificResults"][0]["MatchedStatements"]
    assert [m["StartPosition"]["Line"] for m in allowed] == [4]
    assert get["EvalDecisionDetails"] == {}  # same account, resource ARNs given
    assert put["EvalDecision"] == "explicitDeny"
    assert [r["EvalResourceDecision"] for r in put["ResourceSpecificResults"]] == [
        "implicitDeny",
        "explicitDeny",
    ]


def test_permissions_boundary_limits_and_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    allow_all = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})  # fmt: skip
    only_s3 = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})  # fmt: skip
    code, out, _ = simulate(
        capsys,
        "--policy-input-list", allow_all,
        "--permissions-boundary-policy-input-list", only_s3,
        "--action-names", "s3:ListBucket", "iam:CreateUser",
    )  # fmt: skip
    assert code == 0
    s3, iam = out["EvaluationResults"]
    assert s3["EvalDecision"] == "allowed"
    assert s3["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert {m["SourcePolicyId"] for m in s3["MatchedStatements"]} == {
        "PolicyInputList.1",
        "PermissionsBoundaryPolicyInputList.1",
    }
    assert iam["EvalDecision"] == "implicitDeny"
    assert iam["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}


def test_resource_policy_grants_same_account_caller(capsys: pytest.CaptureFixture[str]) -> None:
    nothing = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]})  # fmt: skip
    bucket_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/dana"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::r/*"}]})  # fmt: skip
    code, out, _ = simulate(
        capsys,
        "--policy-input-list", nothing,
        "--resource-policy", bucket_policy,
        "--caller-arn", "arn:aws:iam::111122223333:user/dana",
        "--resource-owner", "arn:aws:iam::111122223333:root",
        "--action-names", "s3:GetObject",
        "--resource-arns", "arn:aws:s3:::r/x",
    )  # fmt: skip
    assert code == 0
    result = out["EvaluationResults"][0]
    assert result["EvalDecision"] == "allowed"
    (matched,) = result["MatchedStatements"]
    assert matched["SourcePolicyId"] == "ResourcePolicy"
    assert matched["SourcePolicyType"] == "Resource Policy"


def test_cross_account_needs_both_sides(capsys: pytest.CaptureFixture[str]) -> None:
    nothing = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]})  # fmt: skip
    bucket_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/dana"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::r/*"}]})  # fmt: skip
    code, out, _ = simulate(
        capsys,
        "--policy-input-list", nothing,
        "--resource-policy", bucket_policy,
        "--caller-arn", "arn:aws:iam::111122223333:user/dana",
        "--resource-owner", "arn:aws:iam::444455556666:root",
        "--action-names", "s3:GetObject",
        "--resource-arns", "arn:aws:s3:::r/x",
    )  # fmt: skip
    assert code == 0
    result = out["EvaluationResults"][0]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["EvalDecisionDetails"] == {
        "IAM Policy": "implicitDeny",
        "Resource Policy": "allowed",
    }
    assert result["ResourceSpecificResults"][0]["EvalDecisionDetails"] == {
        "IAM Policy": "implicitDeny",
        "Resource Policy": "allowed",
    }


def test_context_entries_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    mfa = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "ec2:StopInstances", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})  # fmt: skip
    entries = json.dumps([{
        "ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyValues": ["true"],
        "ContextKeyType": "boolean"}])  # fmt: skip
    code, out, _ = simulate(
        capsys, "--policy-input-list", mfa, "--action-names", "ec2:StopInstances",
        "--context-entries", entries,
    )  # fmt: skip
    assert code == 0
    assert out["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_list_context_entry_in_shorthand(capsys: pytest.CaptureFixture[str]) -> None:
    only_env_team = {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}
    tags = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
        "Condition": only_env_team}]})  # fmt: skip
    ok = "ContextKeyName=aws:TagKeys,ContextKeyValues=env,team,ContextKeyType=stringList"
    bad = "ContextKeyName=aws:TagKeys,ContextKeyValues=[env,owner],ContextKeyType=stringList"
    _, out, _ = simulate(
        capsys, "--policy-input-list", tags, "--action-names", "ec2:CreateTags",
        "--context-entries", ok,
    )  # fmt: skip
    assert out["EvaluationResults"][0]["EvalDecision"] == "allowed"
    _, out, _ = simulate(
        capsys, "--policy-input-list", tags, "--action-names", "ec2:CreateTags",
        "--context-entries", bad,
    )  # fmt: skip
    assert out["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


def test_malformed_policy_prints_aws_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = simulate(
        capsys, "--policy-input-list", '{"Version": "2012-10-17", "Statement": [', "--action-names",
        "s3:GetObject",
    )  # fmt: skip
    assert code == 254
    assert out == ""
    assert err.strip().startswith(
        "An error occurred (MalformedPolicyDocument) when calling the SimulateCustomPolicy "
        "operation: PolicyInputList.1:"
    )


def test_principal_in_identity_policy_is_malformed(capsys: pytest.CaptureFixture[str]) -> None:
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})  # fmt: skip
    code, _, err = simulate(capsys, "--policy-input-list", policy, "--action-names", "s3:GetObject")
    assert code == 254
    assert "(MalformedPolicyDocument)" in err and "should not specify a principal" in err


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--action-names", "s3:*"], "Invalid action name s3:*"),
        (["--action-names", "s3:GetObject", "--caller-arn", "arn:aws:iam::1:role/x"], "CallerArn"),
        (
            ["--action-names", "s3:GetObject", "--context-entries", BAD_NUMBER],
            "not a valid numeric",
        ),
        (["--action-names", "s3:GetObject", "--resource-handling-option", "nope"], "nope"),
        (
            ["--action-names", "s3:GetObject", "--resource-policy", DYNAMO_AFTER_DATE],
            "CallerArn is required",
        ),
    ],
)
def test_invalid_input(capsys: pytest.CaptureFixture[str], extra: list[str], needle: str) -> None:
    code, _, err = simulate(capsys, "--policy-input-list", DYNAMO_AFTER_DATE, *extra)
    assert code == 254
    assert "An error occurred (InvalidInput) when calling the SimulateCustomPolicy" in err
    assert needle in err


def test_usage_errors_exit_252(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = simulate(capsys, "--action-names", "s3:GetObject")
    assert code == 252
    assert "the following arguments are required: --policy-input-list" in err
    missing = tmp_path / "missing.json"
    code, _, err = simulate(
        capsys, "--policy-input-list", f"file://{missing}", "--action-names", "s3:GetObject"
    )
    assert code == 252
    assert "Error parsing parameter '--policy-input-list': Unable to load paramfile" in err


def test_runs_as_an_iamdesk_iam_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iamdesk.cli.main import main

    monkeypatch.setenv("IAMDESK_DB", str(tmp_path / "unused.db"))
    code = main(
        ["iam", "simulate-custom-policy", "--policy-input-list", json.dumps(READ_REPORTS),
         "--action-names", "s3:GetObject", "--resource-arns", "arn:aws:s3:::r/q1.csv"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["EvaluationResults"][0]["EvalDecision"] == "explicitDeny"
    assert not (tmp_path / "unused.db").exists()  # nothing here needs the model file
    code = main(["iam", "simulate-custom-policy", "--action-names", "s3:GetObject"])
    assert code == 252
    assert "--policy-input-list" in capsys.readouterr().err


def test_context_keys_for_custom_policy(capsys: pytest.CaptureFixture[str]) -> None:
    from iamdesk.cli.main import main

    table = (
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
        '"Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}",'
        '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}'
    )
    condition = {
        "Bool": {"aws:MultiFactorAuthPresent": "false"},
        "StringNotEquals": {"aws:CURRENTTIME": "${aws:PrincipalTag/team, 'x'}"},
    }
    second = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": condition}]})  # fmt: skip
    code = main(["iam", "get-context-keys-for-custom-policy", "--policy-input-list", table, second])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out) == {
        "ContextKeyNames": [
            "aws:username",
            "aws:CurrentTime",
            "aws:MultiFactorAuthPresent",
            "aws:PrincipalTag/team",
        ]
    }
    code = main(["iam", "get-context-keys-for-custom-policy", "--policy-input-list", "{"])
    assert code == 254
    assert "(MalformedPolicyDocument)" in capsys.readouterr().err


def test_max_items_pages_with_next_token(capsys: pytest.CaptureFixture[str]) -> None:
    actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]
    code, out, _ = simulate(
        capsys, "--policy-input-list", DYNAMO_AFTER_DATE, "--action-names", *actions,
        "--max-items", "2",
    )  # fmt: skip
    assert code == 0
    assert [r["EvalActionName"] for r in out["EvaluationResults"]] == actions[:2]
    token = out["NextToken"]
    code, out, _ = simulate(
        capsys, "--policy-input-list", DYNAMO_AFTER_DATE, "--action-names", *actions,
        "--max-items", "2", "--starting-token", token,
    )  # fmt: skip
    assert code == 0
    assert [r["EvalActionName"] for r in out["EvaluationResults"]] == actions[2:]
    assert "NextToken" not in out
