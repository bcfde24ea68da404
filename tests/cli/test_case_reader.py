"""The batch's fast reading of case lines (``iamdesk.cli.case_reader``) gives every line the
result the careful reading (``jsontext.loads``, then the builder) gives it: repeated documents
found by their text, and every odd line it declines."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamdesk.cli.case_reader import Known
from iamdesk.cli.simulate import PolicyCache, result_line

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


class _Careful(PolicyCache):
    """The batch without the fast reader: every line read by ``jsontext.loads``."""

    def __init__(self) -> None:
        super().__init__()
        self.reader.read = lambda line: None  # type: ignore[method-assign]


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


def _same(lines: list[str]) -> list[dict[str, Any]]:
    """Each line's result through a fast reader that has seen every line twice before, and
    through the careful reader: they must be equal."""
    fast, careful = PolicyCache(), _Careful()
    for line in lines * 2:
        result_line(line, fast)
    results = []
    for line in lines:
        got = result_line(line, fast)
        assert got == result_line(line, careful), line
        results.append(json.loads(got))
    return results


def test_a_repeated_document_is_found_by_its_text_not_decoded_again() -> None:
    cache = PolicyCache()
    line = json.dumps(_case(identity_policies=[POOL[0], POOL[1]]))
    first = cache.reader.read(line)
    cache.reader.read(line)  # met twice: from now on found by its text
    scans = []

    def scan(text: str, pos: int) -> Any:
        scans.append(pos)
        raise StopIteration(pos)

    cache.reader._scan = scan  # type: ignore[method-assign]
    again = cache.reader.read(line)
    assert first is not None and again is not None
    assert scans == []  # the documents came from the trie, the rest from one decode
    assert [type(p) for p in again["identity_policies"]] == [Known, Known]
    assert again["identity_policies"][0] is first["identity_policies"][0]
    assert again["request"] == first["request"]


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


def test_documents_where_no_policy_goes_and_broken_lines_are_read_the_careful_way() -> None:
    doc = json.dumps(POOL[0])
    good = json.dumps(_case())
    lines = [
        good,
        json.dumps(_case(extra={"kept": POOL[0]})),  # a document in a field nobody reads
        json.dumps(_case(identity_policies=POOL[0])),  # a document, not a list of them
        json.dumps(_case(scps=[POOL[0]])),  # a level that is a document
        good[:-1] + f', "identity_policies": [{doc}]}}',  # a repeated key: the last one counts
        good[:-1] + f", {doc}: 1}}",  # a document as a key: not JSON
        good.replace('"c"', '"c\\u00e9"'),  # an escape: the careful reader checks it
        good[:-1] + ', "x": NaN}',
        good[:-1] + ', "x": ' + "[" * 70 + "]" * 70 + "}",  # too deep
        '{"id": "c", "text": "a{\\"Version\\": 1}", ' + good[1:],
        "[" + good + "]",
        good + " x",
    ]
    results = _same(lines)
    assert results[0]["decision"] == "allowed"
    assert results[4]["decision"] == "allowed"
    assert results[7]["error"] and "NaN" in results[7]["error"]
    assert results[8]["error"] and "deeper" in results[8]["error"]


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
