"""Command-line text -> the Python value an operation's input shape asks for, as the AWS CLI
decodes it: ``file://`` / ``fileb://`` for any top-level value; JSON (bounded in size and depth)
or shorthand (``Key=a,Value=b``) for structures and maps; each argument of a list, or one JSON
array; ``--flag``/``--no-flag`` for booleans.
"""

from __future__ import annotations

import json
from typing import Any

from iamdesk.cli.awsargs import UsageError, load_file, parse_shorthand
from iamdesk.core import jsontext
from iamdesk.core.text import quoted

SCALARS = ("string", "integer", "long", "boolean", "float", "double", "timestamp", "blob")


def depth(value: Any) -> int:
    """Nesting depth of a decoded value, without recursion (YAML has no bounded reader)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def bounded_json(option: str, text: str) -> Any:
    """JSON a user typed or pointed at, through the one bounded reader (``core.jsontext``)."""
    try:
        return jsontext.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"Error parsing parameter '{option}': Invalid JSON: {exc}") from None


def decode(option: str, shape: Any, raw: Any) -> Any:
    """One option's command-line value (a string, a list of strings for list shapes, or a bool
    for booleans) as the operation's parameter."""
    kind = shape.type_name
    if kind == "boolean":
        return raw
    if kind == "list":
        return _decode_list(option, shape, raw)
    value = load_file(option, raw)
    if kind == "blob":
        return value
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if kind in ("structure", "map"):
        if value.lstrip().startswith("{"):
            return bounded_json(option, value)
        return coerce(option, shape, parse_shorthand(option, value))
    return scalar(option, shape, value)


def scalar(option: str, shape: Any, text: str) -> Any:
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
    except ValueError:
        raise UsageError(
            f"Error parsing parameter '{option}': expected {kind}, received: {quoted(text)}"
        ) from None
    if kind == "boolean":
        return text.strip().lower() == "true"
    return text


def _decode_list(option: str, shape: Any, raw: list[str]) -> list[Any]:
    items = [load_file(option, item) for item in raw]
    texts = [i.decode("utf-8", "replace") if isinstance(i, bytes) else i for i in items]
    if len(texts) == 1 and texts[0].lstrip().startswith("["):
        value = bounded_json(option, texts[0])
        if not isinstance(value, list):
            raise UsageError(f"Error parsing parameter '{option}': expected a JSON array")
        return value
    member = shape.member
    if member.type_name in ("structure", "map"):
        if len(texts) == 1 and texts[0].lstrip().startswith("{"):
            return [bounded_json(option, texts[0])]
        return [
            bounded_json(option, t)
            if t.lstrip().startswith("{")
            else coerce(option, member, parse_shorthand(option, t))
            for t in texts
        ]
    if member.type_name == "list":
        return [_decode_list(option, member, [t]) for t in texts]
    return [scalar(option, member, t) for t in texts]


def coerce(option: str, shape: Any, value: Any) -> Any:
    """Shorthand gives strings and lists of strings; give each member its shape's type."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: coerce(option, members[k], v) if k in members else v for k, v in value.items()}
    if kind == "map" and isinstance(value, dict):
        return {k: coerce(option, shape.value, v) for k, v in value.items()}
    if kind == "list":
        items = value if isinstance(value, list) else [value]
        return [coerce(option, shape.member, v) for v in items]
    if isinstance(value, str) and kind in SCALARS:
        return scalar(option, shape, value)
    return value
