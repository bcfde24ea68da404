"""The analysis questions give identical answers on a model file and on the same model on a
PostgreSQL server: who-can, external access and privilege escalation, on the demo organization
(with two escalation paths added) and on a generated account, each copied to the server with
``iamdesk db copy``'s ``copy_model``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamdesk.analysis.external_access import find_external_access
from iamdesk.analysis.privesc import find_escalation_paths
from iamdesk.analysis.who_can import who_can
from iamdesk.services import attachments, inline_policies, policies, roles, users
from iamdesk.services.demo import write_demo
from iamdesk.services.importexport import import_authorization_details
from iamdesk.store.copy import copy_model
from iamdesk.store.db import Database, new_database, open_database
from tests.benchmarks.bench_accounts import generated_account

DEMO = "111122223333"


def _allow(actions: list[str], resource: str = "*") -> str:
    statement = {"Effect": "Allow", "Action": actions, "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _with_escalation_paths(db: Database) -> None:
    """A Lambda role with administrator rights, a developer who may pass it to a new function,
    and a user who may write its own inline policy."""
    admin = policies.create_policy(db, DEMO, "EverythingAllowed", _allow(["*"]))["Policy"]["Arn"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    roles.create_role(db, DEMO, "lambda-admin", json.dumps(trust))
    attachments.attach_policy(db, DEMO, "role", "lambda-admin", admin)
    users.create_user(db, DEMO, "dev-escalator")
    inline_policies.put_inline_policy(
        db,
        DEMO,
        "user",
        "dev-escalator",
        "deploy",
        _allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]),
    )
    users.create_user(db, DEMO, "self-granter")
    inline_policies.put_inline_policy(
        db,
        DEMO,
        "user",
        "self-granter",
        "own",
        _allow(["iam:PutUserPolicy"], f"arn:aws:iam::{DEMO}:user/self-granter"),
    )


def _demo(folder: Path) -> Path:
    path = write_demo(folder / "demo.sqlite")
    with open_database(path, create=False) as db:
        _with_escalation_paths(db)
    return path


def _generated(folder: Path) -> Path:
    path = folder / "generated.sqlite"
    with new_database(path) as db:
        import_authorization_details(db, json.dumps(generated_account(400, 200, 150)))
    return path


@pytest.fixture(scope="module", params=["demo", "generated"])
def both(request, tmp_path_factory, pg_cluster):
    """(file model, the same model on the server)."""
    folder = tmp_path_factory.mktemp(request.param)
    path = _demo(folder) if request.param == "demo" else _generated(folder)
    source = open_database(path, create=False)
    server = open_database(pg_cluster.url(pg_cluster.new_database()))
    copy_model(source, server)
    yield source, server
    source.close()
    server.close()


QUESTIONS = [
    ("s3:GetObject", "arn:aws:s3:::example-corp-shared-data/report.csv"),
    ("s3:GetObject", "arn:aws:s3:::team3-bucket/key"),
    ("iam:PassRole", f"arn:aws:iam::{DEMO}:role/lambda-admin"),
    ("ec2:DescribeInstances", f"arn:aws:ec2:us-east-1:{DEMO}:instance/i-team3"),
    ("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{DEMO}:table/team5-orders"),
    ("kms:Decrypt", "*"),
]


@pytest.mark.parametrize(("action", "resource"), QUESTIONS)
def test_who_can_answers_alike(both, action: str, resource: str) -> None:
    file, server = both
    answer = who_can(file, None, action, resource)
    assert who_can(server, None, action, resource) == answer


def test_external_access_findings_alike(both) -> None:
    file, server = both
    for zone in ("account", "organization"):
        found = find_external_access(file, None, zone)
        assert find_external_access(server, None, zone) == found
    if file.path is not None and file.path.name == "demo.sqlite":
        assert found  # the demo trusts other accounts: the comparison is not of two empty lists


def test_escalation_paths_alike(both) -> None:
    file, server = both
    found = find_escalation_paths(file, None)
    assert find_escalation_paths(server, None) == found
    if file.path is not None and file.path.name == "demo.sqlite":
        escalators = {path.principal.name for path in found}
        assert {"dev-escalator", "self-granter"} <= escalators


def test_who_can_finds_someone(both) -> None:
    """The questions above are not all answered by nobody."""
    file, _ = both
    assert any(who_can(file, None, action, resource) for action, resource in QUESTIONS)
