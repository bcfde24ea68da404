"""Keys that appear twice in one JSON object.

IAM keeps the last value of a repeated key without a word, so a second ``"StringEquals"`` block
in a ``Condition`` silently discards the first, and a second ``"Action"`` replaces the first
list. The standard decoder does the same; this one also remembers which objects lost a key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from iamdesk.core import jsontext
from iamdesk.core.policy.findings import WARNING, Path, Report

log = logging.getLogger(__name__)


class _Recorder:
    def __init__(self) -> None:
        self.repeated: dict[int, list[str]] = {}  # id(object) -> keys given more than once

    def hook(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        repeated = []
        for key, value in pairs:
            if key in obj and key not in repeated:
                repeated.append(key)
            obj[key] = value
        if repeated:
            self.repeated[id(obj)] = repeated
        return obj


def decode(text: str, parse_constant: Callable[[str], Any]) -> tuple[Any, dict[int, list[str]]]:
    """``json.loads`` (bounded: ``jsontext.loads``) plus, for each object that had a repeated
    key, the keys repeated. Raises what ``json.loads`` raises."""
    recorder = _Recorder()
    data = jsontext.loads(text, object_pairs_hook=recorder.hook, parse_constant=parse_constant)
    return data, recorder.repeated


def check_repeated_keys(report: Report, data: Any, repeated: dict[int, list[str]]) -> None:
    if not repeated:
        return
    stack: list[tuple[Path, Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            for key in repeated.get(id(node), ()):
                report.add(
                    WARNING,
                    "DUPLICATE_KEY",
                    f"The key {key} appears more than once in this object. IAM keeps only the "
                    "last one, so the earlier value is ignored. Merge them into one.",
                    report.raw.key_span((*path, key)),
                )
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))
