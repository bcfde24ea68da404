"""ArnEquals / ArnLike and their negations: each of the six ARN components matched on its own,
case-sensitively, with ``*`` and ``?`` wildcards (ArnEquals and ArnLike behave the same)."""

from __future__ import annotations

import logging
from functools import lru_cache

from iamdesk.core.arn import arn_condition_matcher
from iamdesk.core.evaluator.conditions.base import OperatorSpec, ValueMatcher, never

logger = logging.getLogger(__name__)


@lru_cache(maxsize=16384)
def _arn(values: tuple[str, ...]) -> ValueMatcher:
    if not values:
        return never
    matchers = tuple(arn_condition_matcher(v) for v in values)
    if len(matchers) == 1:
        return matchers[0]
    return lambda value: any(m(value) for m in matchers)


OPERATORS = {
    spec.name.lower(): spec
    for spec in (
        OperatorSpec("ArnEquals", False, _arn, True),
        OperatorSpec("ArnLike", False, _arn, True),
        OperatorSpec("ArnNotEquals", True, _arn, True),
        OperatorSpec("ArnNotLike", True, _arn, True),
    )
}
