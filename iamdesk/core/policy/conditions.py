"""Checks on the ``Condition`` element: operators, keys, value types and set qualifiers.

Key types come from the catalog (the Service Authorization Reference and the global key list).
An unknown key of a known service is an error; keys of identity-provider namespaces
(``accounts.google.com:sub``, OIDC provider URLs) are accepted as written.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iamdesk.core import catalog
from iamdesk.core.policy.condition_values import check_values
from iamdesk.core.policy.findings import (
    ERROR,
    SECURITY_WARNING,
    SUGGESTION,
    WARNING,
    Path,
    Report,
)

log = logging.getLogger(__name__)

# operator (lower case) -> (AWS's spelling, family)
_FAMILIES = {
    "String": (
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
    ),
    "StringLike": ("StringLike", "StringNotLike"),
    "Numeric": (
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
    ),
    "Date": (
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
    ),
    "Bool": ("Bool",),
    "Binary": ("BinaryEquals",),
    "IpAddress": ("IpAddress", "NotIpAddress"),
    "Arn": ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"),
    "Null": ("Null",),
}
OPERATORS: dict[str, tuple[str, str]] = {
    name.lower(): (name, family) for family, names in _FAMILIES.items() for name in names
}

# key type (scalar) -> operator families that compare it meaningfully
_COMPATIBLE = {
    "String": {"String", "StringLike", "Arn"},  # ARN operators on ARN-valued string keys
    "ARN": {"Arn", "String", "StringLike"},
    "Numeric": {"Numeric"},
    "Date": {"Date"},
    "Bool": {"Bool"},
    "IPAddress": {"IpAddress"},
    "Binary": {"Binary"},
}
_SUGGESTED_OPERATOR = {
    "String": "String",
    "ARN": "Arn",
    "Numeric": "Numeric",
    "Date": "Date",
    "Bool": "Bool",
    "IPAddress": "IpAddress",
    "Binary": "Binary",
}


@dataclass(frozen=True, slots=True)
class Operator:
    written: str
    name: str  # AWS's spelling of the base operator, e.g. "StringLike"
    family: str
    qualifier: str | None  # "ForAllValues" | "ForAnyValue" | None
    if_exists: bool


def parse_operator(written: str) -> Operator | None:
    """``ForAnyValue:StringLikeIfExists`` -> its parts; None for an unknown operator."""
    rest = written
    qualifier = None
    for prefix in ("ForAllValues:", "ForAnyValue:"):
        if rest.lower().startswith(prefix.lower()):
            qualifier = prefix[:-1]
            rest = rest[len(prefix) :]
            break
    if_exists = rest.lower().endswith("ifexists") and len(rest) > len("IfExists")
    base = rest[: -len("IfExists")] if if_exists else rest
    found = OPERATORS.get(base.lower())
    if found is None:
        return None
    return Operator(written, found[0], found[1], qualifier, if_exists)


def check_condition_block(report: Report, path: Path, block: Any) -> None:
    raw = report.raw
    if not isinstance(block, Mapping):
        report.add(
            ERROR,
            "DATA_TYPE_MISMATCH",
            "The text does not match the expected JSON data type Object.",
            raw.span(path),
        )
        return
    if not block:
        report.add(
            SUGGESTION,
            "EMPTY_OBJECT_CONDITION",
            "This condition block is empty and it does not affect the policy. Specify conditions.",
            raw.span(path),
        )
    for written, keys in block.items():
        where = (*path, written)
        operator = parse_operator(written)
        if operator is None:
            report.add(
                ERROR,
                "INVALID_CONDITION_OPERATOR",
                f"The condition operator {written} is not valid. Use a valid condition operator.",
                raw.key_span(where),
            )
            continue
        _check_operator(report, where, operator)
        if not isinstance(keys, Mapping):
            report.add(
                ERROR,
                "DATA_TYPE_MISMATCH",
                "The text does not match the expected JSON data type Object.",
                raw.span(where),
            )
            continue
        if not keys:
            report.add(
                SUGGESTION,
                "EMPTY_OBJECT_CONDITION",
                "This condition block is empty and it does not affect the policy. "
                "Specify conditions.",
                raw.span(where),
            )
        seen: dict[str, str] = {}
        for key, values in keys.items():
            if key.lower() in seen and seen[key.lower()] != key:
                report.add(
                    ERROR,
                    "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
                    f"The condition key {key} appears more than once with different "
                    "capitalization in the same condition block. Remove the duplicate "
                    "condition keys.",
                    raw.key_span((*where, key)),
                )
            seen.setdefault(key.lower(), key)
            _check_key(report, (*where, key), operator, key, values)


def _check_operator(report: Report, path: Path, op: Operator) -> None:
    if op.family == "Null" and op.if_exists:
        report.add(
            ERROR,
            "NULL_WITH_IF_EXISTS",
            "The Null condition operator cannot be used with the IfExists suffix. Update the "
            "operator or the suffix.",
            report.raw.key_span(path),
        )
    if op.family == "Null" and op.qualifier:
        report.add(
            SUGGESTION,
            "NULL_WITH_QUALIFIER",
            "Avoid using the Null condition operator with the ForAllValues or ForAnyValue "
            "qualifiers because they always return a true or false respectively.",
            report.raw.key_span(path),
        )


def _values(report: Report, path: Path, values: Any) -> list[tuple[str, Path, Any]]:
    """(text, path, json value) for each condition value; bad shapes reported."""
    items = list(enumerate(values)) if isinstance(values, list) else [(None, values)]
    found: list[tuple[str, Path, Any]] = []
    kinds: set[type] = set()
    for i, value in items:
        where = path if i is None else (*path, i)
        if isinstance(value, bool):
            found.append(("true" if value else "false", where, value))
        elif isinstance(value, (str, int, float)):
            found.append((str(value), where, value))
        else:
            report.add(
                ERROR,
                "DATA_TYPE_MISMATCH",
                "The text does not match the expected JSON data type String, Number or Boolean.",
                report.raw.span(where),
            )
            continue
        kinds.add(type(value) if not isinstance(value, float) else int)
    if len(kinds) > 1:
        report.add(
            ERROR,
            "INVALID_CONDITION_DATA_TYPE",
            "The condition value data types do not match. Use condition values of the same JSON "
            "data type.",
            report.raw.span(path),
        )
    return found


def _lookup(report: Report, path: Path, key: str) -> catalog.ConditionKeyInfo | None:
    prefix, sep, name = key.partition(":")
    if not sep or not prefix or not name:
        report.add(
            ERROR,
            "INVALID_CONDITION_KEY_FORMAT",
            "The condition key format is not valid. Use the format service:keyname.",
            report.raw.key_span(path),
        )
        return None
    if key.lower() in catalog.UNSUPPORTED_GLOBAL_KEYS:
        report.add(
            ERROR,
            "UNSUPPORTED_GLOBAL_CONDITION_KEY",
            f"The condition key {key} is not supported. Use aws:PrincipalArn or aws:SourceArn "
            "instead.",
            report.raw.key_span(path),
        )
        return None
    if prefix.lower() == "aws":
        info = catalog.condition_key(key)
        if info is None:
            report.add(
                ERROR,
                "INVALID_GLOBAL_CONDITION_KEY",
                f"The condition key {key} does not exist. Use a valid condition key.",
                report.raw.key_span(path),
            )
        return info
    if catalog.service_exists(prefix):
        info = catalog.condition_key(key)
        if info is None:
            report.add(
                ERROR,
                "INVALID_SERVICE_CONDITION_KEY",
                f"The condition key {key} does not exist in the service {prefix}. Use a valid "
                "condition key.",
                report.raw.key_span(path),
            )
        return info
    if catalog.key_prefix_known(prefix) or "." in prefix or "/" in prefix:
        return catalog.foreign_condition_key(key)
    report.add(
        ERROR,
        "INVALID_SERVICE",
        f"The service {prefix} does not exist. Use a valid service name.",
        report.raw.key_span(path),
    )
    return None


def _check_key(report: Report, path: Path, op: Operator, key: str, values: Any) -> None:
    raw = report.raw
    info = _lookup(report, path, key)
    if isinstance(values, list) and not values:
        code, message = _empty_array(op, key)
        report.add(SUGGESTION, code, message, raw.span(path))
    items = _values(report, path, values)
    if info is not None and op.family != "Null":
        if op.qualifier == "ForAllValues" and not info.multivalued:
            report.add(
                SECURITY_WARNING,
                "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
                f"Using ForAllValues qualifier with the single-valued condition key {key} can "
                "be overly permissive. We recommend that you remove ForAllValues:.",
                raw.key_span(path),
            )
        elif op.qualifier == "ForAnyValue" and not info.multivalued:
            report.add(
                WARNING,
                "FORANYVALUE_WITH_SINGLE_VALUED_KEY",
                f"The condition key {key} is single-valued; ForAnyValue adds nothing and hides "
                "what the condition means. We recommend that you remove ForAnyValue:.",
                raw.key_span(path),
            )
        elif op.qualifier is None and info.multivalued:
            report.add(
                ERROR,
                "MISSING_QUALIFIER",
                f"The request context key {key} has multiple values. Use the ForAllValues or "
                "ForAnyValue condition key qualifiers in your policy.",
                raw.key_span(path),
            )
        allowed = _COMPATIBLE.get(info.scalar_type, set())
        if key.lower() == "aws:epochtime":
            allowed = {"Date", "Numeric"}
        if allowed and op.family not in allowed:
            wanted = _SUGGESTED_OPERATOR.get(info.scalar_type, info.scalar_type)
            report.add(
                WARNING,
                "TYPE_MISMATCH",
                f"Use the operator type {wanted} instead of operator {op.written} for the "
                f"condition key {key}.",
                raw.key_span(path),
            )
    check_values(report, path, op, key, items)


def _empty_array(op: Operator, key: str) -> tuple[str, str]:
    if op.qualifier == "ForAllValues":
        return (
            "EMPTY_ARRAY_CONDITION_FORALLVALUES",
            f"The ForAllValues prefix with an empty condition key matches only if the key {key} "
            "is missing from the request context. To determine if the request context is empty, "
            "we recommend that you use the Null condition operator with the value of true "
            "instead.",
        )
    if op.qualifier == "ForAnyValue":
        return (
            "EMPTY_ARRAY_CONDITION_FORANYVALUE",
            f"The ForAnyValue prefix with an empty condition key {key} never matches the request "
            "context and it does not affect the policy. Specify conditions.",
        )
    if op.if_exists:
        return (
            "EMPTY_ARRAY_CONDITION_IFEXISTS",
            f"The IfExists suffix with an empty condition key matches only if the key {key} is "
            "missing from the request context. To determine if the request context is empty, we "
            "recommend that you use the Null condition operator with the value of true instead.",
        )
    return (
        "EMPTY_ARRAY_CONDITION",
        f"There are no values for the condition key {key} and it does not affect the policy. "
        "Specify conditions.",
    )
