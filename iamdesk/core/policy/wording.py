"""Condition entries in plain words ("aws:SourceIp is in 10.0.0.0/8"), shared by the editor's
Visual tab, the test-access explanation and the analyses' "allowed if ..." answers."""

from __future__ import annotations

# Base operator -> phrase between the key and its values.
PHRASES = {
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
        phrase = PHRASES.get(base, base)
        text = f"{quantifier}{key} {phrase} {joined}"
    if if_exists:
        text += " (if present)"
    return text
