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
from iamdesk.core.policy.quotas import MANAGED_POLICY_CHARS, size_finding
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


# A document this many times over its quota is reported by its size alone: no IAM policy of
# any kind can be saved at that size, and checking every statement of a pasted 2 MB text would
# cost seconds to say nothing more useful.
FAR_BEYOND = 4
# Resource policies have per-service quotas (S3 20 KB, KMS 32 KB): the largest stands for all.
RESOURCE_POLICY_CHARS = 32_768
_WHOLE_COUNT_KINDS = (PolicyKind.SCP, PolicyKind.RCP)  # Organizations counts white space


def without_whitespace(text: str) -> int:
    """Characters outside white space, without parsing: JSON white space is exactly these
    four characters (white space inside strings is rare and small)."""
    return len(text) - sum(text.count(space) for space in " \n\t\r")


def counted_size(text: str, kind: PolicyKind) -> int:
    """The document's size as its quota counts it."""
    return len(text) if kind in _WHOLE_COUNT_KINDS else without_whitespace(text)


def quota_for(kind: PolicyKind) -> int:
    from iamdesk.core.policy.quotas import (
        RCP_CHARS,
        ROLE_TRUST_POLICY_CHARS,
        SCP_CHARS,
        SESSION_POLICY_CHARS,
    )

    quotas = {
        PolicyKind.TRUST: 2 * ROLE_TRUST_POLICY_CHARS,  # the most AWS raises it to on request
        PolicyKind.SCP: SCP_CHARS,
        PolicyKind.RCP: RCP_CHARS,
        PolicyKind.SESSION: SESSION_POLICY_CHARS,
    }
    if kind is PolicyKind.RESOURCE:
        return RESOURCE_POLICY_CHARS
    return quotas.get(kind, MANAGED_POLICY_CHARS)


def oversized(text: str, kind: PolicyKind) -> EditorFinding | None:
    """The one finding for a document far beyond its quota, or None when it is worth checking."""
    quota = quota_for(kind)
    size = counted_size(text, kind)
    if size <= FAR_BEYOND * quota:
        return None
    whole = Span(Position(1, 1), Position(1, 2))
    found = size_finding(text[: FAR_BEYOND * quota * 2], kind, whole)  # AWS's wording and code
    code = found.code if found is not None else "POLICY_SIZE_EXCEEDS_QUOTA"
    counted = "including" if kind in _WHOLE_COUNT_KINDS else "excluding"
    return EditorFinding(
        "ERROR",
        code,
        f"The {size:,} characters in this policy, {counted} whitespace, are far beyond the "
        f"{quota:,} character maximum: no policy this large can be saved, so it was not "
        "checked further. Split it into several granular policies.",
        whole,
    )


def check_policy(text: str, kind: PolicyKind) -> list[EditorFinding]:
    """Findings for ``text`` sorted by position; never raises for bad input. A text far
    beyond its quota gets one size finding at once instead of a full check."""
    too_big = oversized(text, kind)
    if too_big is not None:
        return [too_big]
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
