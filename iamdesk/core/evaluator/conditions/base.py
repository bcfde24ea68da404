"""What every condition-operator family provides to the dispatcher.

A family turns the policy's values into one predicate, ``matches(request_value) -> bool``,
true when the request value matches *any* of the policy values (values are OR-ed). Negated
operators (StringNotEquals, NotIpAddress, ...) share their positive twin's predicate and set
``negated``; the dispatcher applies the negation, so "none of the values match" (NOR) falls out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
