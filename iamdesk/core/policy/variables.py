"""Checks on policy variables (``${aws:username}``, ``${aws:PrincipalTag/team, 'none'}``).

Variables work only under Version 2012-10-17, and only in ``Resource``/``NotResource`` and in
condition values (the condition checks decide which operators accept them). Elsewhere, or under
an older Version, ``${...}`` is literal text that almost never means what its author wanted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from typing import Any

from iamdesk.core.policy.findings import ERROR, Path, Report

log = logging.getLogger(__name__)

_SPECIAL = frozenset({"*", "?", "$"})
_DEFAULT = re.compile(r"'[^']*'")
VARIABLE_ELEMENTS = ("Resource", "NotResource", "Condition")


def _texts(value: Any, path: Path) -> Iterator[tuple[str, Path]]:
    """Every string in an element (condition keys are not variables, so only values). A loop,
    not recursion: a hostile document may nest as deep as the JSON decoder allows."""
    stack: list[tuple[Any, Path]] = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            yield node, where
        elif isinstance(node, list):
            stack.extend(((item, (*where, i)) for i, item in reversed(list(enumerate(node)))))
        elif isinstance(node, Mapping):
            items = reversed(list(node.items()))
            stack.extend(((item, (*where, key)) for key, item in items))


def variable_problem(text: str) -> tuple[str, str] | None:
    """The first malformed variable in ``text`` as (code, message), or None."""
    start = text.find("${")
    while start != -1:
        end = text.find("}", start)
        if end == -1:
            return (
                "MISSING_BRACE_IN_VARIABLE",
                "The policy variable is missing a closing curly brace. Add } after the "
                "variable text.",
            )
        body = text[start + 2 : end]
        name, comma, default = body.partition(",")
        if not body.strip():
            return (
                "EMPTY_VARIABLE",
                "Empty policy variable. Remove the ${} variable structure or provide a variable "
                "within the structure.",
            )
        if name not in _SPECIAL and (name != name.strip() or " " in name):
            return (
                "UNSUPPORTED_SPACE_IN_VARIABLE",
                "A space is not supported within the policy variable text. Remove the space.",
            )
        if comma and not _DEFAULT.fullmatch(default.strip()):
            return (
                "MISSING_QUOTE_IN_VARIABLE",
                "The policy variable default value must begin and end with a single quote. "
                "Add the missing quote.",
            )
        start = text.find("${", end + 1)
    return None


def check_variables(report: Report, path: Path, statement: Mapping[str, Any]) -> None:
    for element, value in statement.items():
        for text, where in _texts(value, (*path, element)):
            if "${" not in text:
                continue
            span = report.raw.span(where)
            if element not in VARIABLE_ELEMENTS:
                if report.variables_enabled:
                    report.add(
                        ERROR,
                        "VARIABLE_UNSUPPORTED_IN_ELEMENT",
                        "Policy variables are supported in the Resource and Condition elements. "
                        f"Remove the policy variable from {text}.",
                        span,
                    )
                continue
            if not report.variables_enabled:
                report.add(
                    ERROR,
                    "VARIABLE_UNSUPPORTED_IN_VERSION",
                    "To include variables in your policy, use the policy version 2012-10-17 or "
                    f"later. Without it, {text} is compared as literal text.",
                    span,
                )
                continue
            problem = variable_problem(text)
            if problem is not None:
                report.add(ERROR, problem[0], problem[1], span)
