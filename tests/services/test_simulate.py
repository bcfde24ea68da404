"""simulate_principal_policy over modelled principals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamdesk.services import demo
from iamdesk.services.errors import IamError
from iamdesk.services.simulate import context_from_entries, simulate_principal_policy
from iamdesk.store.db import Database, open_database

USER = f"arn:aws:iam::{demo.PRODUCTION}:user/"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return open_database(demo.write_demo(tmp_path_factory.mktemp("sim") / "demo.sqlite"))


def test_output_has_aws_shape_and_positions(db: Database) -> None:
    result = simulate_principal_policy(
        db,
        policy_source_arn=USER + "alice",
        action_names=["iam:CreateUser", "iam:ListUsers"],
        context_entries=[
            {
                "ContextKeyName": "aws:MultiFactorAuthPresent",
                "ContextKeyValues": ["false"],
                "ContextKeyType": "boolean",
            }
        ],
    )
    out = result.to_aws()["EvaluationResults"]
    assert [r["EvalActionName"] for r in out] == ["iam:CreateUser", "iam:ListUsers"]
    assert [r["EvalDecision"] for r in out] == ["explicitDeny", "explicitDeny"]
    matched = out[0]["MatchedStatements"][0]
    assert matched["SourcePolicyId"] == "RequireMFA" and matched["SourcePolicyType"] == "group"
    text = next(p.text for p in result.policies.values() if p.name == "RequireMFA")
    line = text.splitlines()[matched["StartPosition"]["Line"] - 1]
    # AWS reports the column just after the statement's opening brace.
    assert line[matched["StartPosition"]["Column"] - 2] == "{"
    deciding = result.decisions[0].matched_statements[0]
    assert result.policies[deciding.label].name == "RequireMFA"


def test_aws_filled_keys_yield_to_the_callers(db: Database) -> None:
    result = simulate_principal_policy(
        db,
        policy_source_arn=USER + "carol",
        action_names=["s3:ListAllMyBuckets"],
        context_entries={"aws:username": "someone-else"},
    )
    assert result.context["aws:username"] == "someone-else"
    assert result.context["aws:PrincipalTag/team"] == "data"
    assert result.context["aws:PrincipalAccount"] == demo.PRODUCTION
    org = result.context["aws:PrincipalOrgID"]
    assert org.startswith("o-")
    (path,) = result.context["aws:PrincipalOrgPaths"]
    parts = path.split("/")
    assert parts[0] == org and parts[1].startswith("r-") and parts[2].startswith("ou-")
    assert path.endswith("/") and len(parts) == 4
    assert result.context["aws:CurrentTime"].endswith("Z")
    assert int(result.context["aws:EpochTime"]) > 1_700_000_000


def test_sessions_carry_mfa_and_the_session_policy(db: Database) -> None:
    session = f"arn:aws:sts::{demo.PRODUCTION}:assumed-role/DeployRole/alice-deploy"
    result = simulate_principal_policy(
        db,
        policy_source_arn=session,
        action_names=["s3:GetObject", "ec2:RunInstances"],
        context_entries={"aws:RequestedRegion": "us-east-1"},
    )
    assert result.context["aws:MultiFactorAuthPresent"] == "true"
    assert result.context["aws:PrincipalArn"] == f"arn:aws:iam::{demo.PRODUCTION}:role/DeployRole"
    assert [d.decision for d in result.decisions] == ["allowed", "implicitDeny"]
    assert "session_policy" in result.policies
    request = result.decisions[0].request
    assert request.context["aws:ResourceOrgID"] == result.context["aws:PrincipalOrgID"]


def test_boundary_input_replaces_the_stored_one(db: Database) -> None:
    only_ec2 = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}],
        }
    )
    result = simulate_principal_policy(
        db,
        policy_source_arn=USER + "carol",
        action_names=["ec2:RunInstances"],
        context_entries={"aws:RequestedRegion": "us-east-1"},
        permissions_boundary_policy_input_list=[only_ec2],
    )
    assert result.decisions[0].decision == "allowed"
    assert result.evaluation_results[0]["PermissionsBoundaryDecisionDetail"] == {
        "AllowedByPermissionsBoundary": True
    }


def test_trust_policy_is_the_resource_policy_for_assume_role(db: Database) -> None:
    role = f"arn:aws:iam::{demo.PRODUCTION}:role/DeployRole"
    allowed = simulate_principal_policy(
        db,
        policy_source_arn=USER + "alice",
        action_names=["sts:AssumeRole"],
        resource_arns=[role],
        context_entries={"aws:MultiFactorAuthPresent": "true"},
    )
    assert allowed.decisions[0].decision == "allowed"
    refused = simulate_principal_policy(
        db,
        policy_source_arn=USER + "bob",
        action_names=["sts:AssumeRole"],
        resource_arns=[role],
    )
    assert refused.decisions[0].decision == "implicitDeny"


def test_unknown_principals_and_bad_entries_are_errors(db: Database) -> None:
    with pytest.raises(IamError) as caught:
        simulate_principal_policy(db, policy_source_arn=USER + "nobody", action_names=["s3:*"])
    assert caught.value.code == "NoSuchEntity"
    with pytest.raises(IamError):
        context_from_entries([{"ContextKeyName": "aws:SourceIp"}])
    assert context_from_entries(
        [
            {
                "ContextKeyName": "aws:TagKeys",
                "ContextKeyValues": ["a", "b"],
                "ContextKeyType": "stringList",
            }
        ]
    ) == {"aws:TagKeys": ["a", "b"]}


def test_rcps_of_the_resource_account_apply(tmp_path: Path) -> None:
    from iamdesk.services import organizations

    db = open_database(demo.write_demo(tmp_path / "rcp.sqlite"))
    request = dict(
        policy_source_arn=USER + "carol",
        action_names=["s3:DeleteObject"],
        resource_arns=["arn:aws:s3:::example-corp-uploads/thumbnails/a.png"],
        context_entries={"aws:RequestedRegion": "us-east-1"},
    )
    assert simulate_principal_policy(db, **request).decisions[0].decision == "allowed"
    rcp = organizations.create_policy(
        db,
        name="NoDeletes",
        policy_type=organizations.RCP,
        content=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:DeleteObject",
                        "Resource": "*",
                    }
                ],
            }
        ),
        account_id=demo.MANAGEMENT,
    )["Policy"]["PolicySummary"]["Id"]
    organizations.attach_policy(
        db, policy_id=rcp, target_id=demo.PRODUCTION, account_id=demo.MANAGEMENT
    )
    result = simulate_principal_policy(db, **request)
    assert result.decisions[0].decision == "explicitDeny"
    assert any(
        p.name == "NoDeletes" and p.label.startswith("rcps[") for p in result.policies.values()
    )


def test_answers_follow_every_committed_change(tmp_path: Path) -> None:
    import sqlite3

    from iamdesk.services import simulation_cache

    path = demo.write_demo(tmp_path / "change.sqlite")
    db = open_database(path)
    request = dict(
        policy_source_arn=USER + "bob",
        action_names=["ec2:RunInstances"],
        context_entries={"aws:RequestedRegion": "us-east-1"},
    )
    assert simulate_principal_policy(db, **request).decisions[0].decision == "allowed"
    assert simulate_principal_policy(db, **request).decisions[0].decision == "allowed"
    # Another writer (as another process would) takes bob out of Developers.
    other = sqlite3.connect(path)
    other.execute(
        "DELETE FROM group_membership WHERE user_pk = (SELECT pk FROM iam_user WHERE name = 'bob')"
    )
    other.commit()
    other.close()
    assert simulate_principal_policy(db, **request).decisions[0].decision == "implicitDeny"
    simulation_cache.forget(path)
    assert simulate_principal_policy(db, **request).decisions[0].decision == "implicitDeny"


def test_a_file_replaced_at_the_same_path_is_not_answered_from_the_old_one(
    tmp_path: Path,
) -> None:
    path = demo.write_demo(tmp_path / "replaced.sqlite")
    db = open_database(path)
    bob = dict(
        policy_source_arn=USER + "bob",
        action_names=["s3:ListAllMyBuckets"],
        context_entries={"aws:RequestedRegion": "us-east-1"},
    )
    assert simulate_principal_policy(db, **bob).decisions[0].decision == "allowed"
    db.close()
    path.unlink()
    fresh = open_database(path)  # a new, empty model at the same path
    with pytest.raises(IamError):
        simulate_principal_policy(fresh, **bob)


def test_caller_arn_is_who_the_resource_policy_sees(db: Database) -> None:
    role = f"arn:aws:iam::{demo.PRODUCTION}:role/DeployRole"
    request = dict(
        policy_source_arn=USER + "bob",
        action_names=["sts:AssumeRole"],
        resource_arns=[role],
        context_entries={"aws:MultiFactorAuthPresent": "true"},
    )
    assert simulate_principal_policy(db, **request).decisions[0].decision == "implicitDeny"
    as_alice = simulate_principal_policy(db, caller_arn=USER + "alice", **request)
    assert as_alice.decisions[0].decision == "allowed"
    assert as_alice.context["aws:username"] == "alice"
    assert as_alice.context["aws:PrincipalTag/team"] == "platform"  # the caller's tags
    with pytest.raises(IamError):
        simulate_principal_policy(db, caller_arn=role, **request)


def test_a_group_is_simulated_as_a_member_with_only_its_policies(db: Database) -> None:
    group = f"arn:aws:iam::{demo.PRODUCTION}:group/Admins"
    result = simulate_principal_policy(
        db,
        policy_source_arn=group,
        action_names=["iam:CreateUser"],
        context_entries={"aws:MultiFactorAuthPresent": "false"},
    )
    assert result.decisions[0].decision == "explicitDeny"
    assert {p.name for p in result.policies.values()} >= {"AdministratorAccess", "RequireMFA"}
    assert result.context["aws:PrincipalArn"].endswith(":user/group-member/Admins")
    with pytest.raises(IamError) as caught:
        simulate_principal_policy(
            db, policy_source_arn=group.replace("Admins", "Nobody"), action_names=["s3:*"]
        )
    assert caught.value.code == "NoSuchEntity"


def test_policy_input_list_adds_identity_policies(db: Database) -> None:
    extra = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"}],
        }
    )
    request = dict(policy_source_arn=USER + "frank", action_names=["iam:CreateUser"])
    assert simulate_principal_policy(db, **request).decisions[0].decision == "implicitDeny"
    result = simulate_principal_policy(db, policy_input_list=[extra], **request)
    assert result.decisions[0].decision == "allowed"
    assert result.evaluation_results[0]["MatchedStatements"][0]["SourcePolicyId"] == (
        "PolicyInputList.1"
    )
    with pytest.raises(IamError) as caught:
        simulate_principal_policy(db, policy_input_list=['{"Statement": 1}'], **request)
    assert caught.value.code == "MalformedPolicyDocument"


def test_account_id_is_checked_and_the_principal_may_be_in_another_account(db: Database) -> None:
    request = dict(policy_source_arn=USER + "alice", action_names=["iam:ListUsers"])
    here = simulate_principal_policy(db, **request)
    across = simulate_principal_policy(db, account_id=demo.MANAGEMENT, **request)
    assert across.to_aws() == here.to_aws()
    assert across.context["aws:PrincipalAccount"] == demo.PRODUCTION
    with pytest.raises(IamError) as caught:
        simulate_principal_policy(db, account_id="999999999999", **request)
    assert (caught.value.code, caught.value.message) == (
        "NoSuchEntity",
        "The account with id 999999999999 cannot be found.",
    )
    with pytest.raises(IamError) as caught:
        simulate_principal_policy(
            db, account_id=demo.MANAGEMENT, policy_source_arn=USER + "nobody", action_names=["s3:*"]
        )
    assert caught.value.message == "The user with name nobody cannot be found."
    ghost = f"arn:aws:iam::{demo.PRODUCTION}:role/team/Ghost"
    with pytest.raises(IamError) as caught:
        simulate_principal_policy(db, policy_source_arn=ghost, action_names=["s3:*"])
    assert caught.value.message == "The role with name Ghost cannot be found."


def test_a_request_through_a_vpc_endpoint_needs_the_endpoint_policy_too(db: Database) -> None:
    def decide(endpoint_policy: str | None) -> tuple[str, Any]:
        result = simulate_principal_policy(
            db,
            policy_source_arn=USER + "alice",
            action_names=["iam:ListUsers"],
            context_entries={"aws:MultiFactorAuthPresent": "true"},
            endpoint_policy=endpoint_policy,
            endpoint_id="vpce-0a1b2c3d",
        )
        return result.decisions[0].decision, result

    assert decide(None)[0] == "allowed"
    only_s3 = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}],
    }
    decision, result = decide(json.dumps(only_s3, indent=4))
    assert decision == "implicitDeny"
    assert result.decisions[0].gate == "endpoint_policy"
    assert "VPC endpoint policy" in result.decisions[0].explanation
    this_endpoint = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "iam:List*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}},
            }
        ],
    }
    decision, result = decide(json.dumps(this_endpoint, indent=4))
    assert decision == "allowed"
    labels = [m.label for m in result.decisions[0].matched_statements]
    assert "endpoint_policy" in labels
    assert result.policies["endpoint_policy"].policy_type == "endpoint"
