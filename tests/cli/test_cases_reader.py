"""The batch's fast reading of case lines (``iamdesk.cli.cases``: a typed case decoded by
msgspec, documents found by their text) gives every line the result the careful reading
(``jsontext.loads``, then the builder) gives it, including the lines it declines: those msgspec
reads differently from json or refuses, and those that are not plain."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamdesk.cli.cases.reader import FreshCase, PlainCase, PolicyCache, read_plain
from iamdesk.cli.simulate import _read_plain, result_line
from iamdesk.core.jsontext import MAX_CHARS
from iamdesk.core.policy.parser import parse_policy

ACCOUNT = "111122223333"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"


def _policy(sid: str, effect: str, action: str, extra: dict[str, Any] | None = None) -> dict:
    statement = {"Sid": sid, "Effect": effect, "Action": action, "Resource": "*", **(extra or {})}
    return {"Version": "2012-10-17", "Statement": [statement]}


POOL = [
    _policy("ReadAll", "Allow", "s3:Get*"),
    _policy("NoDelete", "Deny", "s3:DeleteObject"),
    _policy(
        "Tagged",
        "Allow",
        "s3:PutObject",
        {"Condition": {"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]}}},
    ),
    _policy("Everything", "Allow", "*"),
    {"Statement": {"Effect": "Allow", "Action": ["s3:List*", "s3:GetObject"], "Resource": "*"}},
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]},  # invalid
]


def _case(**fields: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "id": "c",
        "principal": {"arn": USER, "account": ACCOUNT},
        "identity_policies": [POOL[0]],
        "resource_account": ACCOUNT,
        "request": {
            "action": "s3:GetObject",
            "resource": "arn:aws:s3:::b/k",
            "context": {"aws:PrincipalTag/team": "red"},
        },
    }
    case.update(fields)
    return case


def _fresh() -> PolicyCache:
    """A cache that reads every line with its documents (as it does in a batch of new ones)."""
    cache = PolicyCache()
    cache.fresh_left = 10**9
    return cache


def _same(lines: list[str]) -> list[dict[str, Any]]:
    """Each line's result through a fast reader that has seen every line twice before, through
    one that reads every line with its documents, and through the careful reader: they must be
    equal."""
    fast, fresh, careful = PolicyCache(), _fresh(), PolicyCache(fast=False)
    for line in lines * 2:
        result_line(line, fast)
    results = []
    for line in lines:
        got = result_line(line, fast)
        assert got == result_line(line, careful) == result_line(line, fresh), line
        results.append(json.loads(got))
    return results


def test_a_repeated_document_is_compiled_once_and_found_by_its_text() -> None:
    # (by its text as written: the same document spaced otherwise is another text)
    cache = PolicyCache()
    line = json.dumps(_case(identity_policies=[POOL[0], POOL[1]]))
    first = _read_plain(line, cache)
    second = _read_plain(line, cache)  # met twice: from now on kept
    third = _read_plain(line, cache)
    assert first is not None and second is not None and third is not None
    refs = third[2].identity
    assert [r.label for r in refs] == ["identity[0]", "identity[1]"]
    assert refs[0] is second[2].identity[0]  # the same compiled policy, the same placed ref
    assert refs[0].policy is not first[2].identity[0].policy  # met once: not kept
    # The same text in another line, in another place: the same compiled policy.
    moved = json.dumps(_case(identity_policies=[POOL[1]], permissions_boundary=POOL[0]))
    again = _read_plain(moved, cache)
    assert again is not None and again[2].permissions_boundary is not None
    assert again[2].permissions_boundary.policy is refs[0].policy
    assert again[2].permissions_boundary.label == "permissions_boundary"


def test_a_batch_of_fresh_documents_keeps_none_of_them() -> None:
    cache = PolicyCache()
    for i in range(50):
        policy = _policy(f"S{i}", "Allow", f"s3:Get{i}*")
        assert _read_plain(json.dumps(_case(identity_policies=[policy])), cache) is not None
    assert cache._plain == {} and len(cache._once) == 50


def test_a_batch_of_new_documents_reads_them_with_their_cases() -> None:
    cache = PolicyCache()
    for i in range(150):  # (two new documents a case: a window is 256 looked up)
        new = [_policy(f"S{i}", "Allow", f"s3:Get{i}*"), _policy(f"T{i}", "Deny", f"s3:Put{i}")]
        result_line(json.dumps(_case(identity_policies=new)), cache)
    assert cache.fresh_left > 0
    line = json.dumps(_case(identity_policies=[_policy("N", "Allow", "s3:*")]))
    assert type(read_plain(line, cache)) is FreshCase
    # A named document, or one given as text, is read by its text, in the same cache.
    named = json.dumps(_case(identity_policies=[{"name": "P", "document": POOL[0]}]))
    assert type(read_plain(named, cache)) is PlainCase
    # A batch that asks of a few documents keeps reading them by their text.
    cache = PolicyCache()
    for i in range(300):
        result_line(json.dumps(_case(identity_policies=[POOL[i % 3], POOL[3]])), cache)
    assert cache.fresh_left == 0 and type(read_plain(line, cache)) is PlainCase


def test_positions_of_documents_read_with_their_cases_are_the_parsers() -> None:
    resource = {
        "Id": "bucket",
        "Statement": [
            {"Sid": "A", "Principal": {"AWS": USER}, "Effect": "Allow", "Action": "s3:*"},
            {"Effect": "Deny", "NotAction": ["s3:Get*"], "Resource": "*", "Condition": {}},
        ],
        "Version": "2012-10-17",
    }
    case = _case(
        identity_policies=[POOL[0], POOL[2]],
        permissions_boundary=POOL[3],
        scps=[[POOL[3]], [POOL[0], POOL[4]]],
        rcps=[[POOL[3]]],
        resource_policy=resource,
        session_policy=POOL[4],
        endpoint_policy=POOL[3],
    )
    line = json.dumps(case, indent=1).replace("\n", " ")
    built = _read_plain(line, _fresh())
    assert built is not None
    policies = built[2]
    refs = [*policies.identity, *[r for level in [*policies.scps, *policies.rcps] for r in level]]
    refs += [policies.permissions_boundary, policies.session_policy, policies.resource_policy]
    refs += [policies.endpoint_policy]
    documents = [
        *case["identity_policies"],
        *[d for f in ("scps", "rcps") for lv in case[f] for d in lv],
    ]
    documents += [case[f] for f in ("permissions_boundary", "session_policy", "resource_policy")]
    documents += [case["endpoint_policy"]]
    for ref, document in zip(refs, documents, strict=True):
        assert ref is not None
        parsed = parse_policy(document)
        spans = [ref.policy.statement_span(i) for i in range(len(parsed.statements))]
        assert spans == [s.span for s in parsed.statements], ref.label
        assert ref.policy.document == parsed, ref.label


def test_documents_in_every_place_a_policy_goes_match_the_careful_reading() -> None:
    lines = [
        json.dumps(
            _case(
                identity_policies=[POOL[0], POOL[2]],
                permissions_boundary=POOL[3],
                session_policy=POOL[4],
                scps=[[POOL[3]], [POOL[0], POOL[1]]],
                rcps=[[POOL[1]]],
                resource_policy={
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": USER},
                            "Action": "s3:GetObject",
                            "Resource": "arn:aws:s3:::b/*",
                        }
                    ],
                },
                endpoint_policy=POOL[3],
                request={"action": "s3:DeleteObject", "resource": "arn:aws:s3:::b/k"},
            )
        ),
        json.dumps(_case(identity_policies=[{"name": "Named", "document": POOL[0]}])),
        json.dumps(_case(identity_policies=[POOL[5]])),  # a document that is no policy
        json.dumps(_case(identity_policies=[POOL[0]]), indent=2).replace("\n", " "),
        json.dumps(_case(identity_policies=[POOL[0]]), separators=(",", ":")),
    ]
    results = _same(lines)
    assert results[0]["decision"] == "explicitDeny"
    assert results[1]["matched_statements"][0]["sid"] == "ReadAll"
    assert results[2]["error"].startswith("identity[0]:")
    assert results[3]["decision"] == results[4]["decision"] == "allowed"


def test_lines_the_fast_reading_declines_are_read_the_careful_way() -> None:
    doc = json.dumps(POOL[0])
    good = json.dumps(_case())
    big = "123456789012345678901234567890"  # orjson reads it as a float
    numeric = _policy(
        "Numeric", "Allow", "s3:GetObject", {"Condition": {"NumericLessThan": {"s3:max-keys": 0}}}
    )
    cases = [
        (good, True),
        (json.dumps(_case(extra={"kept": POOL[0]})), False),  # a member nobody reads
        (json.dumps(_case(identity_policies=POOL[0])), False),  # a document, not a list
        (json.dumps(_case(scps=[POOL[0]])), False),  # a level that is a document
        (good[:-1] + f', "identity_policies": [{doc}]}}', True),  # a repeated key: the last
        (good[:-1] + f", {doc}: 1}}", False),  # a document as a key: not JSON
        (good.replace('"c"', '"c\\u00e9"'), True),  # an escape orjson reads as json does
        (good.replace('"c"', '"c\\ud800"'), False),  # half a surrogate pair
        (good.replace('"c"', '"caf\u00e9"'), True),
        (good[:-1] + ', "x": NaN}', False),
        (good[:-1] + ', "x": 1e400}', False),
        (good[:-1] + ', "x": ' + "[" * 70 + "]" * 70 + "}", False),  # too deep
        (good[:-1] + ', "x": ' + "[" * 60 + "]" * 60 + "}", False),
        (good.replace(f'"{ACCOUNT}"}}', f'"{ACCOUNT}", "x": {"[" * 70}{"]" * 70}}}', 1), False),
        (good[:-1] + ', "x": [1,]}', False),
        (good.replace('"c"', big), True),  # an id beyond 64 bits, written back as given
        (good.replace('"c"', "1.5"), False),
        (good.replace('"c"', "[1.5]"), False),
        (good.replace('"red"', big), True),  # a context value beyond 64 bits
        (good.replace('"red"', f"[{big}]"), True),
        (good.replace('"red"', "[[1]]"), False),
        (json.dumps(_case(identity_policies=[numeric])).replace(": 0}", f": {big}}}"), True),
        (json.dumps(_case(identity_policies=[numeric])).replace(": 0}", ": 2.5}"), False),
        (json.dumps(_case(identity_policies=[numeric])), True),
        (
            json.dumps(_case(identity_policies=[{"name": "N", "document": POOL[0], "x": 1}])),
            False,  # a member beside name and document: nobody reads it, the careful way checks
        ),
        ('{"id": "c", "text": "a{\\"Version\\": 1}", ' + good[1:], False),
        ("[" + good + "]", False),
        (good + " x", False),
        (good.replace('"c"', '"a\tb"'), False),  # a control character in a string
        # Half a surrogate pair in the str itself (a caller's str may hold one): msgspec cannot
        # encode it to read it, and the careful way names it.
        (good.replace('"c"', '"c\ud800"'), False),
    ]
    results = _same([line for line, _ in cases])
    for (line, fast), result in zip(cases, results, strict=True):
        assert (_read_plain(line, PolicyCache()) is not None) == fast, (line[:60], result)
    assert results[0]["decision"] == "allowed"
    assert results[4]["decision"] == "allowed"
    assert results[9]["error"] and "NaN" in results[9]["error"]
    assert results[10]["error"] and "too large" in results[10]["error"]
    assert results[11]["error"] and "deeper" in results[11]["error"]
    assert results[13]["error"] and "deeper" in results[13]["error"]
    assert results[15]["id"] == int(big)
    assert results[21]["decision"] == "implicitDeny"  # (the context has no s3:max-keys)
    assert results[23]["decision"] == "implicitDeny"
    assert results[-1]["error"] and "U+D800" in results[-1]["error"]


def test_a_line_longer_than_allowed_is_refused_whichever_way_it_is_read() -> None:
    case = _case()
    case["request"]["context"]["aws:a"] = "x" * MAX_CHARS
    line = json.dumps(case)
    assert _read_plain(line, PolicyCache()) is None
    [result] = _same([line])
    assert result["error"] and "longer than" in result["error"]


_policies = st.lists(st.sampled_from(range(len(POOL))), max_size=3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    identity=_policies,
    boundary=st.none() | st.sampled_from(range(len(POOL))),
    scps=st.lists(_policies, max_size=2),
    indent=st.none() | st.sampled_from([0, 1, 4]),
    action=st.sampled_from(["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "ec2:RunInstances"]),
)
def test_any_mix_of_pooled_documents_reads_as_the_careful_reader_reads_it(
    identity: list[int], boundary: int | None, scps: list[list[int]], indent: Any, action: str
) -> None:
    case = _case(
        identity_policies=[POOL[i] for i in identity],
        permissions_boundary=None if boundary is None else POOL[boundary],
        scps=[[POOL[i] for i in level] for level in scps],
    )
    case["request"]["action"] = action
    # A line holds no newline; indent only changes the spacing within it.
    line = json.dumps(case, indent=indent).replace("\n", " ")
    _same([line, json.dumps(case)])


SCALAR = st.one_of(
    st.text(max_size=4),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([2**64, 10**30, 1.5, 2.0, None]),
)
STRINGS = st.one_of(
    st.sampled_from(["s3:*", "s3:Get*", "*", "iam:PassRole"]),
    st.lists(st.sampled_from(["s3:GetObject", "s3:Put*", "ec2:*", 3]), max_size=3),
)
GOOD_STATEMENT = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        "Action": st.sampled_from(["s3:*", "s3:Get*", ["iam:PassRole", "s3:Put*"]]),
    },
    optional={
        "Sid": st.sampled_from(["S", "a\u00e9", 'q"t', ""]),
        "Resource": st.sampled_from(["*", ["arn:aws:s3:::b/*", "arn:aws:s3:::c"]]),
        "Condition": st.dictionaries(
            st.sampled_from(["StringEquals", "NumericLessThan", "Bool", "Null"]),
            st.dictionaries(
                st.sampled_from(["aws:PrincipalTag/team", "s3:max-keys", "aws:a"]),
                st.one_of(st.sampled_from(["red", "true", 1, True, 2**64]), st.just([])),
                max_size=2,
            ),
            max_size=2,
        ),
    },
)
ANY_STATEMENT = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny", "allow"])},
    optional={
        "Sid": st.one_of(st.sampled_from(["S", ""]), st.integers()),
        "Action": STRINGS,
        "NotAction": st.just("iam:*"),
        "Resource": st.one_of(st.just("*"), st.just(["arn:aws:s3:::b/*", "arn:aws:s3:::c"])),
        "NotResource": st.just("arn:aws:s3:::x/*"),
        "Principal": st.one_of(
            st.just("*"), st.just({"AWS": ACCOUNT}), st.just({"AWS": []}), st.just({})
        ),
        "NotPrincipal": st.just({"AWS": "111122223333"}),
        "Condition": st.one_of(
            st.dictionaries(
                st.sampled_from(["StringEquals", "NumericLessThan"]),
                st.dictionaries(
                    st.sampled_from(["s3:max-keys", "aws:a"]),
                    st.one_of(SCALAR, st.lists(SCALAR, max_size=2)),
                    max_size=2,
                ),
                max_size=2,
            ),
            st.just([]),
        ),
        "Extra": st.just(1),
    },
)
STATEMENT = st.one_of(GOOD_STATEMENT, GOOD_STATEMENT, ANY_STATEMENT)
DOCUMENT = st.fixed_dictionaries(
    {"Statement": st.one_of(STATEMENT, st.lists(STATEMENT, min_size=1, max_size=3), st.just([]))},
    optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17", "1"]), "Id": st.just("x")},
)
# Edits of a line's text where msgspec and json may part ways (or json refuses it).
EDITS = [
    ('"Allow"', '"Allow" , "Effect": "Deny"'),  # a repeated key
    ('"*"', '"*",'),  # a trailing comma, or a stray member
    ('"S"', '"S\\ud800"'),  # a lone surrogate
    ('"S"', '"S\ud800"'),  # a lone surrogate in the str itself (not escaped)
    ('"S"', '"\\u0053"'),  # an escape json and msgspec both read
    ("2012-10-17", "2012-10-17\\u0000"),
    ('"red"', "NaN"),
    ('"red"', "1e400"),
    ('"red"', "-0"),
    (": 1,", ": 1.0,"),
    ('"Version"', '"version"'),
    ("}", "}}"),
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(DOCUMENT, min_size=1, max_size=3),
    place=st.sampled_from(["identity", "boundary", "scps", "resource", "named", "text"]),
    action=st.sampled_from(["s3:GetObject", "iam:PassRole", "s3:PutObject"]),
    edit=st.none() | st.sampled_from(EDITS),
)
def test_generated_and_mutated_lines_read_as_the_careful_reader_reads_them(
    docs: list[dict[str, Any]], place: str, action: str, edit: tuple[str, str] | None
) -> None:
    fields: dict[str, Any]
    if place == "identity":
        fields = {"identity_policies": docs}
    elif place == "boundary":
        fields = {"identity_policies": [POOL[3]], "permissions_boundary": docs[0]}
    elif place == "scps":
        fields = {"identity_policies": [POOL[3]], "scps": [docs, [POOL[3]]]}
    elif place == "resource":
        fields = {"identity_policies": [], "resource_policy": docs[0]}
    elif place == "named":
        fields = {
            "identity_policies": [{"name": f"P{i}", "document": d} for i, d in enumerate(docs)]
        }
    else:
        fields = {"identity_policies": [json.dumps(d) for d in docs]}
    case = _case(**fields)
    case["request"]["action"] = action
    case["request"]["context"]["s3:max-keys"] = 1
    line = json.dumps(case)
    if edit is not None:
        line = line.replace(*edit, 1)
    _same([line])
