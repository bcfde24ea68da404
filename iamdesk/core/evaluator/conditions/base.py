"""What every condition-operator family provides to the dispatcher.

A family turns the policy's values into one predicate, ``matches(request_value) -> bool``,
true when the request value matches *any* of the policy values (values are OR-ed). Negated
operators (StringNotEquals, NotIpAddress, ...) share their positive twin's predicate and set
``negated``; the dispatcher applies the negation, so "none of the values match" (NOR) falls out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

ValueMatcher = Callable[[str], bool]


class InvalidConditionValue(ValueError):
    """A policy value the operator cannot read (e.g. ``NumericLessThan: "ten"``)."""


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    name: str  # canonical spelling, e.g. "StringNotEqualsIgnoreCase"
    negated: bool
    prepare: Callable[[tuple[str, ...]], ValueMatcher]
    variables: bool = False  # policy variables are substituted in the values


def never(_value: str) -> bool:
    return False


Ordered = TypeVar("Ordered")


def ordered_comparison(
    parse: Callable[[str], Ordered | None],
    compare: Callable[[Ordered, Ordered], bool],
    kind: str,
) -> Callable[..., ValueMatcher]:
    """A Numeric*/Date* operator: policy values must parse (else ``InvalidConditionValue``
    naming ``kind``); a request value that does not parse matches nothing."""

    @lru_cache(maxsize=4096)
    def prepare(values: tuple[str, ...]) -> ValueMatcher:
        limits = []
        for text in values:
            limit = parse(text)
            if limit is None:
                raise InvalidConditionValue(f"{text!r} is not {kind}")
            limits.append(limit)

        def matches(value: str) -> bool:
            parsed = parse(value)
            return parsed is not None and any(compare(parsed, limit) for limit in limits)

        return matches

    return prepare
