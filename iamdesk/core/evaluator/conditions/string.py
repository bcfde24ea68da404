"""String operators: StringEquals, StringLike and their IgnoreCase / Not variants.

Matching is case-sensitive except for the IgnoreCase pair; ``*`` and ``?`` are wildcards only for
StringLike/StringNotLike.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from iamdesk.core.arn import glob_matcher, has_wildcard, unmark
from iamdesk.core.evaluator.conditions.base import OperatorSpec, ValueMatcher, never

logger = logging.getLogger(__name__)


@lru_cache(maxsize=16384)
def _equals(values: tuple[str, ...]) -> ValueMatcher:
    if not values:
        return never
    if len(values) == 1:
        return unmark(values[0]).__eq__
    return frozenset(unmark(v) for v in values).__contains__


@lru_cache(maxsize=16384)
def _equals_ignore_case(values: tuple[str, ...]) -> ValueMatcher:
    folded = frozenset(unmark(v).casefold() for v in values)
    return lambda value: value.casefold() in folded


@lru_cache(maxsize=16384)
def _like(values: tuple[str, ...]) -> ValueMatcher:
    if not any(has_wildcard(v) for v in values):
        return _equals(values)
    matchers = tuple(glob_matcher(v) for v in values)
    if len(matchers) == 1:
        return matchers[0]
    return lambda value: any(m(value) for m in matchers)


OPERATORS = {
    spec.name.lower(): spec
    for spec in (
        OperatorSpec("StringEquals", False, _equals, True),
        OperatorSpec("StringNotEquals", True, _equals, True),
        OperatorSpec("StringEqualsIgnoreCase", False, _equals_ignore_case, True),
        OperatorSpec("StringNotEqualsIgnoreCase", True, _equals_ignore_case, True),
        OperatorSpec("StringLike", False, _like, True),
        OperatorSpec("StringNotLike", True, _like, True),
    )
}
