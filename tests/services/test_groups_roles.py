"""Groups, membership, roles, trust policies and instance profiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamdesk.services import attachments, groups, inline_policies, instance_profiles, roles, users
from iamdesk.store.db import Database
from tests.services.store_fixtures import (
    ACCOUNT,
    ALLOW_S3,
    EC2_TRUST,
    error_of,
    make_db,
    table_counts,
)


@pytest.fixture
def db(model_place: Path | str) -> Database:
    return make_db(model_place)


def test_group_lifecycle(db: Database) -> None:
    group = groups.create_group(db, None, "Devs", path="/team/")["Group"]
    assert group["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/team/Devs"
    assert group["GroupId"].startswith("AGPA") and len(group["GroupId"]) == 21
    err = error_of(groups.create_group, db, None, "devs")
    assert err.message == "Group with name devs already exists."
    users.create_user(db, None, "bob")
    groups.add_user_to_group(db, None, "devs", "bob")
    groups.add_user_to_group(db, None, "devs", "bob")  # already a member: no error, no duplicate
    assert [u["UserName"] for u in groups.get_group(db, None, "devs")["Users"]] == ["bob"]
    groups.update_group(db, None, "devs", new_group_name="Engineers")
    assert groups.list_groups_for_user(db, None, "bob")["Groups"][0]["GroupName"] == "Engineers"
    err = error_of(groups.delete_group, db, None, "engineers")
    assert err.message == "Cannot delete entity, must remove users from group first."
    groups.remove_user_from_group(db, None, "engineers", "bob")
    assert error_of(groups.remove_user_from_group, db, None, "engineers", "bob").code == (
        "NoSuchEntity"
    )
    groups.delete_group(db, None, "engineers")
    assert error_of(groups.get_group, db, None, "engineers").message == (
        "The group with name engineers cannot be found."
    )


def test_group_conflicts_for_policies(db: Database) -> None:
    groups.create_group(db, None, "g")
    inline_policies.put_inline_policy(db, None, "group", "g", "p", ALLOW_S3)
    assert "must delete policies first" in error_of(groups.delete_group, db, None, "g").message
    inline_policies.delete_inline_policy(db, None, "group", "g", "p")
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    attachments.attach_policy(db, None, "group", "g", arn)
    assert "must detach all policies first" in error_of(groups.delete_group, db, None, "g").message


def test_ten_groups_per_user(db: Database) -> None:
    users.create_user(db, None, "bob")
    for i in range(11):
        groups.create_group(db, None, f"g{i}")
    for i in range(10):
        groups.add_user_to_group(db, None, f"g{i}", "bob")
    before = table_counts(db)
    err = error_of(groups.add_user_to_group, db, None, "g10", "bob")
    assert (err.code, err.message) == ("LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10")
    assert table_counts(db) == before


def test_role_lifecycle_and_trust_policy(db: Database) -> None:
    role = roles.create_role(
        db, None, "web", EC2_TRUST, description="Web servers", max_session_duration=7200
    )["Role"]
    assert role["RoleId"].startswith("AROA")
    assert role["AssumeRolePolicyDocument"] == EC2_TRUST
    assert role["MaxSessionDuration"] == 7200
    got = roles.get_role(db, None, "WEB")["Role"]
    assert got["RoleLastUsed"] == {} and got["Description"] == "Web servers"
    roles.update_role(db, None, "web", max_session_duration=43200)
    assert roles.get_role(db, None, "web")["Role"]["MaxSessionDuration"] == 43200
    updated = roles.update_role_description(db, None, "web", "Front end")["Role"]
    assert updated["Description"] == "Front end"
    lambda_trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    roles.update_assume_role_policy(db, None, "web", lambda_trust)
    assert roles.list_roles(db, None)["Roles"][0]["AssumeRolePolicyDocument"] == lambda_trust
    roles.delete_role(db, None, "web")
    assert error_of(roles.get_role, db, None, "web").message == (
        "The role with name web cannot be found."
    )


@pytest.mark.parametrize(
    ("document", "code", "fragment"),
    [
        ("{not json", "MalformedPolicyDocument", ""),
        (ALLOW_S3, "MalformedPolicyDocument", "Principal"),
        (
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "*"},
                        "Action": "sts:AssumeRole",
                        "Resource": "*",
                    }
                ],
            },
            "MalformedPolicyDocument",
            "Resource",
        ),
        (
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": [f"arn:aws:iam::{i:012d}:root" for i in range(60)]},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "LimitExceeded",
            "ACLSizePerRole: 2048",
        ),
    ],
    ids=["syntax", "no-principal", "resource", "too-big"],
)
def test_bad_trust_policies_change_nothing(
    db: Database, document: object, code: str, fragment: str
) -> None:
    before = table_counts(db)
    err = error_of(roles.create_role, db, None, "r", document)
    assert err.code == code and fragment in err.message
    assert table_counts(db) == before


@pytest.mark.parametrize("duration", [3599, 43201])
def test_session_duration_bounds(db: Database, duration: int) -> None:
    err = error_of(roles.create_role, db, None, "r", EC2_TRUST, max_session_duration=duration)
    assert err.code == "ValidationError" and "maxSessionDuration" in err.message


def test_instance_profiles(db: Database) -> None:
    roles.create_role(db, None, "web", EC2_TRUST)
    roles.create_role(db, None, "other", EC2_TRUST)
    profile = instance_profiles.create_instance_profile(db, None, "web-profile")["InstanceProfile"]
    assert profile["InstanceProfileId"].startswith("AIPA") and profile["Roles"] == []
    instance_profiles.add_role_to_instance_profile(db, None, "web-profile", "web")
    err = error_of(instance_profiles.add_role_to_instance_profile, db, None, "web-profile", "other")
    assert err.code == "LimitExceeded"
    listed = instance_profiles.list_instance_profiles_for_role(db, None, "web")
    assert [p["InstanceProfileName"] for p in listed["InstanceProfiles"]] == ["web-profile"]
    assert error_of(roles.delete_role, db, None, "web").message == (
        "Cannot delete entity, must remove roles from instance profile first."
    )
    assert error_of(instance_profiles.delete_instance_profile, db, None, "web-profile").code == (
        "DeleteConflict"
    )
    instance_profiles.remove_role_from_instance_profile(db, None, "web-profile", "web")
    instance_profiles.delete_instance_profile(db, None, "web-profile")
    roles.delete_role(db, None, "web")
    err = error_of(instance_profiles.get_instance_profile, db, None, "web-profile")
    assert err.message == "Instance Profile web-profile cannot be found."


def test_role_delete_conflicts(db: Database) -> None:
    roles.create_role(db, None, "r", EC2_TRUST)
    inline_policies.put_inline_policy(db, None, "role", "r", "p", ALLOW_S3)
    assert "must delete policies first" in error_of(roles.delete_role, db, None, "r").message
    inline_policies.delete_inline_policy(db, None, "role", "r", "p")
    attachments.attach_policy(db, None, "role", "r", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert "must detach all policies first" in error_of(roles.delete_role, db, None, "r").message
