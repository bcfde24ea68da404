"""The scenario and role-session services the panel stands on (services.scenarios,
services.role_sessions), on the demo organization."""

from __future__ import annotations

import pytest

from iamdesk.services.errors import IamError
from iamdesk.services.role_sessions import list_role_sessions
from iamdesk.services.scenarios import delete_scenario, list_scenarios, save_scenario


@pytest.fixture
def db(demo_context):
    return demo_context.database


def test_saving_replaces_a_scenario_of_the_same_name(db, demo_context):
    account = demo_context.account_id
    before = len(list_scenarios(db, account))
    arn = f"arn:aws:iam::{account}:user/bob"
    save_scenario(db, account, name="Bob reads", principal_arn=arn, action="s3:GetObject")
    saved = save_scenario(
        db,
        account,
        name="Bob reads",
        principal_arn=arn,
        action="s3:ListBucket",
        context={"aws:SourceIp": "10.0.0.1"},
        expected="allowed",
    )
    assert saved["Action"] == "s3:ListBucket" and saved["Context"] == {"aws:SourceIp": "10.0.0.1"}
    assert len(list_scenarios(db, account)) == before + 1
    delete_scenario(db, account, "Bob reads")
    assert len(list_scenarios(db, account)) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": " "}, "Scenario name"),
        ({"expected": "maybe"}, "Expected decision"),
        ({"action": "GetObject"}, "service:Action"),
    ],
)
def test_bad_scenarios_are_refused_and_nothing_is_saved(db, demo_context, changes, message):
    account = demo_context.account_id
    before = list_scenarios(db, account)
    fields = {
        "name": "ok",
        "principal_arn": f"arn:aws:iam::{account}:user/bob",
        "action": "s3:GetObject",
        **changes,
    }
    with pytest.raises(IamError) as raised:
        save_scenario(db, account, **fields)
    assert raised.value.code == "ValidationError" and message in raised.value.message
    assert list_scenarios(db, account) == before


def test_deleting_a_missing_scenario_says_which(db, demo_context):
    with pytest.raises(IamError) as raised:
        delete_scenario(db, demo_context.account_id, "nope")
    assert raised.value.code == "NoSuchEntity" and "nope" in raised.value.message


def test_role_sessions_are_listed_per_account(db, demo_context):
    sessions = list_role_sessions(db, demo_context.account_id)
    # newest first: the GitHub Actions run (web identity), then alice's MFA session
    assert [s["SessionName"] for s in sessions] == ["website", "alice-deploy"]
    assert sessions[1]["MfaAuthenticated"] and sessions[1]["HasSessionPolicy"]
    assert sessions[0]["CallerArn"].endswith(":oidc-provider/token.actions.githubusercontent.com")
    assert list_role_sessions(db, "444455556666") == []
