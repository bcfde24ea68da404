"""Fuzz: mutated policies never make the parser raise anything but ``PolicyParseError``, and
never make the validator raise at all (a broken document yields findings).

Seeded, so a failure reproduces; thousands of documents from text-level mutations (typing
mistakes, truncation) and structure-level ones (any element replaced by any JSON value), plus
a hypothesis search over arbitrary JSON documents.
"""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iamdesk.core.policy.document import PolicyKind, PolicyParseError
from iamdesk.core.policy.findings import Finding
from iamdesk.core.policy.parser import parse_policy
from iamdesk.core.policy.validation import validate_policy

SEEDS: list[dict[str, Any]] = [
    {
        "Version": "2012-10-17",
        "Id": "seed",
        "Statement": [
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:List*"],
                "Resource": ["arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:s3:::bucket"],
                "Condition": {
                    "StringLike": {"s3:prefix": ["home/${aws:username}/*"]},
                    "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                    "Bool": {"aws:MultiFactorAuthPresent": "true"},
                },
            },
            {
                "Effect": "Deny",
                "NotAction": "iam:*",
                "NotResource": "arn:aws:iam::111122223333:role/*",
                "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}},
            },
        ],
    },
    {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:root"]},
            "NotPrincipal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}},
        },
    },
]
KINDS = list(PolicyKind)
ALPHABET = '{}[]":,\\ \n\t*?$abcAZ019-/\u00e9\u2603\ud83d\ude00'
NASTY: list[Any] = [
    None, True, False, 0, -1, 1.5, 10**30, "", "*", "?", "${", "${}", "${aws:username",
    "arn:", "arn:aws:s3", "s3:", ":", "a" * 300, "\u0000", "\ud7ff", [], {}, [[]], [{}],
    {"": ""}, {"AWS": {}}, {"StringEquals": []}, ["*", None], {"${": "}"}, "arn:aws:iam::*:*",
]  # fmt: skip


def check(source: str | dict[str, Any], kind: PolicyKind) -> bool:
    """Runs both; True when the parser accepted the document."""
    accepted = True
    try:
        parse_policy(source)
    except PolicyParseError as exc:
        accepted = False
        assert exc.message
        assert exc.line is None or exc.line >= 1
    found = validate_policy(source, kind)
    assert isinstance(found, list)
    assert all(isinstance(f, Finding) for f in found)
    assert all(f.span.start.line >= 1 and f.span.start.column >= 1 for f in found)
    if not accepted:  # what the parser rejects, the validator reports as an error
        assert any(f.severity.value == "ERROR" for f in found), found
    return accepted


def mutate_text(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        if not text:
            break
        i = rng.randrange(len(text))
        op = rng.randrange(5)
        if op == 0:
            text = text[:i] + text[i + 1 :]
        elif op == 1:
            text = text[:i] + rng.choice(ALPHABET) + text[i:]
        elif op == 2:
            text = text[:i]
        elif op == 3:
            j = rng.randrange(len(text))
            text = text[:i] + text[j : j + rng.randint(1, 20)] + text[i:]
        else:
            text = text[:i] + rng.choice(ALPHABET) + text[i + 1 :]
    return text


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(paths(item, (*prefix, i)))
    return found


def mutate_structure(doc: dict[str, Any], rng: random.Random) -> Any:
    doc = json.loads(json.dumps(doc))
    for _ in range(rng.randint(1, 3)):
        where = rng.choice(paths(doc))
        replacement = rng.choice(NASTY)
        if not where:
            return replacement if rng.random() < 0.1 else doc
        parent = doc
        for part in where[:-1]:
            parent = parent[part]
        last = where[-1]
        if isinstance(parent, dict) and rng.random() < 0.3:
            parent[f"{last}{rng.choice(['', 'x', '/', ' '])}".lower()] = parent.pop(last)
        else:
            parent[last] = json.loads(json.dumps(replacement))
    return doc


def test_thousands_of_text_mutations_never_raise_unexpectedly() -> None:
    rng = random.Random(20261130)
    texts = [json.dumps(seed, indent=4) for seed in SEEDS] + [json.dumps(s) for s in SEEDS]
    outcomes = [
        check(mutate_text(rng.choice(texts), rng), KINDS[n % len(KINDS)]) for n in range(2000)
    ]
    # Both paths were exercised: documents the parser took and documents it refused.
    assert outcomes.count(True) > 50 and outcomes.count(False) > 500


def test_thousands_of_structure_mutations_never_raise_unexpectedly() -> None:
    rng = random.Random(7)
    outcomes = []
    for n in range(1200):
        mutated = mutate_structure(rng.choice(SEEDS), rng)
        kind = KINDS[n % len(KINDS)]
        if isinstance(mutated, dict):
            check(mutated, kind)
        outcomes.append(check(json.dumps(mutated, indent=rng.choice([None, 2, 4])), kind))
    assert outcomes.count(True) > 50 and outcomes.count(False) > 50


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "Version",
                    "Statement",
                    "Effect",
                    "Action",
                    "Resource",
                    "Condition",
                    "Principal",
                    "x",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(doc=json_values, kind=st.sampled_from(KINDS))
def test_arbitrary_json_documents(doc: Any, kind: PolicyKind) -> None:
    check(json.dumps(doc), kind)
    if isinstance(doc, dict):
        check(doc, kind)


def test_layout_never_changes_what_is_found() -> None:
    """The same document, compact or indented, gets the same findings (positions aside);
    SCP and RCP size counts white space, so their quota finding may differ."""
    rng = random.Random(11)
    for n in range(300):
        mutated = mutate_structure(rng.choice(SEEDS), rng)
        kind = KINDS[n % len(KINDS)]

        def codes(indent: int | None, doc: Any = mutated, kind: PolicyKind = kind) -> list[str]:
            found = validate_policy(json.dumps(doc, indent=indent), kind)
            return sorted(f.code for f in found if not f.code.startswith("POLICY_SIZE"))

        assert codes(None) == codes(4), mutated


def test_nesting_as_deep_as_json_allows() -> None:
    """Documents nested to the decoder's limit, in every element, still yield findings."""
    for depth in (500, 985, 5000):
        for opener, closer in (("[", "]"), ('{"a":', "}")):
            inner = opener * depth + '"${aws:username}"' + closer * depth
            for element in ("Resource", "Condition", "Principal", "Foo"):
                statement = (
                    f'{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","{element}":'
                    f"{inner}}}"
                ).replace('"Resource":"*","Resource"', '"Resource"')
                text = f'{{"Version":"2012-10-17","Statement":[{statement}]}}'
                for kind in KINDS:
                    assert not check(text, kind)  # never accepted, never a crash
