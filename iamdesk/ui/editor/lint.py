"""Checking the editor's text: the core validator's findings, in a shape the views can show.

The validator (``iamdesk.core.policy.validation``) is the single source of findings; this module
only adapts them and keeps the editor usable should that module fail to import, in which case
malformed JSON is still pointed at its line and column.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from iamdesk.core.policy.document import PolicyKind, Position, Span

log = logging.getLogger(__name__)

SEVERITIES = ("ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION")
SEVERITY_TITLES = {
    "ERROR": "Errors",
    "SECURITY_WARNING": "Security warnings",
    "WARNING": "Warnings",
    "SUGGESTION": "Suggestions",
}


@dataclass(frozen=True, slots=True)
class EditorFinding:
    severity: str  # one of SEVERITIES
    code: str
    message: str
    span: Span | None


Validator = Callable[[str, PolicyKind], Sequence[object]]


def _load_validator() -> Validator | None:
    try:
        from iamdesk.core.policy.validation import validate_policy
    except ImportError:  # pragma: no cover - only while the validator is missing
        log.warning("iamdesk.core.policy.validation unavailable; checking JSON syntax only")
        return None
    return validate_policy


_validator: Validator | None = None
_loaded = False


def check_policy(text: str, kind: PolicyKind) -> list[EditorFinding]:
    """Findings for ``text`` sorted by position; never raises for bad input."""
    global _validator, _loaded
    if not _loaded:
        _validator = _load_validator()
        _loaded = True
    if _validator is None:
        return _json_only(text)
    try:
        raw = _validator(text, kind)
    except Exception:  # a validator bug must not take the editor down with it
        log.exception("validate_policy raised on the editor's text")
        return _json_only(text)
    return [_adapt(item) for item in raw]


def _adapt(item: object) -> EditorFinding:
    severity = getattr(item, "severity", "ERROR")
    # Severity may be an enum or a string.
    severity = str(getattr(severity, "value", getattr(severity, "name", severity))).upper()
    if severity not in SEVERITIES:
        severity = "WARNING"
    return EditorFinding(
        severity=severity,
        code=str(getattr(item, "code", "")),
        message=str(getattr(item, "message", item)),
        span=getattr(item, "span", None),
    )


def _json_only(text: str) -> list[EditorFinding]:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        where = Position(error.lineno, error.colno)
        return [
            EditorFinding(
                "ERROR",
                "INVALID_JSON",
                f"Invalid JSON: {error.msg}",
                Span(where, Position(error.lineno, error.colno + 1)),
            )
        ]
    return []


def sort_key(finding: EditorFinding) -> tuple[int, int, int]:
    if finding.span is None:
        return (0, 0, SEVERITIES.index(finding.severity))
    start = finding.span.start
    return (start.line, start.column, SEVERITIES.index(finding.severity))
