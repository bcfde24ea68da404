"""Actions paired with resources they can never apply to (ACTION_RESOURCE_MISMATCH)."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iamdesk.core.policy.applicability import (
    glob_overlap,
    overlap,
    policy_pattern,
    template_pattern,
)
from iamdesk.core.policy.document import PolicyKind
from iamdesk.core.policy.validation import validate_policy


def policy(action: Any, resource: Any, effect: str = "Allow") -> dict[str, Any]:
    statement = {"Effect": effect, "Action": action, "Resource": resource}
    return {"Version": "2012-10-17", "Statement": [statement]}


def mismatches(doc: dict[str, Any]) -> list[str]:
    text = json.dumps(doc, indent=4)
    lines = text.split("\n")
    found = []
    for f in validate_policy(text, PolicyKind.IDENTITY):
        if f.code == "ACTION_RESOURCE_MISMATCH":
            line = lines[f.span.start.line - 1]
            found.append(line[f.span.start.column - 1 : f.span.end.column - 1].strip('"'))
    return found


def test_list_bucket_on_objects_only_is_flagged() -> None:
    doc = policy(["s3:ListBucket", "s3:GetObject"], "arn:aws:s3:::reports/*")
    assert mismatches(doc) == ["s3:ListBucket"]


def test_object_action_on_a_bucket_arn_is_flagged_on_the_resource() -> None:
    doc = policy("s3:GetObject", ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"])
    assert mismatches(doc) == ["arn:aws:s3:::reports"]
    only_bucket = policy("s3:GetObject", "arn:aws:s3:::reports")
    assert set(mismatches(only_bucket)) == {"s3:GetObject", "arn:aws:s3:::reports"}


def test_matching_pairs_and_broad_patterns_pass() -> None:
    assert mismatches(policy("s3:ListBucket", "arn:aws:s3:::reports")) == []
    assert mismatches(policy("s3:GetObject", "arn:aws:s3:::*")) == []  # * spans "/"
    assert mismatches(policy("s3:Get*", "arn:aws:s3:::reports")) == []
    assert mismatches(policy("iam:PassRole", "arn:aws:iam::*:role/app-*")) == []
    assert mismatches(policy("s3:GetObject", "*")) == []
    assert mismatches(policy("s3:GetObject", "arn:aws:s3:::${aws:username}/*")) == []


def test_wrong_service_resource_is_flagged() -> None:
    doc = policy("dynamodb:GetItem", "arn:aws:s3:::table/orders")
    assert set(mismatches(doc)) == {"dynamodb:GetItem", "arn:aws:s3:::table/orders"}


def test_deny_statements_are_checked_too() -> None:
    doc = policy("s3:DeleteBucket", "arn:aws:s3:::reports/*", effect="Deny")
    assert "s3:DeleteBucket" in mismatches(doc)


def test_actions_without_resource_types_are_not_judged() -> None:
    # The reference lists no resource type for iam:ListRoles, yet IAM authorizes it against
    # role-path ARNs; saying "never applies" would be wrong.
    assert mismatches(policy("iam:ListRoles", "arn:aws:iam::*:role/team/*")) == []


def _brute(a: str, b: str) -> bool:
    """Is there a string over {x, y} matching both globs? A shortest common string is no
    longer than the two patterns together, so trying lengths up to that settles it."""

    def rx(p: str) -> re.Pattern[str]:
        return re.compile("".join(".*" if c == "*" else "." if c == "?" else c for c in p))

    ra, rb = rx(a), rx(b)
    for n in range(len(a) + len(b) + 1):
        for chars in itertools.product("xy", repeat=n):
            s = "".join(chars)
            if ra.fullmatch(s) and rb.fullmatch(s):
                return True
    return False


pattern = st.text(alphabet="xy*?", max_size=5)


@settings(max_examples=300, deadline=None)
@given(a=pattern, b=pattern)
def test_overlap_agrees_with_brute_force(a: str, b: str) -> None:
    assert glob_overlap(a, b) == _brute(a, b)


def test_template_placeholders() -> None:
    bucket = template_pattern("arn:${Partition}:s3:::${BucketName}")
    obj = template_pattern("arn:${Partition}:s3:::${BucketName}/${ObjectName}")
    role = template_pattern("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}")
    assert not overlap(bucket, policy_pattern("arn:aws:s3:::reports/*"))
    assert overlap(bucket, policy_pattern("arn:aws:s3:::rep*"))
    assert overlap(obj, policy_pattern("arn:aws:s3:::reports/2024/q1/*"))
    assert not overlap(obj, policy_pattern("arn:aws:s3:::reports"))
    assert overlap(role, policy_pattern("arn:aws:iam::111122223333:role/team/app"))
    assert not overlap(role, policy_pattern("arn:aws:iam::111122223333:user/app"))
    assert not overlap(role, policy_pattern("arn:aws:iam::1:2:role/app"))  # no ":" in account
    stream = template_pattern(
        "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${S}"
    )
    assert overlap(stream, policy_pattern("arn:aws:logs:*:*:log-group:/aws/rds/*"))


def test_a_star_action_covers_every_resource() -> None:
    doc = policy(["*", "s3:GetObject"], ["arn:aws:iam::111122223333:role/x", "arn:aws:s3:::b/k"])
    assert mismatches(doc) == []
    unknown = policy(["s3:GetObject", "s3:NoSuchAction"], "arn:aws:iam::111122223333:role/x")
    assert mismatches(unknown) == ["s3:GetObject"]  # the resource itself is not judged
