"""Redundancy findings are sound: removing what is called redundant never changes access."""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iamdesk.core import catalog
from iamdesk.core.policy.validation import validate_policy

ACTIONS = [
    "*",
    "s3:*",
    "s3:Get*",
    "s3:GetObject",
    "s3:GetObject*",
    "s3:getobject",
    "s3:GetObjectAcl",
    "s3:List*",
    "s3:ListBucket",
    "iam:Get*",
    "iam:GetRole",
    "iam:*Role",
]
RESOURCES = [
    "*",
    "arn:aws:s3:::b",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b/k",
    "arn:aws:s3:::b*",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:iam::111122223333:role/*",
]


def names(entries: list[str]) -> frozenset[str]:
    found: set[str] = set()
    for entry in entries:
        found.update(a.lower() for a in catalog.expand_action(entry))
    return frozenset(found)


def flagged(doc: dict[str, Any], code: str) -> list[tuple[int, int]]:
    text = json.dumps(doc, indent=4)
    return [
        (f.span.start.line, f.span.start.column) for f in validate_policy(text) if f.code == code
    ]


def positions(doc: dict[str, Any], element: str) -> list[tuple[int, int]]:
    """Where each entry of the first statement's element starts in the indented text."""
    text = json.dumps(doc, indent=4)
    lines = text.split("\n")
    entries = doc["Statement"][0][element]
    found = []
    start = next(i for i, line in enumerate(lines) if f'"{element}": [' in line)
    for offset, entry in enumerate(entries, 1):
        line = lines[start + offset]
        found.append((start + offset + 1, line.index(json.dumps(entry)) + 1))
    return found


@settings(max_examples=60, deadline=None)
@given(entries=st.lists(st.sampled_from(ACTIONS), min_size=2, max_size=5))
def test_removing_a_redundant_action_keeps_access(entries: list[str]) -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": entries, "Resource": "*"}],
    }
    where = positions(doc, "Action")
    redundant = {where.index(p) for p in flagged(doc, "REDUNDANT_ACTION")}
    kept = [e for i, e in enumerate(entries) if i not in redundant]
    assert kept, "everything cannot be redundant"
    if "*" in entries:
        assert "*" in kept
    else:
        assert names(kept) == names(entries)


@settings(max_examples=60, deadline=None)
@given(entries=st.lists(st.sampled_from(RESOURCES), min_size=2, max_size=5))
def test_a_redundant_resource_is_covered_by_a_kept_one(entries: list[str]) -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": entries}],
    }
    where = positions(doc, "Resource")
    redundant = {where.index(p) for p in flagged(doc, "REDUNDANT_RESOURCE")}
    kept = [e for i, e in enumerate(entries) if i not in redundant]
    assert kept
    probes = ["arn:aws:s3:::b", "arn:aws:s3:::b/k", "arn:aws:s3:::bz/q", "other"]
    probes += ["arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/x"]

    def matches(patterns: list[str], probe: str) -> bool:
        return any(fnmatch.fnmatchcase(probe, p) for p in patterns)

    for probe in probes:
        assert matches(kept, probe) == matches(entries, probe), probe
