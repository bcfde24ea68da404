"""get-account-summary reads every count in one statement: each agrees with what the list
operations show for that account (the demo organization's three accounts, the default account
when none is named), and an unknown account is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamdesk.services import (
    account,
    attachments,
    groups,
    instance_profiles,
    mfa,
    policies,
    roles,
    server_certificates,
    sts_preferences,
    users,
)
from iamdesk.services.demo import write_demo
from iamdesk.services.errors import IamError
from iamdesk.services.queries.accounts import list_accounts
from iamdesk.store.db import Database, open_database

MANY = 1000  # IAM's largest page; the demo's lists are shorter


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Database:
    path = write_demo(tmp_path_factory.mktemp("summary") / "demo.sqlite")
    database = open_database(path)
    yield database
    database.close()


def _listed(db: Database, account_id: str) -> dict[str, int]:
    """The summary's counts, from the list operations a user would run."""
    user_names = [u["UserName"] for u in users.list_users(db, account_id, max_items=MANY)["Users"]]
    listed_groups = groups.list_groups(db, account_id, max_items=MANY)["Groups"]
    group_names = [g["GroupName"] for g in listed_groups]
    role_names = [r["RoleName"] for r in roles.list_roles(db, account_id, max_items=MANY)["Roles"]]
    attached = sum(
        len(attachments.list_attached_policies(db, account_id, kind, name)["AttachedPolicies"])
        for kind, names in (("user", user_names), ("group", group_names), ("role", role_names))
        for name in names
    )
    devices = mfa.list_virtual_mfa_devices(db, account_id)["VirtualMFADevices"]
    local = policies.list_policies(db, account_id, scope="Local", max_items=MANY)["Policies"]
    profiles = instance_profiles.list_instance_profiles(db, account_id)["InstanceProfiles"]
    certificates = server_certificates.list_server_certificates(db, account_id, max_items=MANY)
    return {
        "Users": len(user_names),
        "Groups": len(group_names),
        "Roles": len(role_names),
        "Policies": len(local),
        "InstanceProfiles": len(profiles),
        "MFADevices": len(devices),
        "MFADevicesInUse": sum(1 for d in devices if "User" in d),
        "PolicyVersionsInUse": attached,
        "ServerCertificates": len(certificates["ServerCertificateMetadataList"]),
    }


def test_every_count_agrees_with_the_lists_in_each_account(demo: Database) -> None:
    ids = [a["AccountId"] for a in list_accounts(demo)]
    assert len(ids) >= 2
    seen = set()
    for account_id in ids:
        summary = account.get_account_summary(demo, account_id)["SummaryMap"]
        listed = _listed(demo, account_id)
        assert {key: summary[key] for key in listed} == listed
        assert summary["UsersQuota"] == 5000 and summary["GlobalEndpointTokenVersion"] == 1
        seen.add(tuple(listed.values()))
    assert len(seen) == len(ids)  # the accounts differ: each count is the account's own


def test_no_account_named_is_the_default_account(demo: Database) -> None:
    default = demo.default_account_id()
    assert account.get_account_summary(demo, None) == account.get_account_summary(demo, default)


def test_token_version_and_unknown_account(tmp_path: Path) -> None:
    with open_database(tmp_path / "model.iamdesk") as db:
        sts_preferences.set_security_token_service_preferences(db, None, "v2Token")
        assert (
            account.get_account_summary(db, None)["SummaryMap"]["GlobalEndpointTokenVersion"] == 2
        )
        with pytest.raises(IamError) as raised:
            account.get_account_summary(db, "999999999999")
    assert raised.value.code == "NoSuchEntity"
    assert raised.value.message == "The account with id 999999999999 cannot be found."
