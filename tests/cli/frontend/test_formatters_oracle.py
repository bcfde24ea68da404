"""Our text and table output against the real AWS CLI's formatters on the same data.

The AWS CLI v1 (the ``awscli`` package, a test dependency) is the oracle: its ``text`` module and
``TableFormatter`` are run on the very dict we print, and the characters must be equal. The data
are AWS responses' shapes (nested dicts and lists of scalars) drawn by hypothesis, plus the
documentation's own examples.
"""

from __future__ import annotations

import argparse
import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iamdesk.cli.frontend.table import write_table
from iamdesk.cli.frontend.text import write_text

awscli_text = __import__("awscli.text", fromlist=["format_text"])
awscli_formatter = __import__("awscli.formatter", fromlist=["TableFormatter"])

KEYS = st.sampled_from(["UserName", "Arn", "Path", "Tags", "Key", "Value", "Id", "Café", "名前"])
SCALARS = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.integers(-5, 10**6),
    st.booleans(),
    st.none(),
)


def _values(children: Any) -> Any:
    # As in AWS's shapes, a list holds one kind of member: scalars, or structures.
    structures = st.dictionaries(KEYS, children, min_size=1, max_size=4)
    return st.one_of(st.lists(SCALARS, max_size=4), st.lists(structures, max_size=3), structures)


DATA = st.recursive(SCALARS, _values, max_leaves=12)
RESPONSES = st.dictionaries(KEYS, DATA, max_size=4)


def aws_text(data: Any) -> str:
    out = io.StringIO()
    awscli_text.format_text(data, out)
    return out.getvalue()


def aws_table(title: str, data: Any) -> str:
    out = io.StringIO()
    formatter = awscli_formatter.TableFormatter(argparse.Namespace(query=None, color="off"))
    formatter(title, data, out)
    return out.getvalue()


def ours_text(data: Any) -> str:
    out = io.StringIO()
    write_text(data, out)
    return out.getvalue()


def ours_table(title: str, data: Any) -> str:
    out = io.StringIO()
    write_table(title, data, out, color="off")
    return out.getvalue()


LIST_USERS = {
    "Users": [
        {
            "Path": "/",
            "UserName": "Alice",
            "UserId": "AIDA1111111111EXAMPLE",
            "Arn": "arn:aws:iam::123456789012:user/Alice",
            "CreateDate": "2013-04-18T20:48:22Z",
            "Tags": [{"Key": "Department", "Value": "Café"}],
        },
        {
            "Path": "/engineering/",
            "UserName": "Bob",
            "UserId": "AIDA2222222222EXAMPLE",
            "Arn": "arn:aws:iam::123456789012:user/engineering/Bob",
            "CreateDate": "2013-04-18T20:48:22Z",
        },
    ]
}


def test_documentation_list_users_text_and_table_match_the_aws_cli() -> None:
    assert ours_text(LIST_USERS) == aws_text(LIST_USERS)
    assert ours_text(LIST_USERS).splitlines()[1] == "TAGS\tDepartment\tCafé"
    assert ours_table("ListUsers", LIST_USERS) == aws_table("ListUsers", LIST_USERS)


def test_a_single_user_table_turns_on_its_side_when_wider_than_the_terminal() -> None:
    one = {"User": LIST_USERS["Users"][1]}
    table = ours_table("GetUser", one)
    assert table == aws_table("GetUser", one)
    assert "||  CreateDate|  2013-04-18T20:48:22Z                             ||" in table


@settings(max_examples=300, deadline=None)
@given(RESPONSES)
def test_text_output_equals_the_aws_cli_on_any_response(data: dict[str, Any]) -> None:
    assert ours_text(data) == aws_text(data)


@settings(max_examples=300, deadline=None)
@given(RESPONSES)
def test_table_output_equals_the_aws_cli_on_any_response(data: dict[str, Any]) -> None:
    try:
        expected = aws_table("Operation", data)
    except (ValueError, TypeError, AttributeError, IndexError):
        return  # the AWS CLI itself crashes on this shape (rows of unequal length, ...)
    assert ours_table("Operation", data) == expected
