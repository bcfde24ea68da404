"""Policy elements in plain words, for the Visual tab and the test-access explanation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Base operator -> phrase between the key and its values.
_PHRASES = {
    "StringEquals": "is",
    "StringNotEquals": "is not",
    "StringEqualsIgnoreCase": "is (any case)",
    "StringNotEqualsIgnoreCase": "is not (any case)",
    "StringLike": "matches",
    "StringNotLike": "does not match",
    "NumericEquals": "=",
    "NumericNotEquals": "≠",
    "NumericLessThan": "<",
    "NumericLessThanEquals": "≤",
    "NumericGreaterThan": ">",
    "NumericGreaterThanEquals": "≥",
    "DateEquals": "is at",
    "DateNotEquals": "is not at",
    "DateLessThan": "is before",
    "DateLessThanEquals": "is at or before",
    "DateGreaterThan": "is after",
    "DateGreaterThanEquals": "is at or after",
    "Bool": "is",
    "BinaryEquals": "is",
    "IpAddress": "is in",
    "NotIpAddress": "is not in",
    "ArnEquals": "is",
    "ArnLike": "matches",
    "ArnNotEquals": "is not",
    "ArnNotLike": "does not match",
}

# Condition operators offered by completion and the statement dialog.
OPERATORS = (*_PHRASES, "Null")


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [v if isinstance(v, str) else _scalar(v) for v in value]
    return [value if isinstance(value, str) else _scalar(value)]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def condition_phrase(operator: str, key: str, values: list[str]) -> str:
    """``("IpAddress", "aws:SourceIp", ["10.0.0.0/8"])`` -> ``"aws:SourceIp is in 10.0.0.0/8"``."""
    quantifier = ""
    base = operator
    if ":" in base:
        prefix, base = base.split(":", 1)
        quantifier = {"ForAnyValue": "any value of ", "ForAllValues": "every value of "}.get(
            prefix, f"{prefix} "
        )
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    joined = " or ".join(values)
    if base == "Null":
        absent = [v.lower() for v in values] == ["true"]
        text = f"{key} is {'absent' if absent else 'present'}"
    else:
        phrase = _PHRASES.get(base, base)
        text = f"{quantifier}{key} {phrase} {joined}"
    if if_exists:
        text += " (if present)"
    return text


def conditions_in_words(block: Any) -> list[str]:
    if not isinstance(block, Mapping):
        return []
    result = []
    for operator, pairs in block.items():
        if isinstance(pairs, Mapping):
            for key, values in pairs.items():
                result.append(condition_phrase(str(operator), str(key), as_list(values)))
    return result


def principal_in_words(value: Any) -> str:
    if value == "*":
        return "anyone"
    if isinstance(value, Mapping):
        parts = []
        for kind, entries in value.items():
            parts.append(f"{kind}: {', '.join(as_list(entries))}")
        return "; ".join(parts)
    return str(value)


def statement_in_words(statement: Mapping[str, Any]) -> dict[str, str]:
    """The Visual tab's columns for one statement."""
    effect = str(statement.get("Effect", "?"))
    if "NotAction" in statement:
        actions = "every action except " + ", ".join(as_list(statement["NotAction"]))
    else:
        listed = as_list(statement.get("Action"))
        actions = "every action" if listed == ["*"] else ", ".join(listed) or "(none)"
    if "NotResource" in statement:
        resources = "every resource except " + ", ".join(as_list(statement["NotResource"]))
    elif "Resource" in statement:
        listed = as_list(statement.get("Resource"))
        resources = "every resource" if listed == ["*"] else ", ".join(listed)
    else:
        resources = "(the resource the policy is attached to)"
    principal = ""
    if "Principal" in statement:
        principal = principal_in_words(statement["Principal"])
    elif "NotPrincipal" in statement:
        principal = "anyone except " + principal_in_words(statement["NotPrincipal"])
    conditions = conditions_in_words(statement.get("Condition"))
    return {
        "sid": str(statement.get("Sid", "")),
        "effect": effect,
        "principal": principal,
        "actions": actions,
        "resources": resources,
        "conditions": " and ".join(conditions) if conditions else "always",
    }
