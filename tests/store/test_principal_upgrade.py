"""A model written before principals were entities: trust and resource policies naming a user or
role that no longer exists keep its ARN there (and so trust a namesake created later). Opening
it upgrades it (schema 6) to what AWS shows: the deleted entity's unique ID. Built here as such a
model is (the service delete, then the policies put back as they were, schema 5), opened and
checked through the CLI as a user would, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from iamdesk.cli.main import main
from iamdesk.services import resources, roles, users
from iamdesk.store.db import open_database
from iamdesk.store.server import server_url

ACCOUNT = "123456789012"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
GONE = f"arn:aws:iam::{ACCOUNT}:role/Gone"  # never in the model's change log
ELSEWHERE = "arn:aws:iam::999988887777:user/carol"  # an account the model does not hold


def _trust(*principals: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:PrincipalArn": BOB}}}]}, indent=2)  # fmt: skip


def _old_model(target: Path | str) -> str:
    """The model as an iamdesk before the change left it; bob's unique ID."""
    with open_database(target) as db:
        bob = users.create_user(db, ACCOUNT, "bob")["User"]["UserId"]
        roles.create_role(db, ACCOUNT, "Deploy", _trust(BOB, ELSEWHERE))
        bucket = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": BOB}, "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::reports/*"}]})  # fmt: skip
        resources.create_bucket(db, bucket="reports", account_id=ACCOUNT)
        resources.put_bucket_policy(db, bucket="reports", policy=bucket, account_id=ACCOUNT)
        users.delete_user(db, ACCOUNT, "bob")
    url = target if isinstance(target, str) else f"sqlite:///{target}"
    engine = create_engine(server_url(url) if isinstance(target, str) else url)
    with engine.begin() as conn:
        for table, column in (("iam_role", "assume_role_policy"), ("resource", "policy")):
            conn.execute(text(f"UPDATE {table} SET {column} = REPLACE({column}, :id, :arn)"),
                         {"id": bob, "arn": BOB})  # fmt: skip
        conn.execute(
            text("UPDATE iam_role SET assume_role_policy = REPLACE(assume_role_policy, :a, :b)"),
            {"a": f'"{ELSEWHERE}"', "b": f'"{ELSEWHERE}", "{GONE}"'},
        )
        conn.execute(text("UPDATE schema_version SET version = 5"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0005'"))
        trust = conn.execute(text("SELECT assume_role_policy FROM iam_role")).scalar_one()
    engine.dispose()
    assert json.loads(trust)["Statement"][0]["Principal"]["AWS"] == [BOB, ELSEWHERE, GONE]
    return bob


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_opening_an_old_model_names_deleted_principals_by_their_ids(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, capsys
) -> None:
    if backend == "sqlite":
        target: Path | str = tmp_path / "old.sqlite"
    else:
        cluster = request.getfixturevalue("pg_cluster")
        target = cluster.new_model()
    bob = _old_model(target)

    def cli(*args: str) -> dict:
        assert main(["--db", str(target), *args]) == 0
        return json.loads(capsys.readouterr().out)

    trust = cli("iam", "get-role", "--role-name", "Deploy")["Role"]["AssumeRolePolicyDocument"]
    statement = trust["Statement"][0]
    principals = statement["Principal"]["AWS"]
    assert principals[:2] == [bob, ELSEWHERE]  # the ID the change log kept; others as they were
    assert principals[2].startswith("AROA") and len(principals[2]) == 21  # a new role ID
    assert statement["Condition"]["StringEquals"]["aws:PrincipalArn"] == BOB  # conditions stay
    policy = json.loads(cli("s3api", "get-bucket-policy", "--bucket", "reports")["Policy"])
    assert policy["Statement"][0]["Principal"]["AWS"] == bob
    # The namesake created afterwards is not trusted: its own ID is another.
    assert cli("iam", "create-user", "--user-name", "bob")["User"]["UserId"] != bob
    result = cli("iam", "simulate-principal-policy", "--policy-source-arn", BOB,
                 "--action-names", "sts:AssumeRole",
                 "--resource-arns", f"arn:aws:iam::{ACCOUNT}:role/Deploy")  # fmt: skip
    assert result["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


OLD = "federated_session"
_FEDERATED_SESSION_5 = """CREATE TABLE federated_session_old (
    sts_session_pk INTEGER NOT NULL PRIMARY KEY REFERENCES sts_session (pk) ON DELETE CASCADE,
    kind VARCHAR NOT NULL, provider_arn VARCHAR NOT NULL, subject VARCHAR NOT NULL,
    audience VARCHAR NOT NULL, context VARCHAR NOT NULL)"""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_old_models_federated_session_gets_its_role_and_survives_replace(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, capsys
) -> None:
    """Schema 7: a web-identity session of a model from before keeps its provider through an
    import --replace of its account once the model is opened."""
    from iamdesk.services.demo import write_demo

    if backend == "sqlite":
        target: Path | str = write_demo(tmp_path / "demo.sqlite")
        engine = create_engine(f"sqlite:///{target}")
    else:
        cluster = request.getfixturevalue("pg_cluster")
        target = cluster.url(cluster.new_database())
        assert main(["db", "copy", str(write_demo(tmp_path / "demo.sqlite")), target]) == 0
        engine = create_engine(server_url(target))
    capsys.readouterr()
    with engine.begin() as conn:  # the table as schema 6 had it
        columns = "sts_session_pk, kind, provider_arn, subject, audience, context"
        conn.execute(text(_FEDERATED_SESSION_5))
        conn.execute(text(f"INSERT INTO federated_session_old SELECT {columns} FROM {OLD}"))
        conn.execute(text("DROP TABLE federated_session"))
        conn.execute(text("ALTER TABLE federated_session_old RENAME TO federated_session"))
        conn.execute(text("UPDATE schema_version SET version = 6"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    engine.dispose()
    production = "111122223333"
    session = f"arn:aws:sts::{production}:assumed-role/GitHubDeploy/website"
    provider = f"arn:aws:iam::{production}:oidc-provider/token.actions.githubusercontent.com"

    def cli(*args: str) -> dict:
        assert main(["--db", str(target), "--account-id", production, *args]) == 0
        return json.loads(capsys.readouterr().out)

    def ci_may_write() -> str:
        result = cli("iam", "simulate-principal-policy", "--policy-source-arn", session,
                     "--action-names", "s3:PutObject", "--resource-arns",
                     "arn:aws:s3:::ci-only/build.zip", "--context-entries",
                     "ContextKeyName=aws:RequestedRegion,ContextKeyValues=us-east-1,"
                     "ContextKeyType=string")  # fmt: skip
        return result["EvaluationResults"][0]["EvalDecision"]

    # A newer dump in which GitHubDeploy may write where only GitHub's sessions may.
    details = cli("iam", "get-account-authorization-details")
    role = next(r for r in details["RoleDetailList"] if r["RoleName"] == "GitHubDeploy")
    role["RolePolicyList"].append({"PolicyName": "ci-only", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::ci-only/*",
            "Condition": {"StringEquals": {"aws:FederatedProvider": provider}}}]}})  # fmt: skip
    newer = tmp_path / "production.json"
    newer.write_text(json.dumps(details), encoding="utf-8")
    assert ci_may_write() == "implicitDeny"
    assert main(["--db", str(target), "import", "--replace", str(newer)]) == 0
    capsys.readouterr()
    assert ci_may_write() == "allowed"
