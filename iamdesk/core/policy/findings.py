"""Validation findings in IAM Access Analyzer's categories, and the raw document they point into.

A finding names its check with Access Analyzer's issue code where one exists
(``MISSING_ACTION``, ``PASS_ROLE_WITH_STAR_IN_RESOURCE``, ...) and points at the text with a
``Span``. ``RawDocument`` is the policy as ``json`` decoded it plus a source map, so checks can
point at any element even when the document is too broken for the parser to accept.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from json_source_map import calculate

from iamdesk.core.policy.document import Position, Span

log = logging.getLogger(__name__)


class Severity(enum.Enum):
    ERROR = "ERROR"
    SECURITY_WARNING = "SECURITY_WARNING"
    WARNING = "WARNING"
    SUGGESTION = "SUGGESTION"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {
    Severity.ERROR: 0,
    Severity.SECURITY_WARNING: 1,
    Severity.WARNING: 2,
    Severity.SUGGESTION: 3,
}

ERROR = Severity.ERROR
SECURITY_WARNING = Severity.SECURITY_WARNING
WARNING = Severity.WARNING
SUGGESTION = Severity.SUGGESTION


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    code: str  # Access Analyzer's issue code, e.g. "MISSING_ACTION"
    message: str
    span: Span

    def sort_key(self) -> tuple[int, int, int, int, int, str, str]:
        s, e = self.span.start, self.span.end
        return (s.line, s.column, e.line, e.column, self.severity.rank, self.code, self.message)


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Document order, then severity; exact duplicates (one check reached twice) dropped."""
    return sorted(set(findings), key=Finding.sort_key)


Path = tuple[str | int, ...]


def _pointer(path: Path) -> str:
    # json-source-map joins keys with "/" without escaping; build pointers the same way.
    return "".join(f"/{part}" for part in path)


class RawDocument:
    """Decoded JSON plus where each value (and each object key) sits in the text."""

    def __init__(self, text: str, data: Any) -> None:
        self.text = text
        self.data = data
        self._source_map: Mapping[str, Any] | None = None
        self.whole = Span(Position(1, 1), end_of(text))

    @property
    def _map(self) -> Mapping[str, Any]:
        # Built on the first span asked for: a clean document never pays for it.
        if self._source_map is None:
            try:
                self._source_map = calculate(self.text)
            except Exception as exc:  # the map is a convenience: without it spans degrade
                log.debug("no source map: %s", exc)
                self._source_map = {}
        return self._source_map

    def span(self, path: Path) -> Span:
        """The value at ``path``; falls back to the nearest enclosing value the map knows."""
        for cut in range(len(path), -1, -1):
            entry = self._map.get(_pointer(path[:cut]))
            if entry is not None:
                return Span(_position(entry.value_start), _position(entry.value_end))
        return self.whole

    def key_span(self, path: Path) -> Span:
        """The object key naming the value at ``path`` (e.g. the ``"Principal"`` text)."""
        entry = self._map.get(_pointer(path))
        if entry is not None and entry.key_start is not None and entry.key_end is not None:
            return Span(_position(entry.key_start), _position(entry.key_end))
        return self.span(path)

    def element_span(self, path: Path) -> Span:
        """From the key through the end of its value (``"Effect": "Allow"``)."""
        entry = self._map.get(_pointer(path))
        if entry is not None and entry.key_start is not None:
            return Span(_position(entry.key_start), _position(entry.value_end))
        return self.span(path)


def _position(location: Any) -> Position:
    # json-source-map counts from 0; AWS and our Span count lines and columns from 1.
    return Position(int(location.line) + 1, int(location.column) + 1)


def end_of(text: str) -> Position:
    """Just past the last character of ``text``."""
    return Position(text.count("\n") + 1, len(text) - text.rfind("\n"))


class Report:
    """What the checks share: the document, its kind and version, and the findings so far."""

    def __init__(self, raw: RawDocument, kind: Any, version: str | None) -> None:
        self.raw = raw
        self.kind = kind  # PolicyKind
        self.version = version  # the Version string when valid, else None
        self.findings: list[Finding] = []

    def add(self, severity: Severity, code: str, message: str, span: Span) -> None:
        self.findings.append(Finding(severity, code, message, span))

    @property
    def variables_enabled(self) -> bool:
        return self.version == "2012-10-17"


_JSON_TYPES = {str: "String", bool: "Boolean", int: "Number", float: "Number", list: "Array"}


def json_type(value: Any) -> str:
    """The JSON type name AWS's messages use for a decoded value."""
    if value is None:
        return "Null"
    if isinstance(value, Mapping):
        return "Object"
    return _JSON_TYPES.get(type(value), type(value).__name__)


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def type_mismatch(report: Report, path: Path, expected: str, value: Any) -> None:
    report.add(
        Severity.ERROR,
        "DATA_TYPE_MISMATCH",
        f"The text does not match the expected JSON data type {expected} "
        f"(found {json_type(value)}).",
        report.raw.span(path),
    )


def strings(report: Report, path: Path, value: Any) -> list[tuple[str, Path]]:
    """A string-or-list element as (text, path) pairs; non-strings reported and skipped."""
    if isinstance(value, str):
        return [(value, path)]
    if isinstance(value, list):
        found = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                found.append((item, (*path, i)))
            else:
                type_mismatch(report, (*path, i), "String", item)
        return found
    type_mismatch(report, path, "Array", value)
    return []
