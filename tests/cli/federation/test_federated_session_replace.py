"""A web-identity session keeps its provider across ``iamdesk import --replace`` of its account
(and the import's undo), as role sessions keep their role: run as a user would."""

from __future__ import annotations

import json
from pathlib import Path

from iamdesk.services.refresh import import_file, restore
from iamdesk.store.db import open_database
from tests.cli.federation.fixtures import ACCOUNT, GITHUB, GITHUB_ARN, ROLE, github_token, ok

SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/gh-deploy/ci"
# Only sessions that came through GitHub's provider may write: the condition tests the link.
FROM_GITHUB = {
    "PolicyName": "ci-writes",
    "PolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*",
            "Condition": {"StringEquals": {"aws:FederatedProvider": GITHUB_ARN}},
        }],
    },
}  # fmt: skip


def _writes(cli) -> str:
    out = ok(cli, "iam", "simulate-principal-policy", "--policy-source-arn", SESSION,
             "--action-names", "s3:PutObject")  # fmt: skip
    return out["EvaluationResults"][0]["EvalDecision"]


def test_a_web_identity_session_survives_replacing_its_account(github, tmp_path: Path) -> None:
    cli = github
    token = github_token("repo:octo-org/octo-repo:ref:refs/heads/main")
    ok(cli, "sts", "assume-role-with-web-identity", "--role-arn", ROLE, "--role-session-name",
       "ci", "--web-identity-token", token)  # fmt: skip
    details = ok(cli, "iam", "get-account-authorization-details")
    (role,) = details["RoleDetailList"]
    role["RolePolicyList"] = [FROM_GITHUB]  # the newer dump adds a policy to the role
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(details), encoding="utf-8")
    assert _writes(cli) == "implicitDeny"

    code, _, err = cli("import", "--replace", str(newer))
    assert code == 0, err
    assert _writes(cli) == "allowed"  # still GitHub's session, with the role's new policy
    code, out, _ = cli("sts", "get-caller-identity", "--caller-arn", SESSION, "--query", "Arn")
    assert (code, json.loads(out)) == (0, SESSION)

    # The same through the app's path, undone and redone: the link is part of the snapshot.
    db = open_database(cli.db)
    try:
        outcome = import_file(db, newer.read_text(encoding="utf-8"), replace=True)
        restore(db, outcome.before)
        restore(db, outcome.after)
    finally:
        db.close()
    assert _writes(cli) == "allowed"
    assert GITHUB in ok(cli, "iam", "list-open-id-connect-providers", "--query",
                        "OpenIDConnectProviderList[0].Arn")  # fmt: skip
