"""Checking the editor's text: the core validator's findings, in a shape the views can show.

The validator (``iamdesk.core.policy.validation``) is the single source of findings; this module
only adapts them. Should the validator itself fail on some text (a bug), the editor stays usable
and still points malformed JSON at its line and column.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from iamdesk.core import jsontext
from iamdesk.core.policy.document import PolicyKind, Position, Span
from iamdesk.core.policy.findings import Finding
from iamdesk.core.policy.validation import validate_policy

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


def check_policy(text: str, kind: PolicyKind) -> list[EditorFinding]:
    """Findings for ``text`` sorted by position; never raises for bad input."""
    try:
        raw = validate_policy(text, kind)
    except Exception:  # a validator bug must not take the editor down with it
        log.exception("validate_policy raised on the editor's text")
        return _json_only(text)
    return [_adapt(item) for item in raw]


def _adapt(item: Finding) -> EditorFinding:
    return EditorFinding(item.severity.value, item.code, item.message, item.span)


def _json_only(text: str) -> list[EditorFinding]:
    try:
        jsontext.loads(text)
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
