"""Managed policies, versions, attachments, inline policies and permissions boundaries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamdesk.services import attachments, inline_policies, policies, roles, users
from iamdesk.store.db import Database
from tests.services.store_fixtures import (
    ACCOUNT,
    ALLOW_S3,
    EC2_TRUST,
    error_of,
    make_db,
    table_counts,
)

READONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@pytest.fixture
def db(model_place: Path | str) -> Database:
    return make_db(model_place)


def _doc(action: str) -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
    }


def test_create_get_list_delete_policy(db: Database) -> None:
    policy = policies.create_policy(db, None, "S3Read", ALLOW_S3, path="/app/", description="d")[
        "Policy"
    ]
    assert policy["Arn"] == f"arn:aws:iam::{ACCOUNT}:policy/app/S3Read"
    assert policy["DefaultVersionId"] == "v1" and policy["AttachmentCount"] == 0
    got = policies.get_policy(db, None, policy["Arn"])["Policy"]
    assert got["Description"] == "d"
    assert error_of(policies.create_policy, db, None, "s3read", ALLOW_S3).message == (
        "A policy called s3read already exists. Duplicate names are not allowed."
    )
    local = policies.list_policies(db, None, scope="Local")["Policies"]
    assert [p["PolicyName"] for p in local] == ["S3Read"]
    version = policies.get_policy_version(db, None, policy["Arn"], "v1")["PolicyVersion"]
    assert version["Document"] == ALLOW_S3 and version["IsDefaultVersion"] is True
    policies.delete_policy(db, None, policy["Arn"])
    assert error_of(policies.get_policy, db, None, policy["Arn"]).message == (
        f"Policy {policy['Arn']} was not found."
    )


def test_policy_documents_are_checked(db: Database) -> None:
    before = table_counts(db)
    with_principal = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}],
    }
    err = error_of(policies.create_policy, db, None, "p", with_principal)
    assert (err.code, err.message) == (
        "MalformedPolicyDocument",
        "Policy document should not specify a principal.",
    )
    no_resource = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}
    err = error_of(policies.create_policy, db, None, "p", no_resource)
    assert err.message == "Policy statement must contain resources."
    huge = _doc("s3:GetObject")
    huge["Statement"][0]["Action"] = [f"s3:GetObject{i:04d}" for i in range(400)]  # type: ignore[index]
    err = error_of(policies.create_policy, db, None, "p", huge)
    assert (err.code, err.message) == ("LimitExceeded", "Cannot exceed quota for PolicySize: 6144")
    assert table_counts(db) == before


def test_size_counts_no_whitespace(db: Database) -> None:
    # 6,144 characters without whitespace fit even when the indented text is longer.
    doc = _doc("s3:GetObject")
    actions = [f"s3:A{i:05d}" for i in range(500)]
    doc["Statement"][0]["Action"] = actions  # type: ignore[index]
    text = json.dumps(doc, indent=8)
    compact = len(json.dumps(doc, separators=(",", ":")))
    assert compact <= 6144 < len(text)
    policies.create_policy(db, None, "Wide", text)


def test_versions_limit_default_and_delete(db: Database) -> None:
    arn = policies.create_policy(db, None, "P", _doc("s3:GetObject"))["Policy"]["Arn"]
    for i in range(2, 6):
        out = policies.create_policy_version(db, None, arn, _doc(f"s3:Get{i}"))["PolicyVersion"]
        assert out["VersionId"] == f"v{i}" and out["IsDefaultVersion"] is False
    before = table_counts(db)
    err = error_of(policies.create_policy_version, db, None, arn, _doc("s3:X"))
    assert err.code == "LimitExceeded" and "up to 5 versions" in err.message
    assert table_counts(db) == before
    err = error_of(policies.delete_policy_version, db, None, arn, "v1")
    assert (err.code, err.message) == (
        "DeleteConflict",
        "Cannot delete the default version of a policy.",
    )
    policies.set_default_policy_version(db, None, arn, "v3")
    assert policies.get_policy(db, None, arn)["Policy"]["DefaultVersionId"] == "v3"
    policies.delete_policy_version(db, None, arn, "v1")
    # Version numbers are never reused.
    assert (
        policies.create_policy_version(db, None, arn, _doc("s3:Y"))["PolicyVersion"]["VersionId"]
        == "v6"
    )
    listed = [v["VersionId"] for v in policies.list_policy_versions(db, None, arn)["Versions"]]
    assert listed == ["v6", "v5", "v4", "v3", "v2"]
    err = error_of(policies.delete_policy, db, None, arn)
    assert err.code == "DeleteConflict" and "more than one version" in err.message
    assert error_of(policies.get_policy_version, db, None, arn, "v1").code == "NoSuchEntity"
    assert error_of(policies.get_policy_version, db, None, arn, "one").code == "ValidationError"


def test_aws_managed_policies_are_attachable_but_unmodifiable(db: Database) -> None:
    users.create_user(db, None, "bob")
    attachments.attach_policy(db, None, "user", "bob", READONLY)
    listed = attachments.list_attached_policies(db, None, "user", "bob")["AttachedPolicies"]
    assert listed == [{"PolicyName": "ReadOnlyAccess", "PolicyArn": READONLY}]
    assert policies.get_policy(db, None, READONLY)["Policy"]["AttachmentCount"] == 1
    for call in (
        lambda: policies.create_policy_version(db, None, READONLY, ALLOW_S3),
        lambda: policies.delete_policy(db, None, READONLY),
        lambda: policies.set_default_policy_version(db, None, READONLY, "v1"),
    ):
        err = error_of(call)
        assert err.code == "UnmodifiableEntity"
    document = policies.default_document(db, None, READONLY)
    assert "Statement" in json.loads(document)
    missing = "arn:aws:iam::aws:policy/NoSuchPolicyAnywhere"
    err = error_of(attachments.attach_policy, db, None, "user", "bob", missing)
    assert err.message == f"Policy {missing} does not exist or is not attachable."
    assert len(policies.list_policies(db, None, scope="AWS")["Policies"]) > 1000


def test_attach_quota_and_detach(db: Database) -> None:
    roles.create_role(db, None, "r", EC2_TRUST)
    arns = [
        policies.create_policy(db, None, f"P{i}", _doc(f"s3:A{i}"))["Policy"]["Arn"]
        for i in range(11)
    ]
    for arn in arns[:10]:
        attachments.attach_policy(db, None, "role", "r", arn)
    attachments.attach_policy(db, None, "role", "r", arns[0])  # again: no change, no error
    before = table_counts(db)
    err = error_of(attachments.attach_policy, db, None, "role", "r", arns[10])
    assert (err.code, err.message) == (
        "LimitExceeded",
        "Cannot exceed quota for PoliciesPerRole: 10",
    )
    assert table_counts(db) == before
    attachments.detach_policy(db, None, "role", "r", arns[0])
    err = error_of(attachments.detach_policy, db, None, "role", "r", arns[0])
    assert (err.code, err.message) == ("NoSuchEntity", f"Policy {arns[0]} was not found.")
    entities = attachments.list_entities_for_policy(db, None, arns[1])
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["r"]
    assert entities["PolicyUsers"] == [] and entities["PolicyGroups"] == []
    assert error_of(policies.delete_policy, db, None, arns[1]).message == (
        "Cannot delete a policy attached to entities."
    )


def test_inline_policies_and_aggregate_quota(db: Database) -> None:
    users.create_user(db, None, "bob")
    inline_policies.put_inline_policy(db, None, "user", "bob", "one", ALLOW_S3)
    inline_policies.put_inline_policy(db, None, "user", "bob", "one", _doc("s3:PutObject"))
    got = inline_policies.get_inline_policy(db, None, "user", "bob", "one")
    assert got == {"UserName": "bob", "PolicyName": "one", "PolicyDocument": _doc("s3:PutObject")}
    big = _doc("s3:GetObject")
    big["Statement"][0]["Action"] = [f"s3:Get{i:04d}" for i in range(200)]  # type: ignore[index]
    before = table_counts(db)
    err = error_of(inline_policies.put_inline_policy, db, None, "user", "bob", "two", big)
    assert (err.code, err.message) == (
        "LimitExceeded",
        "Maximum policy size of 2048 bytes exceeded for user bob",
    )
    assert table_counts(db) == before
    # The same document fits a role's larger aggregate.
    roles.create_role(db, None, "r", EC2_TRUST)
    inline_policies.put_inline_policy(db, None, "role", "r", "two", big)
    assert inline_policies.list_inline_policies(db, None, "role", "r")["PolicyNames"] == ["two"]
    err = error_of(inline_policies.get_inline_policy, db, None, "user", "bob", "two")
    assert err.message == "The user policy with name two cannot be found."
    inline_policies.delete_inline_policy(db, None, "user", "bob", "one")
    assert inline_policies.list_inline_policies(db, None, "user", "bob")["PolicyNames"] == []


def test_permissions_boundaries(db: Database) -> None:
    arn = policies.create_policy(db, None, "Boundary", ALLOW_S3)["Policy"]["Arn"]
    users.create_user(db, None, "bob", permissions_boundary=arn)
    assert users.get_user(db, None, "bob")["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": arn,
    }
    roles.create_role(db, None, "r", EC2_TRUST)
    attachments.put_permissions_boundary(db, None, "role", "r", READONLY)
    assert roles.get_role(db, None, "r")["Role"]["PermissionsBoundary"][
        "PermissionsBoundaryArn"
    ] == (READONLY)
    assert policies.get_policy(db, None, arn)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    boundary_users = attachments.list_entities_for_policy(
        db, None, arn, policy_usage_filter="PermissionsBoundary"
    )["PolicyUsers"]
    assert [u["UserName"] for u in boundary_users] == ["bob"]
    assert error_of(policies.delete_policy, db, None, arn).code == "DeleteConflict"
    attachments.delete_permissions_boundary(db, None, "user", "bob")
    assert "PermissionsBoundary" not in users.get_user(db, None, "bob")["User"]
    policies.delete_policy(db, None, arn)
    missing = f"arn:aws:iam::{ACCOUNT}:policy/Nope"
    err = error_of(attachments.put_permissions_boundary, db, None, "user", "bob", missing)
    assert err.code == "NoSuchEntity"


def test_policies_of_another_account_are_invisible(db: Database) -> None:
    from sqlalchemy import insert

    from iamdesk.store.tables import Account

    with db.transaction() as session:
        session.execute(
            insert(Account), {"account_id": "111122223333", "create_date": "2026-01-01T00:00:00Z"}
        )
    arn = policies.create_policy(db, "111122223333", "Theirs", ALLOW_S3)["Policy"]["Arn"]
    users.create_user(db, None, "bob")
    assert error_of(attachments.attach_policy, db, None, "user", "bob", arn).code == "NoSuchEntity"
    assert policies.list_policies(db, None, scope="Local")["Policies"] == []


def test_list_policies_pages(db: Database) -> None:
    for name in ("b", "a", "c"):
        policies.create_policy(db, None, name, ALLOW_S3)
    first = policies.list_policies(db, None, scope="Local", max_items=2)
    assert [p["PolicyName"] for p in first["Policies"]] == ["a", "b"] and first["IsTruncated"]
    rest = policies.list_policies(db, None, scope="Local", max_items=2, marker=first["Marker"])
    assert [p["PolicyName"] for p in rest["Policies"]] == ["c"] and not rest["IsTruncated"]
    assert error_of(policies.list_policies, db, None, marker="zz").code == "InvalidInput"
    everything = policies.list_policies(db, None, scope="All")["Policies"]
    page = policies.list_policies(db, None, scope="All", max_items=1000)
    assert page["Policies"] == everything[:1000] and page["IsTruncated"]
