from __future__ import annotations

import pytest

from iamdesk.core.arn import (
    ArnError,
    arn_condition_matcher,
    glob_matcher,
    parse_arn,
    resource_matcher,
)


def test_parse_keeps_colons_in_the_resource_part() -> None:
    arn = parse_arn("arn:aws:logs:us-east-1:111122223333:log-group:/app:*")
    assert (arn.service, arn.region, arn.account) == ("logs", "us-east-1", "111122223333")
    assert arn.resource == "log-group:/app:*"
    assert arn.resource_type == "log-group"
    assert str(arn) == "arn:aws:logs:us-east-1:111122223333:log-group:/app:*"


@pytest.mark.parametrize("text", ["", "arn:aws", "urn:aws:s3:::b", "arn::s3:::b", "s3:::bucket"])
def test_parse_rejects_non_arns(text: str) -> None:
    with pytest.raises(ArnError):
        parse_arn(text)


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*", "anything", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c", True),  # * spans / and :
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
        ("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x", False),  # resource part: case matters
        ("arn:aws:S3:::bucket/x", "arn:aws:s3:::bucket/x", True),  # service: case-insensitive
        ("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", True),
        ("arn:aws:ec2:us-*:*:instance/*", "arn:aws:ec2:eu-west-1:1:instance/i-1", False),
        ("arn:aws:iam::*:user/a?c", "arn:aws:iam::1:user/abc", True),
        ("arn:aws:iam::*:user/a?c", "arn:aws:iam::1:user/abbc", False),
        ("arn:aws:s3:::b*", "arn:aws:s3:::b", True),
        ("arn:aws:s3:::exact", "arn:aws:s3:::exact", True),
        ("arn:aws:s3:::exact", "arn:aws:s3:::exactly", False),
    ],
)
def test_resource_matching(pattern: str, value: str, expected: bool) -> None:
    assert resource_matcher(pattern)(value) is expected


def test_region_wildcard_does_not_cross_colons() -> None:
    # "*" in the region segment must not swallow the account segment.
    pattern = resource_matcher("arn:aws:ec2:*:1:instance/i-1")
    assert pattern("arn:aws:ec2:us-east-1:1:instance/i-1")
    assert not pattern("arn:aws:ec2:us-east-1:x:1:instance/i-1")


def test_arn_condition_matching_is_case_sensitive_everywhere() -> None:
    m = arn_condition_matcher("arn:aws:iam::*:role/Admin*")
    assert m("arn:aws:iam::111122223333:role/AdminRole")
    assert not m("arn:aws:iam::111122223333:role/adminrole")
    assert not m("not-an-arn")


def test_glob_matcher_ignore_case() -> None:
    assert glob_matcher("s3:get*", True)("S3:GetObject")
    assert not glob_matcher("s3:get*")("s3:GetObject")
