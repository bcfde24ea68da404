"""Fuzzing the parser: thousands of mutated documents raise nothing but PolicyParseError, and
whatever parses also compiles and evaluates without error."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iamdesk.core.evaluator import (
    PolicyRef,
    PolicySet,
    Principal,
    Request,
    compile_policy,
    evaluate,
)
from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.parser import parse_policy

SEEDS = [
    {
        "Version": "2012-10-17",
        "Id": "p1",
        "Statement": [
            {
                "Sid": "A",
                "Effect": "Allow",
                "Action": ["s3:Get*", "s3:List*"],
                "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/${aws:username}/*"],
                "Condition": {
                    "StringLike": {"s3:prefix": ["home/${aws:username, 'x'}/*"]},
                    "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                    "ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]},
                    "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                    "NumericLessThanEquals": {"s3:max-keys": 10},
                    "Bool": {"aws:SecureTransport": True},
                },
            },
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": ["111122223333", "arn:aws:iam::1:user/x"]},
                "NotAction": "iam:*",
                "NotResource": "arn:aws:s3:::b/*",
            },
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
        ],
    },
    {"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}},
]
ALPHABET = '{}[]":,\\ \n\t0123456789-.etruflnasEAIRSVP*?$'
REQUEST = Request(
    Principal("arn:aws:iam::111122223333:user/alice", "111122223333"),
    "s3:GetObject",
    "arn:aws:s3:::b/alice/x",
    context={"aws:username": "alice", "s3:prefix": "home/alice/a", "aws:TagKeys": ["a"]},
)


def _check(source: Any) -> None:
    try:
        doc = parse_policy(source)
    except PolicyParseError as exc:
        assert exc.message
        assert exc.line is None or exc.line >= 1
        return
    policy = compile_policy(doc)
    ps = PolicySet(
        identity=[PolicyRef("identity[0]", policy)], resource_policy=PolicyRef("r", policy)
    )
    decision = evaluate(REQUEST, ps, explain=True)
    assert decision.decision in ("allowed", "explicitDeny", "implicitDeny")
    assert decision.explanation


def _mutate(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        pos = rng.randrange(len(chars) + 1)
        if op < 0.4 and chars:
            del chars[min(pos, len(chars) - 1)]
        elif op < 0.8:
            chars.insert(pos, rng.choice(ALPHABET))
        elif chars:
            chars[min(pos, len(chars) - 1)] = rng.choice(ALPHABET)
    return "".join(chars)


def test_thousands_of_text_mutations() -> None:
    rng = random.Random(20261130)
    texts = [json.dumps(seed, indent=2) for seed in SEEDS]
    for i in range(3000):
        _check(_mutate(texts[i % len(texts)], rng))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "Version",
                    "Statement",
                    "Effect",
                    "Action",
                    "NotAction",
                    "Resource",
                    "Principal",
                    "AWS",
                    "Service",
                    "Condition",
                    "StringEquals",
                    "Sid",
                    "x",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_arbitrary_json_objects(value: Any) -> None:
    if isinstance(value, dict):
        _check(value)
    _check(json.dumps(value))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_structural_mutations_of_a_valid_policy(data: st.DataObject) -> None:
    doc = json.loads(json.dumps(SEEDS[0]))
    statement = data.draw(st.sampled_from(doc["Statement"]))
    key = data.draw(st.sampled_from(sorted(statement)))
    statement[key] = data.draw(json_values)
    _check(doc)
