"""A policy given as a JSON object, read without building its positions.

``parse_policy`` renders an object with ``json.dumps(indent=4)`` and parses that text again to
learn where every element stands, which costs far more than the evaluation that follows. Most
evaluations report at most the positions of the statements that decided, so the evaluator reads
an object as typed statements (``typed``: the parser's checks, with no positions) and asks
``PlainPolicy.statement_span`` for the span of a statement only when it is reported. Both follow
the parser exactly: an object the typed reading refuses goes to the parser, and
``statement_span`` gives the span the parser would give (the indent=4 layout puts every member
and item on its own line, so lines are counted, not searched for).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from msgspec import UNSET, Struct
from msgspec.structs import astuple

from iamdesk.core.policy.document import ConditionEntry, PolicyDocument, Position, Span
from iamdesk.core.policy.parser import parse_policy
from iamdesk.core.policy.typed import Document, Statement, convert_document, decode_document


class PlainPolicy(Struct, gc=False):
    """A policy read as typed statements. ``source`` is what the parser reads when positions or
    traces are asked for: the object the policy was given as, or the JSON text of an object
    (decoded then as json decodes it, and parsed as the object it is). A Struct: a batch makes
    one for every document it brings, and a Struct is made in C (no cycle: ``gc=False``)."""

    typed: Document
    statements: list[Statement]
    source: dict[str, Any] | bytes | Callable[[], bytes]
    parsed: PolicyDocument | None = None

    @property
    def document(self) -> PolicyDocument:
        found = self.parsed
        if found is None:
            source = self.source
            if not isinstance(source, dict):
                # JSON text, or where to find it (a document read with its case line).
                source = json.loads(source if isinstance(source, bytes) else source())
            found = self.parsed = parse_policy(source)
        return found

    def condition_entry(self, statement: int, condition: int) -> ConditionEntry:
        return self.document.statements[statement].conditions[condition]

    def statement_span(self, index: int) -> Span:
        """The span ``parse_policy`` gives statement ``index``: "{" to just past "}"."""
        if self.parsed is not None:
            return self.parsed.statements[index].span
        typed = self.typed
        # Version and Id, when they come first, are strings: a line each after the "{" line.
        line = 2 + list(typed).index("Statement")
        statements = self.statements
        if type(typed["Statement"]) is Statement:
            statement, column = statements[0], _STATEMENT_COLUMN
        else:
            line += 1 + sum(map(statement_lines, statements[:index]))
            statement, column = statements[index], 9
        end = line + statement_lines(statement) - 1
        # The closing brace of a non-empty object stands on its own line, at the indent of "{"'s
        # line: 4 spaces for a lone statement (a member of the root), 8 for an item of the list;
        # the span ends just past it.
        return _span(line, column, end, 6 if column == _STATEMENT_COLUMN else 10)


def read_policy(text: bytes) -> PlainPolicy | None:
    """A policy object given as JSON text, typed; None when the parser must look at it."""
    found = decode_document(text)
    return None if found is None else PlainPolicy(*found, text)


def plain_policy(source: Any) -> PlainPolicy | None:
    """A policy object decoded before (JSON data: as json decodes it, or marshal copies it),
    typed; None when the parser must look at it. The object is kept for the parser: it must not
    change (``compile_policy`` copies it first)."""
    if type(source) is not dict:
        return None
    found = convert_document(source)
    return None if found is None else PlainPolicy(*found, source)


def value_text(value: str | bool | int | float) -> str:
    """A condition value as the parser reads it from the rendered text: JSON's spelling."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is str:
        return value
    return repr(value)  # int and finite float, as json.dumps writes them


def _block_lines(block: dict[str, Any]) -> int:
    """Lines of a Principal block ({type: a string or a non-empty list of strings})."""
    lines = 2
    for names in block.values():
        lines += 1 if type(names) is str else 2 + len(names)
    return lines


def _condition_lines(condition: dict[str, dict[str, Any]]) -> int:
    """Lines of a Condition (operator -> key -> a scalar or a list of them, maybe empty)."""
    if not condition:
        return 1
    lines = 2
    for block in condition.values():
        if not block:
            lines += 1
            continue
        lines += 2
        for values in block.values():
            lines += 2 + len(values) if type(values) is list and values else 1
    return lines


def statement_lines(statement: Statement) -> int:
    """How many lines a statement takes in the indent=4 rendering, where every member and item
    stands on its own line and an empty list or object on one: "{", "}" and its elements."""
    lines = 2
    condition = statement.Condition
    for value in astuple(statement):
        kind = type(value)
        if kind is str:
            lines += 1
        elif kind is list:
            lines += 2 + len(value)  # (strings: Action, Resource...; never empty)
        elif value is UNSET:
            continue
        elif value is condition:
            lines += _condition_lines(value)  # type: ignore[arg-type]
        else:
            lines += _block_lines(value)
    return lines


def _span(line: int, column: int, end: int, close: int) -> Span:
    """The Span of these numbers, shared: spans recur (statements laid out alike start and end
    on the same lines), and a Span costs more to make than to find."""
    key = (line, column, end, close)
    found = _SPANS.get(key)
    if found is None:
        found = Span(Position(line, column), Position(end, close))
        if len(_SPANS) < 65536:
            _SPANS[key] = found
    return found


_SPANS: dict[tuple[int, int, int, int], Span] = {}
_STATEMENT_COLUMN = 5 + len('"Statement": ')  # where a lone statement object's "{" stands

__all__ = ["PlainPolicy", "plain_policy", "read_policy", "statement_lines", "value_text"]
