"""Checks on ``Action``/``NotAction`` entries against the catalog, with "did you mean" hints.

An unknown service or action is an error (Access Analyzer's INVALID_SERVICE_IN_ACTION and
INVALID_ACTION), as is a wildcard that names no action; a retired service only warns, since AWS's
own managed policies still name some.
"""

from __future__ import annotations

import difflib
import functools
import logging
from typing import Any

from iamdesk.core import catalog
from iamdesk.core.policy import redundancy
from iamdesk.core.policy.findings import (
    ERROR,
    SUGGESTION,
    WARNING,
    Path,
    Report,
    has_wildcard,
    strings,
)

log = logging.getLogger(__name__)


def check_actions(report: Report, path: Path, value: Any) -> None:
    items = strings(report, path, value)
    if isinstance(value, list) and not value:
        report.add(
            SUGGESTION,
            "EMPTY_ARRAY_ACTION",
            "This statement includes no actions and does not affect the policy. Specify actions.",
            report.raw.span(path),
        )
    for text, where in items:
        _check_action(report, where, text)
    redundancy.check_actions(report, items)


def _check_action(report: Report, path: Path, text: str) -> None:
    if text == "*":
        return
    prefix, sep, name = text.partition(":")
    if not sep or not prefix or not name:
        report.add(
            ERROR,
            "INVALID_ACTION",
            f"The action {text} is not valid. Use the format service:action, e.g. s3:GetObject.",
            report.raw.span(path),
        )
        return
    if has_wildcard(prefix):
        report.add(
            SUGGESTION,
            "WILDCARD_IN_SERVICE_NAME",
            "Avoid using wildcards (*, ?) in the service name because it might grant "
            "unintended access to other AWS services with similar names.",
            report.raw.span(path),
        )
        if not catalog.expand_action(text):
            report.add(
                ERROR,
                "INVALID_ACTION",
                f"The action {text} matches no action.",
                report.raw.span(path),
            )
        return
    if prefix.lower() in catalog.RETIRED_SERVICES:
        report.add(
            WARNING,
            "RETIRED_SERVICE_IN_ACTION",
            f"The service {prefix} ({catalog.RETIRED_SERVICES[prefix.lower()]}) has been "
            f"retired; {text} no longer grants or denies anything. Remove the action.",
            report.raw.span(path),
        )
        return
    if not catalog.service_exists(prefix):
        guess = _suggest_service(prefix.lower())
        hint = f" Did you mean {guess}?" if guess else ""
        report.add(
            ERROR,
            "INVALID_SERVICE_IN_ACTION",
            f"The service {prefix} specified in the action does not exist.{hint}",
            report.raw.span(path),
        )
        return
    if has_wildcard(name):
        if not catalog.expand_action(text):
            report.add(
                ERROR,
                "INVALID_ACTION",
                f"The action {text} matches no action of the service {prefix}.",
                report.raw.span(path),
            )
        return
    if catalog.action(text) is None:
        guess = _suggest_action(prefix.lower(), name.lower())
        hint = f" Did you mean {guess}?" if guess else ""
        report.add(
            ERROR,
            "INVALID_ACTION",
            f"The action {text} does not exist.{hint}",
            report.raw.span(path),
        )


@functools.lru_cache(maxsize=1024)
def _suggest_service(prefix: str) -> str | None:
    # Cached: the editor re-validates the same misspelling on every keystroke.
    return _closest(prefix, catalog.services())


@functools.lru_cache(maxsize=1024)
def _suggest_action(prefix: str, name: str) -> str | None:
    names = {info.name.lower(): info.full_name for info in catalog.actions(prefix)}
    guess = _closest(name, list(names))
    return names[guess] if guess else None


def _closest(word: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    """The likeliest intended name: most similar, then same first letter, then same length."""
    close = difflib.get_close_matches(word, candidates, n=5, cutoff=0.5)
    if not close:
        return None

    def rank(candidate: str) -> tuple[float, bool, int, str]:
        ratio = difflib.SequenceMatcher(None, word, candidate).ratio()
        return (-ratio, candidate[:1] != word[:1], abs(len(candidate) - len(word)), candidate)

    return min(close, key=rank)
