"""Privilege-escalation paths: a hand-made PassRole + Lambda escalation, role chains, and the
paths the real sample account was built with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamdesk.analysis.privesc import escalation_edges, find_escalation_paths
from iamdesk.cli.main import main
from iamdesk.services.errors import IamError
from iamdesk.services.importexport import import_authorization_details
from iamdesk.store.db import Database, open_database
from tests.analysis.scenario import Builder, allow, arn, doc, trust

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "authorization-details-example.json"
S = "arn:aws:iam::200611803367"


def test_pass_role_and_lambda_makes_a_developer_admin(tmp_path: Path) -> None:
    b = Builder(tmp_path)
    admin_role = b.role("LambdaAdmin", trust({"Service": "lambda.amazonaws.com"}), managed=(ADMIN,))
    b.role("Ec2Admin", trust({"Service": "ec2.amazonaws.com"}), managed=(ADMIN,))
    dev = b.user(
        "dev",
        doc(
            allow("iam:PassRole", admin_role),
            allow(["lambda:CreateFunction", "lambda:InvokeFunction"]),
        ),
    )
    half = b.user("half", doc(allow("iam:PassRole", admin_role)))  # cannot create the function
    b.user("boss", managed=(ADMIN,))

    paths = {p.principal.arn: p for p in find_escalation_paths(b.db, None)}

    assert set(paths) == {dev}
    step = paths[dev].steps[0]
    assert step.technique == "pass-role-lambda"
    assert step.actions == ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction")
    assert step.target.arn == admin_role and paths[dev].reaches.arn == admin_role
    assert step.statements and step.statements[0].policy_label == "inline P0 on user/dev"
    assert half not in paths
    assert find_escalation_paths(b.db, None, principal_arn=arn("user", "boss")) == []
    with pytest.raises(IamError):
        find_escalation_paths(b.db, None, principal_arn=arn("user", "ghost"))


def test_shortest_path_through_a_key_and_a_role(tmp_path: Path) -> None:
    b = Builder(tmp_path)
    b.user("ops")  # named in the admin role's trust policy, so it must exist first (as in IAM)
    admin_role = b.role("Admin", trust({"AWS": arn("user", "ops")}), managed=(ADMIN,))
    intern = b.user("intern", doc(allow("iam:CreateAccessKey", arn("user", "ops"))))
    path = find_escalation_paths(b.db, None, principal_arn=intern)[0]
    assert [(s.technique, s.target.arn) for s in path.steps] == [
        ("create-access-key", arn("user", "ops")),
        ("assume-role", admin_role),
    ]
    assert path.to_json()["reaches"] == admin_role
    edges = {(e.source.name, e.target.name) for e in escalation_edges(b.db, None)}
    assert edges == {("intern", "ops"), ("ops", "Admin")}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Database:
    db = open_database(tmp_path_factory.mktemp("sample") / "s.sqlite")
    import_authorization_details(db, SAMPLE.read_bytes())
    return db


def test_the_sample_accounts_built_in_escalations(sample: Database) -> None:
    paths = {p.principal.arn: p for p in find_escalation_paths(sample, None)}
    first = {arn_: p.steps[0].technique for arn_, p in paths.items()}
    expected = {
        "privesc1-CreateNewPolicyVersion-user": "create-policy-version",
        "privesc3-CreateEC2WithExistingInstanceProfile-user": "pass-role-ec2",
        "privesc4-CreateAccessKey-user": "create-access-key",
        "privesc5-CreateLoginProfile-user": "create-login-profile",
        "privesc6-UpdateLoginProfile-user": "update-login-profile",
        "privesc7-AttachUserPolicy-user": "attach-user-policy",
        "privesc8-AttachGroupPolicy-user": "attach-group-policy",
        "privesc10-PutUserPolicy-user": "put-user-policy",
        "privesc11-PutGroupPolicy-user": "put-group-policy",
        "privesc14-UpdatingAssumeRolePolicy-user": "update-assume-role-policy",
        "privesc15-PassExistingRoleToNewLambdaThenInvoke-user": "pass-role-lambda",
        "privesc18-PassExistingRoleToNewGlueDevEndpoint-user": "pass-role-glue",
        "privesc20-PassExistingRoleToCloudFormation-user": "pass-role-cloudformation",
        "privesc-codeBuildCreateProjectPassRole-user": "pass-role-codebuild",
        "privesc-sageMakerCreateNotebookPassRole-user": "pass-role-sagemaker",
        "fn2-exploitableResourceConstraint-user": "create-policy-version",
        "fn4-exploitableNotAction-user": "put-user-policy",
    }
    for name, technique in expected.items():
        assert first[f"{S}:user/{name}"] == technique, name
    # The role chain the sample was built with: starting -> intermediate -> ending (admin).
    chain = paths[f"{S}:role/privesc-AssumeRole-starting-role"]
    assert [s.target.name for s in chain.steps] == [
        "privesc-AssumeRole-intermediate-role",
        "privesc-AssumeRole-ending-role",
    ]
    # An exploitable condition is reported with it; an impossible one (before 2020) is not.
    fn3 = paths[f"{S}:user/fn3-exploitableConditionConstraint-user"].steps[0]
    assert fn3.conditions == ("aws:TokenIssueTime is after 2020-01-01T00:00:01Z",)
    assert f"{S}:user/fp5-nonExploitableConditionConstraint-user" not in paths
    # Every step is backed by the statement that allowed it.
    assert all(step.statements for p in paths.values() for step in p.steps)


def test_privesc_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_path = tmp_path / "s.sqlite"
    with open_database(db_path) as db:
        import_authorization_details(db, SAMPLE.read_bytes())
    who = f"{S}:user/privesc15-PassExistingRoleToNewLambdaThenInvoke-user"
    assert main(["--db", str(db_path), "analyze", "privesc", "--principal", who]) == 0
    paths = json.loads(capsys.readouterr().out)["paths"]
    assert len(paths) == 1 and paths[0]["principal"] == who
    step = paths[0]["steps"][0]
    assert step["technique"] == "pass-role-lambda"
    assert step["to"] == f"{S}:role/privesc-high-priv-service-role"
    assert step["statements"][0]["policy"] == "privesc15-PassExistingRoleToNewLambdaThenInvoke"
