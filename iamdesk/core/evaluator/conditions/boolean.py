"""Bool: the request value compared with ``true``/``false``, ignoring case. (Null is handled by
the dispatcher because it looks at the key's presence, not its value.)"""

from __future__ import annotations

import logging
from functools import lru_cache

from iamdesk.core.evaluator.conditions.base import (
    InvalidConditionValue,
    OperatorSpec,
    ValueMatcher,
)

logger = logging.getLogger(__name__)


@lru_cache(maxsize=64)
def _bool(values: tuple[str, ...]) -> ValueMatcher:
    wanted = frozenset(v.strip().lower() for v in values)
    for value in wanted:
        if value not in ("true", "false"):
            raise InvalidConditionValue(f"{value!r} is not true or false")
    return lambda value: value.strip().lower() in wanted


@lru_cache(maxsize=64)
def _null(values: tuple[str, ...]) -> ValueMatcher:
    wanted = frozenset(v.strip().lower() for v in values)
    for value in wanted:
        if value not in ("true", "false"):
            raise InvalidConditionValue(f"{value!r} is not true or false")
    # The dispatcher passes "true" when the key is absent, "false" when present.
    return wanted.__contains__


OPERATORS = {
    spec.name.lower(): spec
    for spec in (
        OperatorSpec("Bool", False, _bool),
        OperatorSpec("Null", False, _null),
    )
}
