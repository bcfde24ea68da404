"""Numeric operators. Policy values must be numbers; a request value that is not a number matches
nothing."""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from iamdesk.core.evaluator.conditions.base import (
    OperatorSpec,
    ValueMatcher,
    ordered_comparison,
)

logger = logging.getLogger(__name__)


def parse_number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _comparison(compare: Callable[[Decimal, Decimal], bool]) -> Callable[..., ValueMatcher]:
    return ordered_comparison(parse_number, compare, "a number")


_eq = _comparison(operator.eq)

OPERATORS = {
    spec.name.lower(): spec
    for spec in (
        OperatorSpec("NumericEquals", False, _eq),
        OperatorSpec("NumericNotEquals", True, _eq),
        OperatorSpec("NumericLessThan", False, _comparison(operator.lt)),
        OperatorSpec("NumericLessThanEquals", False, _comparison(operator.le)),
        OperatorSpec("NumericGreaterThan", False, _comparison(operator.gt)),
        OperatorSpec("NumericGreaterThanEquals", False, _comparison(operator.ge)),
    )
}
