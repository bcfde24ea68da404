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

from iamdesk.core.policy.document import Position, Span
from iamdesk.core.policy.parser import PRINCIPAL_TYPES, STATEMENT_KEYS, TOP_LEVEL_KEYS, VERSIONS

_TOP = frozenset(TOP_LEVEL_KEYS)
_KEYS = frozenset(STATEMENT_KEYS)
_TYPES = frozenset(PRINCIPAL_TYPES)


def _strings(value: Any) -> bool:
    """A string, or a non-empty list of strings (Action, Resource, a principal type's values)."""
    if type(value) is str:
        return True
    if type(value) is not list or not value:
        return False
    try:
        "".join(value)  # (in C: refuses any item that is not a string; JSON makes no subclass)
    except TypeError:
        return False
    return True


def _scalar(value: Any) -> bool:
    # No float: the parser reads one as json.dumps renders it, and a batch line read with
    # orjson may hold one standing for an integer beyond 64 bits (see cli.cases.reader).
    kind = type(value)
    return kind is str or kind is bool or kind is int


def _principal(value: Any) -> bool:
    if type(value) is str:
        return value == "*"
    if type(value) is not dict or not value:
        return False
    return all(k in _TYPES and _strings(v) for k, v in value.items())


def _condition(value: Any) -> bool:
    if type(value) is not dict:
        return False
    for block in value.values():
        if type(block) is not dict:
            return False
        for key, values in block.items():
            if type(key) is not str:
                return False
            if type(values) is list:
                if not _strings(values) and not all(_scalar(v) for v in values):
                    return False
            elif not _scalar(values):
                return False
    return all(type(k) is str for k in value)


def _statement(st: Any) -> bool:
    # The parser's statement checks, inlined: this runs for every statement of a batch.
    if type(st) is not dict or not _KEYS.issuperset(st):
        return False
    effect = st.get("Effect")
    if (effect != "Allow" and effect != "Deny") or type(effect) is not str:
        return False
    if "Sid" in st and type(st["Sid"]) is not str:
        return False
    if "Action" in st:
        if "NotAction" in st:
            return False
        value = st["Action"]
    elif "NotAction" in st:
        value = st["NotAction"]
    else:
        return False
    if type(value) is not str and not _strings(value):
        return False
    if "Resource" in st:
        if "NotResource" in st:
            return False
        value = st["Resource"]
        if type(value) is not str and not _strings(value):
            return False
    elif "NotResource" in st and not _strings(st["NotResource"]):
        return False
    if "Principal" in st:
        if "NotPrincipal" in st or not _principal(st["Principal"]):
            return False
    elif "NotPrincipal" in st and not _principal(st["NotPrincipal"]):
        return False
    return "Condition" not in st or _condition(st["Condition"])


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
    for st in statements:
        if not _statement(st):
            return None
    return statements


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
