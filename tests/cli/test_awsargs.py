"""AWS CLI value syntax shared by every ``iamdesk <service>`` command: file://, shorthand, JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamdesk.cli.awsargs import (
    UsageError,
    load_file,
    load_text,
    parse_shorthand,
    string_list,
    structure_list,
)


def test_file_values(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text('{"a": 1}', encoding="utf-8")
    assert load_text("--x", f"file://{path}") == '{"a": 1}'
    assert load_text("--x", f"fileb://{path}") == '{"a": 1}'
    assert load_file("--x", f"fileb://{path}") == b'{"a": 1}'  # bytes for a blob
    assert load_text("--x", "plain") == "plain"
    with pytest.raises(UsageError, match="Error parsing parameter '--x': Unable to load paramfile"):
        load_text("--x", f"file://{tmp_path / 'missing.json'}")
    path.write_bytes(b"\xff\xfe not text")
    with pytest.raises(UsageError, match="Unable to load paramfile"):
        load_text("--x", f"fileb://{path}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Key=a,Value=b", {"Key": "a", "Value": "b"}),
        ("Name=k,Values=x,y,z,Type=t", {"Name": "k", "Values": ["x", "y", "z"], "Type": "t"}),
        ("Values=[x,y],Type=t", {"Values": ["x", "y"], "Type": "t"}),
        ("Values=[],Type=t", {"Values": [], "Type": "t"}),
        ("Name='aws:CurrentTime',Values='2019-04-25T11:00:00Z'",
         {"Name": "aws:CurrentTime", "Values": "2019-04-25T11:00:00Z"}),
        ('Value="a,b",Other=c', {"Value": "a,b", "Other": "c"}),
        ("Url=https://x/y?a=b", {"Url": "https://x/y?a=b"}),
    ],
)  # fmt: skip
def test_shorthand(text: str, expected: dict[str, object]) -> None:
    assert parse_shorthand("--x", text) == expected


@pytest.mark.parametrize("text", ["novalue", "Key='unclosed", "Key=[a,b"])
def test_bad_shorthand_names_the_option(text: str) -> None:
    with pytest.raises(UsageError, match="Error parsing parameter '--x'"):
        parse_shorthand("--x", text)


def test_string_list_from_arguments_json_or_file(tmp_path: Path) -> None:
    assert string_list("--x", ["a", "b"]) == ["a", "b"]
    assert string_list("--x", ['["a", "b"]']) == ["a", "b"]
    path = tmp_path / "list.json"
    path.write_text('["c"]')
    assert string_list("--x", [f"file://{path}"]) == ["c"]
    assert string_list("--x", None) == []
    with pytest.raises(UsageError, match="list of strings"):
        string_list("--x", ["[1, 2]"])


def test_structure_list_json_and_shorthand() -> None:
    assert structure_list("--x", ['[{"A": 1}, {"A": 2}]']) == [{"A": 1}, {"A": 2}]
    assert structure_list("--x", ['{"A": 1}']) == [{"A": 1}]
    assert structure_list("--x", ["A=1", "A=2"]) == [{"A": "1"}, {"A": "2"}]
    with pytest.raises(UsageError, match="Invalid JSON"):
        structure_list("--x", ["[{"])
    with pytest.raises(UsageError, match="expected JSON objects"):
        structure_list("--x", ['["a"]'])
