"""Date operators. Both sides may be ISO 8601 (``2025-01-01``, ``2025-01-01T12:00:00Z``, with
fractions or offsets) or epoch seconds, and the two forms may be mixed."""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache

from iamdesk.core.evaluator.conditions.base import (
    OperatorSpec,
    ValueMatcher,
    ordered_comparison,
)

logger = logging.getLogger(__name__)


@lru_cache(maxsize=8192)
def parse_date(text: str) -> float | None:
    """Seconds since the epoch, or None when ``text`` is not a date."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    iso = text[:-1] + "+00:00" if text[-1] in "zZ" else text
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _comparison(compare: Callable[[float, float], bool]) -> Callable[..., ValueMatcher]:
    return ordered_comparison(parse_date, compare, "a date (ISO 8601 or epoch seconds)")


_eq = _comparison(operator.eq)

OPERATORS = {
    spec.name.lower(): spec
    for spec in (
        OperatorSpec("DateEquals", False, _eq),
        OperatorSpec("DateNotEquals", True, _eq),
        OperatorSpec("DateLessThan", False, _comparison(operator.lt)),
        OperatorSpec("DateLessThanEquals", False, _comparison(operator.le)),
        OperatorSpec("DateGreaterThan", False, _comparison(operator.gt)),
        OperatorSpec("DateGreaterThanEquals", False, _comparison(operator.ge)),
    )
}
