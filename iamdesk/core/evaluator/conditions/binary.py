"""BinaryEquals: base64-encoded policy values compared with the request's base64 value."""

from __future__ import annotations

import base64
import binascii
import logging
from functools import lru_cache

from iamdesk.core.evaluator.conditions.base import OperatorSpec, ValueMatcher

logger = logging.getLogger(__name__)


def _decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


@lru_cache(maxsize=1024)
def _binary_equals(values: tuple[str, ...]) -> ValueMatcher:
    raw = frozenset(values)
    decoded = frozenset(d for d in (_decode(v) for v in values) if d is not None)

    def matches(value: str) -> bool:
        if value in raw:
            return True
        data = _decode(value)
        return data is not None and data in decoded

    return matches


OPERATORS = {"binaryequals": OperatorSpec("BinaryEquals", False, _binary_equals)}
