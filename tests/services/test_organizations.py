"""The organization: root, OUs, accounts, SCPs and RCPs, and the levels the simulator reads."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from iamdesk.services import organizations as orgs
from iamdesk.services.errors import IamError
from iamdesk.services.organizations import removal
from iamdesk.store.db import Database, open_database

MGMT = "123456789012"
DENY_LEAVE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
        ],
    }
)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "org.sqlite", rng=random.Random(7))


def _code(call, **kwargs) -> str:
    with pytest.raises(IamError) as caught:
        call(**kwargs)
    return caught.value.code


def test_create_organization_attaches_full_aws_access_at_the_root(db: Database) -> None:
    org = orgs.create_organization(db)["Organization"]
    assert org["Id"].startswith("o-") and len(org["Id"]) == 12
    assert org["MasterAccountId"] == MGMT
    root = orgs.list_roots(db)["Roots"][0]
    assert root["Id"].startswith("r-") and root["Name"] == "Root"
    attached = orgs.list_policies_for_target(db, target_id=root["Id"], policy_filter=orgs.SCP)[
        "Policies"
    ]
    assert [p["Name"] for p in attached] == ["FullAWSAccess"]
    assert attached[0]["AwsManaged"] is True
    assert _code(orgs.create_organization, db=db) == "AlreadyInOrganizationException"


def test_accounts_and_ous_form_the_scp_path(db: Database) -> None:
    orgs.create_organization(db)
    root = orgs.list_roots(db)["Roots"][0]["Id"]
    ou = orgs.create_organizational_unit(db, parent_id=root, name="Workloads")["OrganizationalUnit"]
    assert ou["Id"].startswith(f"ou-{root[2:]}-")
    status = orgs.create_account(
        db, email="prod@example.com", account_name="Production", new_account_id="111122223333"
    )["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED" and status["AccountId"] == "111122223333"
    orgs.move_account(
        db, member_account_id="111122223333", source_parent_id=root, destination_parent_id=ou["Id"]
    )
    scp = orgs.create_policy(
        db, name="DenyLeave", policy_type=orgs.SCP, content=DENY_LEAVE, description="no leaving"
    )["Policy"]["PolicySummary"]
    orgs.attach_policy(db, policy_id=scp["Id"], target_id=ou["Id"])
    assert _code(orgs.attach_policy, db=db, policy_id=scp["Id"], target_id=ou["Id"]) == (
        "DuplicatePolicyAttachmentException"
    )
    with db.read() as session:
        levels = orgs.policy_levels(session, "111122223333", orgs.SCP)
        assert [[p.name for p in level] for level in levels] == [
            ["FullAWSAccess"],
            ["FullAWSAccess", "DenyLeave"],
            ["FullAWSAccess"],
        ]
        assert orgs.policy_levels(session, MGMT, orgs.SCP) == []  # management account is exempt
    names = {a["Id"]: a["Name"] for a in orgs.list_accounts(db)["Accounts"]}
    assert names["111122223333"] == "Production"
    units = orgs.list_organizational_units_for_parent(db, parent_id=root)["OrganizationalUnits"]
    assert [u["Name"] for u in units] == ["Workloads"]
    orgs.detach_policy(db, policy_id=scp["Id"], target_id=ou["Id"])
    assert _code(
        orgs.detach_policy, db=db, policy_id=orgs.FULL_AWS_ACCESS_ID, target_id=ou["Id"]
    ) == ("ConstraintViolationException")


def test_bad_policies_and_targets_change_nothing(db: Database) -> None:
    orgs.create_organization(db)
    assert (
        _code(orgs.create_policy, db=db, name="x", policy_type=orgs.SCP, content="{not json")
        == "MalformedPolicyDocumentException"
    )
    with_principal = json.dumps(
        {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}
    )
    assert (
        _code(orgs.create_policy, db=db, name="x", policy_type=orgs.SCP, content=with_principal)
        == "MalformedPolicyDocumentException"
    )
    assert (
        _code(orgs.attach_policy, db=db, policy_id="p-nothere1", target_id="r-0000")
        == "PolicyNotFoundException"
    )
    assert (
        _code(orgs.attach_policy, db=db, policy_id=orgs.FULL_AWS_ACCESS_ID, target_id="ou-x-y")
        == "TargetNotFoundException"
    )
    assert orgs.list_policies(db, policy_filter=orgs.SCP)["Policies"][0]["Name"] == "FullAWSAccess"
    assert len(orgs.list_policies(db, policy_filter=orgs.SCP)["Policies"]) == 1


def test_members_cannot_change_the_organization_and_outsiders_are_told(db: Database) -> None:
    assert _code(orgs.list_accounts, db=db) == "AWSOrganizationsNotInUseException"
    orgs.create_organization(db)
    orgs.create_account(
        db, email="dev@example.com", account_name="Dev", new_account_id="444455556666"
    )
    root = orgs.list_roots(db)["Roots"][0]["Id"]
    assert (
        _code(
            orgs.create_organizational_unit,
            db=db,
            parent_id=root,
            name="x",
            account_id="444455556666",
        )
        == "AccessDeniedException"
    )
    assert orgs.list_roots(db, account_id="444455556666")["Roots"][0]["Id"] == root


def test_a_move_to_where_the_account_is_and_a_long_policy_name_are_refused(db: Database) -> None:
    """The rules the Organization view's forms show as the user types are the services' own:
    the command line and the app refuse alike, and nothing changes."""
    orgs.create_organization(db)
    root = orgs.list_roots(db)["Roots"][0]["Id"]
    orgs.create_account(
        db, email="prod@example.com", account_name="Production", new_account_id="111122223333"
    )
    with pytest.raises(IamError) as caught:
        orgs.move_account(
            db, member_account_id="111122223333", source_parent_id=root, destination_parent_id=root
        )
    assert caught.value.code == "DuplicateAccountException"
    assert caught.value.message == "That account is already present in the specified destination."
    long_name = "N" * 129
    with pytest.raises(IamError) as caught:
        orgs.create_policy(db, name=long_name, policy_type=orgs.SCP, content=DENY_LEAVE)
    assert caught.value.code == "InvalidInputException"
    assert "1 to 128 characters" in caught.value.message
    made = orgs.create_policy(db, name="N" * 128, policy_type=orgs.SCP, content=DENY_LEAVE)
    policy_id = made["Policy"]["PolicySummary"]["Id"]
    assert _code(orgs.update_policy, db=db, policy_id=policy_id, name=long_name) == (
        "InvalidInputException"
    )
    assert orgs.describe_policy(db, policy_id=policy_id)["Policy"]["PolicySummary"]["Name"] == (
        "N" * 128
    )
    names = [p["Name"] for p in orgs.list_policies(db, policy_filter=orgs.SCP)["Policies"]]
    assert long_name not in names


def test_an_account_created_in_an_ou_is_there_at_once(db: Database) -> None:
    """The app's create-in-an-OU: CreateAccount and MoveAccount as one transaction."""
    orgs.create_organization(db)
    root = orgs.list_roots(db)["Roots"][0]["Id"]
    ou = orgs.create_organizational_unit(db, parent_id=root, name="Workloads")["OrganizationalUnit"]
    status = orgs.create_account_in_parent(
        db, email="dev@example.com", account_name="Dev", parent_id=ou["Id"],
        new_account_id="444455556666",
    )["CreateAccountStatus"]  # fmt: skip
    assert status["State"] == "SUCCEEDED" and status["AccountId"] == "444455556666"
    assert removal.account_state(db, member_account_id="444455556666")["parent_id"] == ou["Id"]
    attached = orgs.list_policies_for_target(db, target_id="444455556666", policy_filter=orgs.SCP)
    assert [p["Name"] for p in attached["Policies"]] == ["FullAWSAccess"]
    # At the root: no move to make (MoveAccount would refuse one to where it is).
    orgs.create_account_in_parent(
        db, email="ops@example.com", account_name="Ops", parent_id=root,
        new_account_id="777788889999",
    )  # fmt: skip
    assert removal.account_state(db, member_account_id="777788889999")["parent_id"] == root


def test_a_refused_move_creates_no_account(db: Database) -> None:
    """AWS would leave the account at the root when the MoveAccount after CreateAccount fails;
    the one operation leaves nothing: no new account, and a standalone account it would have
    enrolled stays standalone."""
    orgs.create_organization(db)
    root = orgs.list_roots(db)["Roots"][0]["Id"]
    missing = f"ou-{root[2:]}-nosuchou"
    before = orgs.list_accounts(db)["Accounts"]
    assert _code(
        orgs.create_account_in_parent, db=db, email="dev@example.com", account_name="Dev",
        parent_id=missing, new_account_id="444455556666",
    ) == "ParentNotFoundException"  # fmt: skip
    assert orgs.list_accounts(db)["Accounts"] == before
    assert removal.account_state(db, member_account_id="444455556666") is None
    assert _code(
        orgs.create_account_in_parent, db=db, email="dev@example.com", account_name="Dev",
        parent_id=missing,
    ) == "ParentNotFoundException"  # fmt: skip
    assert orgs.list_accounts(db)["Accounts"] == before

    # A modelled account outside any organization is enrolled by CreateAccount: not when the
    # move is refused.
    from iamdesk.store.tables import Account

    with db.transaction() as session:  # as an import of that account's details leaves it
        session.add(Account(account_id="555566667777", create_date=db.now()))
    standalone = removal.account_state(db, member_account_id="555566667777")
    assert _code(
        orgs.create_account_in_parent, db=db, email="sa@example.com", account_name="Standalone",
        parent_id=missing, new_account_id="555566667777",
    ) == "ParentNotFoundException"  # fmt: skip
    assert removal.account_state(db, member_account_id="555566667777") == standalone
    assert orgs.list_accounts(db)["Accounts"] == before
