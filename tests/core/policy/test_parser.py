"""The parser: documents with positions, and clear errors for what AWS would reject."""

from __future__ import annotations

import json

import pytest

from iamdesk.core.policy.document import PolicyParseError, Position, Span
from iamdesk.core.policy.parser import parse_policy

TEXT = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": "*",
      "Condition": {"Bool": {"aws:SecureTransport": true}, "NumericLessThan": {"s3:max-keys": 10}}
    },
    {"Effect": "Deny", "NotAction": "iam:*", "NotResource": ["arn:aws:s3:::x"],
     "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:root"],
                   "Service": "ec2.amazonaws.com"}}
  ]
}"""


def test_statement_and_element_spans() -> None:
    doc = parse_policy(TEXT)
    assert doc.version == "2012-10-17" and doc.text == TEXT
    first, second = doc.statements
    assert first.span == Span(Position(4, 5), Position(10, 6))
    assert first.sid == "Read" and first.effect == "Allow"
    assert [v.text for v in first.action or ()] == ["s3:GetObject", "s3:ListBucket"]
    assert first.action is not None and first.action[1].span == Span(
        Position(7, 34), Position(7, 49)
    )
    assert first.element_spans["Resource"] == Span(Position(8, 19), Position(8, 22))
    cond = first.conditions
    assert [(c.operator, c.key, [v.text for v in c.values]) for c in cond] == [
        ("Bool", "aws:SecureTransport", ["true"]),
        ("NumericLessThan", "s3:max-keys", ["10"]),
    ]
    assert [v.json_type for c in cond for v in c.values] == ["boolean", "number"]
    assert second.index == 1 and second.sid is None
    assert second.span.start == Position(11, 5)
    assert second.not_action is not None and second.action is None
    assert second.principal is not None and not second.principal.wildcard
    assert [t for t, _ in second.principal.entries] == ["AWS", "Service"]


def test_object_positions_refer_to_json_dumps_indent_4() -> None:
    policy = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*"}}
    doc = parse_policy(policy)
    assert doc.text == json.dumps(policy, indent=4)
    (st,) = doc.statements
    assert st.index == 0
    assert st.span == Span(Position(3, 18), Position(6, 6))


def test_version_absent_and_old() -> None:
    assert parse_policy('{"Statement": {"Effect": "Allow", "Action": "*"}}').version is None
    doc = parse_policy('{"Version": "2008-10-17", "Statement": {"Effect": "Deny", "Action": "*"}}')
    assert doc.version == "2008-10-17"


def test_duplicate_keys_keep_the_last_value() -> None:
    doc = parse_policy(
        '{"Statement": {"Effect": "Allow", "Action": "*", "Condition": '
        '{"StringEquals": {"a": "1"}, "StringEquals": {"b": "2"}}}}'
    )
    assert [c.key for c in doc.statements[0].conditions] == ["b"]


def test_escaped_strings_are_decoded_with_right_spans() -> None:
    doc = parse_policy(
        '{"Statement": {"Sid": "a\\"b", "Effect": "Allow", "Action": "s3:\\u0047et*"}}'
    )
    st = doc.statements[0]
    assert st.sid == 'a"b'
    assert st.action is not None and st.action[0].text == "s3:Get*"
    assert st.element_spans["Action"] == Span(Position(1, 60), Position(1, 74))


@pytest.mark.parametrize(
    ("source", "fragment", "line", "column"),
    [
        ('{"Statement": [', "Syntax errors", 1, 16),
        ('{\n  "Version": 1,\n}', "Syntax errors", 3, 1),
        ("[]", "must be a JSON object", 1, 1),
        ('{"Version": "2012-10-17"}', "missing the Statement", 1, 1),
        ('{"Version": "2020-01-01", "Statement": []}', "Version must be", 1, 13),
        ('{"Statement": []}', "must not be empty", 1, 15),
        ('{"Statement": "x"}', "object or a list", 1, 15),
        ('{"Statement": {}, "Extra": 1}', "unknown element 'Extra'", 1, 19),
        ('{"Statement": {"Action": "*"}}', "missing the Effect", 1, 15),
        ('{"Statement": {"Effect": "allow", "Action": "*"}}', 'Effect must be "Allow"', 1, 26),
        ('{"Statement": {"Effect": "Allow"}}', "missing the Action or NotAction", 1, 15),
        (
            '{"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "*"}}',
            "both Action",
            1,
            50,
        ),
        (
            '{"Statement": {"Effect": "Allow", "Action": [1]}}',
            "Action values must be strings",
            1,
            46,
        ),
        ('{"Statement": {"Effect": "Allow", "Action": []}}', "must not be an empty list", 1, 45),
        (
            '{"Statement": {"Effect": "Allow", "Action": "*", "Principal": "me"}}',
            "Principal must be",
            1,
            63,
        ),
        (
            '{"Statement": {"Effect": "Allow", "Action": "*", "Principal": {"User": "x"}}}',
            "unknown principal type",
            1,
            64,
        ),
        (
            '{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"Bool": "x"}}}',
            "must map keys",
            1,
            72,
        ),
        (
            '{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"Bool": {"k": {}}}}}',
            "values must be strings",
            1,
            78,
        ),
        (
            '{"Statement": {"Effect": "Allow", "Action": "*", "Sid": 5}}',
            "Sid must be a string",
            1,
            57,
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "*"}, 3]}',
            "Statement 1 must be an object",
            1,
            52,
        ),
        ('{"Statement": {"Effect": "Allow", "Action": NaN}}', "Syntax errors", 1, 1),
    ],
)
def test_errors_name_what_and_where(source: str, fragment: str, line: int, column: int) -> None:
    with pytest.raises(PolicyParseError) as info:
        parse_policy(source)
    err = info.value
    assert fragment in err.message
    assert (err.line, err.column) == (line, column)
    assert err.code == "MalformedPolicyDocument"


def test_non_text_input_is_rejected() -> None:
    with pytest.raises(PolicyParseError):
        parse_policy(42)  # type: ignore[arg-type]
    with pytest.raises(PolicyParseError):
        parse_policy({"Statement": {1, 2}})


def test_deep_nesting_is_a_parse_error() -> None:
    with pytest.raises(PolicyParseError):
        parse_policy("[" * 100000 + "]" * 100000)
