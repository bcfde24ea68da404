"""A policy given as a JSON object, read without building its positions.

``parse_policy`` renders an object with ``json.dumps(indent=4)`` and parses that text again to
learn where every element stands, which costs far more than the evaluation that follows. Most
evaluations report at most the positions of the statements that decided, so the evaluator reads
an object through ``plain_statements`` (the parser's checks, with no positions) and asks
``statement_span`` for the span of a statement only when it is reported. Both follow the
parser exactly: an object ``plain_statements`` does not vouch for goes to the parser, and
``statement_span`` gives the span the parser would give (the indent=4 layout puts every member
and item on its own line, so lines are counted, not searched for).
"""

from __future__ import annotations

from typing import Any

from iamdesk.core.policy.checkers import statements_ok
from iamdesk.core.policy.document import Position, Span
from iamdesk.core.policy.parser import TOP_LEVEL_KEYS, VERSIONS

_TOP = frozenset(TOP_LEVEL_KEYS)


def plain_statements(source: Any) -> list[dict[str, Any]] | None:
    """The statements of a policy object the parser accepts as it is, or None when the parser
    must look at it (it may be malformed, or hold values it renders differently)."""
    if type(source) is not dict or not _TOP.issuperset(source):
        return None
    version = source.get("Version")
    if "Version" in source and (type(version) is not str or version not in VERSIONS):
        return None
    if "Id" in source and type(source["Id"]) is not str:
        return None
    statements = source.get("Statement")
    if type(statements) is dict:
        statements = [statements]
    elif type(statements) is not list or not statements:
        return None
    try:
        return statements if statements_ok(statements) else None
    except TypeError:  # a list item or a key that is not a string
        return None


def value_text(value: str | bool | int | float) -> str:
    """A condition value as the parser reads it from the rendered text: JSON's spelling."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is str:
        return value
    return repr(value)  # int and finite float, as json.dumps writes them


def _lines(value: Any) -> int:
    """How many lines ``value`` takes in the indent=4 rendering."""
    if type(value) is dict:
        return 2 + sum(_lines(v) for v in value.values()) if value else 1
    if type(value) is list:
        return 2 + sum(_lines(v) for v in value) if value else 1
    return 1


_STATEMENT_COLUMN = 5 + len('"Statement": ')  # where a lone statement object's "{" stands


def statement_span(source: dict[str, Any], index: int) -> Span:
    """The span ``parse_policy(source)`` gives statement ``index`` of an object that
    ``plain_statements`` accepted: "{" to just past "}"."""
    line = 2
    for key, value in source.items():
        if key == "Statement":
            break
        line += _lines(value)
    statements = source["Statement"]
    if type(statements) is dict:
        statement, column = statements, _STATEMENT_COLUMN
    else:
        line += 1 + sum(_lines(s) for s in statements[:index])
        statement, column = statements[index], 9
    end = line + _lines(statement) - 1
    # The closing brace of a non-empty object stands on its own line, at the indent of "{"'s
    # line: 4 spaces for a lone statement (a member of the root), 8 for an item of the list.
    close = 5 if column == _STATEMENT_COLUMN else 9
    return Span(Position(line, column), Position(end, close + 1))
