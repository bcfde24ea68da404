"""Policy text (or a JSON object) -> ``PolicyDocument`` with a source span for every element.

``json`` decodes the text (and gives error positions); a regex tokenizer then pairs each decoded
value with its token, in document order, to learn where it starts and ends. Both run in C, so
parsing costs little more than ``json.loads``. Duplicate keys keep the last value, as IAM does (a
second ``StringEquals`` block silently replaces the first).
"""

from __future__ import annotations

import bisect
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iamdesk.core import jsontext
from iamdesk.core.policy.document import (
    ConditionEntry,
    PolicyDocument,
    PolicyParseError,
    Position,
    PrincipalBlock,
    Span,
    Statement,
    Value,
)

logger = logging.getLogger(__name__)

VERSIONS = ("2012-10-17", "2008-10-17")
TOP_LEVEL_KEYS = ("Version", "Id", "Statement")
STATEMENT_KEYS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")

_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?'
    r"|true|false|null|[{}\[\]]",
    re.DOTALL,
)


# Positions are immutable and the same few (line, column) pairs recur in every policy laid out
# the same way: share them rather than build thousands of identical objects per parse.
_POSITIONS: dict[tuple[int, int], Position] = {}


@dataclass(slots=True)
class _Node:
    """A JSON value with its offsets in the text. ``value`` holds a dict of key -> (key node,
    value node) for objects, a list of nodes for arrays, else the Python scalar; ``raw`` keeps a
    number's digits as written."""

    kind: str  # object, array, string, number, boolean, null
    value: Any
    start: int
    end: int
    raw: str = ""


class _Scanner:
    """Offsets -> 1-based (line, column) positions of one text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> Position:
        starts = self.line_starts
        line = bisect.bisect_right(starts, offset)
        key = (line, offset - starts[line - 1] + 1)
        found = _POSITIONS.get(key)
        if found is None:
            found = Position(*key)
            if len(_POSITIONS) < 200_000:
                _POSITIONS[key] = found
        return found

    def span(self, start: int, end: int) -> Span:
        return Span(self.position(start), self.position(end))


class _Obj(list):  # type: ignore[type-arg]
    """A JSON object as json.loads hands it to ``object_pairs_hook``: its (key, value) pairs in
    document order, duplicates included, so the walk below stays in step with the text."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON value {name}")


def _decode(text: str) -> Any:
    try:
        return jsontext.loads(text, object_pairs_hook=_Obj, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise PolicyParseError(
            f"Syntax errors in policy: {exc.msg}", exc.lineno, exc.colno
        ) from None
    except ValueError as exc:
        raise PolicyParseError(f"Syntax errors in policy: {exc}", 1, 1) from None
    except RecursionError:
        raise PolicyParseError("Syntax errors in policy: nesting too deep", 1, 1) from None


class _Walker:
    """Pairs the decoded values with their tokens, in document order, to learn their offsets.

    The tokenizer skips whitespace, commas and colons; every value starts at its next token and
    a container ends at the token after its last member."""

    def __init__(self, text: str) -> None:
        self.tokens = _TOKEN.finditer(text)

    def node(self, value: Any) -> _Node:
        m = next(self.tokens)
        start = m.start()
        kind = type(value)
        if kind is _Obj:
            members: dict[str, tuple[_Node, _Node]] = {}
            tokens = self.tokens
            for key, child in value:
                km = next(tokens)
                key_node = _Node("string", key, km.start(), km.end())
                members.pop(key, None)  # the last duplicate wins, as in json.loads
                members[key] = (key_node, self.node(child))
            return _Node("object", members, start, next(tokens).end())
        if kind is list:
            items = [self.node(child) for child in value]
            return _Node("array", items, start, next(self.tokens).end())
        if kind is str:
            return _Node("string", value, start, m.end())
        if value is None:
            return _Node("null", None, start, m.end(), "null")
        if kind is bool:
            return _Node("boolean", value, start, m.end(), m.group())
        return _Node("number", m.group(), start, m.end(), m.group())


def render(source: Mapping[str, Any]) -> str:
    """The text an object's positions refer to."""
    try:
        return json.dumps(source, indent=4, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise PolicyParseError(f"Policy is not JSON-serialisable: {exc}") from None


def parse_policy(source: str | Mapping[str, Any]) -> PolicyDocument:
    """Parse a policy; raise ``PolicyParseError`` naming what is wrong and where."""
    if isinstance(source, Mapping):
        text = render(source)
    elif isinstance(source, str):
        text = source
    else:
        raise PolicyParseError(
            f"Policy must be JSON text or an object, not {type(source).__name__}"
        )
    decoded = _decode(text)
    try:
        root = _Walker(text).node(decoded)
    except RecursionError:
        raise PolicyParseError("Syntax errors in policy: nesting too deep", 1, 1) from None
    return _Builder(_Scanner(text)).document(root)


class _Builder:
    def __init__(self, scanner: _Scanner) -> None:
        self.s = scanner

    def fail(self, message: str, node: _Node) -> PolicyParseError:
        pos = self.s.position(node.start)
        return PolicyParseError(message, pos.line, pos.column)

    def span(self, node: _Node) -> Span:
        return self.s.span(node.start, node.end)

    def document(self, root: _Node) -> PolicyDocument:
        if root.kind != "object":
            raise self.fail("Policy document must be a JSON object", root)
        members: dict[str, tuple[_Node, _Node]] = root.value
        for key, (key_node, _) in members.items():
            if key not in TOP_LEVEL_KEYS:
                raise self.fail(f"Policy document has an unknown element {key!r}", key_node)
        version = None
        if "Version" in members:
            vnode = members["Version"][1]
            if vnode.kind != "string" or vnode.value not in VERSIONS:
                raise self.fail(
                    f'Version must be "2012-10-17" or "2008-10-17", not {self._show(vnode)}',
                    vnode,
                )
            version = vnode.value
        policy_id = None
        if "Id" in members:
            inode = members["Id"][1]
            if inode.kind != "string":
                raise self.fail("Id must be a string", inode)
            policy_id = inode.value
        if "Statement" not in members:
            raise self.fail("Policy document is missing the Statement element", root)
        snode = members["Statement"][1]
        if snode.kind == "object":
            statement_nodes = [snode]
        elif snode.kind == "array":
            statement_nodes = snode.value
            if not statement_nodes:
                raise self.fail("Statement must not be empty", snode)
        else:
            raise self.fail("Statement must be an object or a list of objects", snode)
        statements = tuple(self.statement(i, node) for i, node in enumerate(statement_nodes))
        return PolicyDocument(
            version=version,
            id=policy_id,
            statements=statements,
            text=self.s.text,
            span=self.span(root),
        )

    @staticmethod
    def _show(node: _Node) -> str:
        if node.kind == "string":
            return json.dumps(node.value)
        if node.kind in ("object", "array"):
            return f"an {node.kind}" if node.kind == "object" else "an array"
        return str(node.raw)

    def statement(self, index: int, node: _Node) -> Statement:
        where = f"Statement {index}"
        if node.kind != "object":
            raise self.fail(f"{where} must be an object", node)
        members: dict[str, tuple[_Node, _Node]] = node.value
        for key, (key_node, _) in members.items():
            if key not in STATEMENT_KEYS:
                raise self.fail(f"{where} has an unknown element {key!r}", key_node)
        spans = {key: self.span(val) for key, (_, val) in members.items()}
        sid = None
        if "Sid" in members:
            sid_node = members["Sid"][1]
            if sid_node.kind != "string":
                raise self.fail(f"{where}: Sid must be a string", sid_node)
            sid = sid_node.value
        if "Effect" not in members:
            raise self.fail(f"{where} is missing the Effect element", node)
        effect_node = members["Effect"][1]
        if effect_node.kind != "string" or effect_node.value not in ("Allow", "Deny"):
            raise self.fail(
                f'{where}: Effect must be "Allow" or "Deny", not {self._show(effect_node)}',
                effect_node,
            )
        self._exclusive(where, members, "Action", "NotAction", node, required=True)
        self._exclusive(where, members, "Resource", "NotResource", node, required=False)
        self._exclusive(where, members, "Principal", "NotPrincipal", node, required=False)
        return Statement(
            index=index,
            sid=sid,
            effect=effect_node.value,
            action=self._strings(where, members, "Action"),
            not_action=self._strings(where, members, "NotAction"),
            resource=self._strings(where, members, "Resource"),
            not_resource=self._strings(where, members, "NotResource"),
            principal=self._principal(where, members, "Principal"),
            not_principal=self._principal(where, members, "NotPrincipal"),
            conditions=self._conditions(where, members),
            span=self.span(node),
            element_spans=spans,
        )

    def _exclusive(
        self,
        where: str,
        members: dict[str, tuple[_Node, _Node]],
        a: str,
        b: str,
        node: _Node,
        *,
        required: bool,
    ) -> None:
        if a in members and b in members:
            raise self.fail(f"{where} has both {a} and {b}; use one", members[b][0])
        if required and a not in members and b not in members:
            raise self.fail(f"{where} is missing the {a} or {b} element", node)

    def _value(self, node: _Node) -> Value:
        text = node.value if node.kind == "string" else node.raw
        return Value(text, self.span(node), node.kind)

    def _strings(
        self, where: str, members: dict[str, tuple[_Node, _Node]], key: str
    ) -> tuple[Value, ...] | None:
        if key not in members:
            return None
        node = members[key][1]
        items = node.value if node.kind == "array" else [node]
        if node.kind == "array" and not items:
            raise self.fail(f"{where}: {key} must not be an empty list", node)
        for item in items:
            if item.kind != "string":
                raise self.fail(f"{where}: {key} values must be strings", item)
        return tuple(self._value(item) for item in items)

    def _principal(
        self, where: str, members: dict[str, tuple[_Node, _Node]], key: str
    ) -> PrincipalBlock | None:
        if key not in members:
            return None
        node = members[key][1]
        if node.kind == "string":
            if node.value != "*":
                raise self.fail(
                    f'{where}: {key} must be "*" or an object such as {{"AWS": "..."}}', node
                )
            return PrincipalBlock(True, (), self.span(node))
        if node.kind != "object":
            raise self.fail(f'{where}: {key} must be "*" or an object', node)
        if not node.value:
            raise self.fail(f"{where}: {key} must not be empty", node)
        entries: list[tuple[str, tuple[Value, ...]]] = []
        for ptype, (key_node, val) in node.value.items():
            if ptype not in PRINCIPAL_TYPES:
                raise self.fail(
                    f"{where}: {key} has an unknown principal type {ptype!r} "
                    f"(use {', '.join(PRINCIPAL_TYPES)})",
                    key_node,
                )
            items = val.value if val.kind == "array" else [val]
            if val.kind == "array" and not items:
                raise self.fail(f"{where}: {key} {ptype} must not be an empty list", val)
            for item in items:
                if item.kind != "string":
                    raise self.fail(f"{where}: {key} {ptype} values must be strings", item)
            entries.append((ptype, tuple(self._value(item) for item in items)))
        return PrincipalBlock(False, tuple(entries), self.span(node))

    def _conditions(
        self, where: str, members: dict[str, tuple[_Node, _Node]]
    ) -> tuple[ConditionEntry, ...]:
        if "Condition" not in members:
            return ()
        node = members["Condition"][1]
        if node.kind != "object":
            raise self.fail(f"{where}: Condition must be an object", node)
        entries: list[ConditionEntry] = []
        for operator, (op_key, block) in node.value.items():
            if block.kind != "object":
                raise self.fail(
                    f"{where}: Condition operator {operator!r} must map keys to values", block
                )
            for key, (key_node, val) in block.value.items():
                items = val.value if val.kind == "array" else [val]
                for item in items:
                    if item.kind in ("object", "array", "null"):
                        raise self.fail(
                            f"{where}: Condition {operator} {key!r} values must be strings, "
                            "numbers or booleans",
                            item,
                        )
                entries.append(
                    ConditionEntry(
                        operator=operator,
                        key=key,
                        values=tuple(self._value(item) for item in items),
                        span=self.s.span(key_node.start, val.end),
                        operator_span=self.span(op_key),
                    )
                )
        return tuple(entries)
