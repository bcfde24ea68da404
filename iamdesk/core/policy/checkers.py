"""Whether decoded statements are ones the parser takes as they are, checked quickly.

``plain_statements`` runs this for every statement of every document a batch brings, so it is
written for the interpreter's costs: a bytecode is cheap, a call (even into C) or a new object
costs ten of them. Looking each element up by name ("Sid" in st, st.get("Effect")...) made the
check ~7,000 instructions a statement. Instead, the elements of a statement come in one of few
orders ("Sid, Effect, Action, Resource" and a handful more in a batch), and each order gets a
checker of its own, written once from ``_RULES``: it unpacks the statement's names and values
by position, confirms the names are the ones it was written for, and runs the few comparisons
each value needs (~3,000 instructions). The checker last used for statements of a size is tried
first; a statement in another order finds its own (``_by_order``).

Everything here agrees with the parser exactly (``tests/core/policy/test_plain.py`` compares
the verdicts on generated documents, malformed ones included); anything it does not vouch for
goes to the parser, which names what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import call
from typing import Any

from iamdesk.core.policy.parser import PRINCIPAL_TYPES, STATEMENT_KEYS

_TYPES = frozenset(PRINCIPAL_TYPES)
_join = "".join  # refuses (TypeError) any item that is not a string, in C


def _principal(value: dict[Any, Any]) -> bool:
    """A Principal object: known types, each a string or a non-empty list of strings."""
    if not value:
        return False
    for key, items in value.items():
        if key not in _TYPES:
            return False
        if type(items) is not str:
            if type(items) is not list or not items:
                return False
            _join(items)
    return True


def _condition(value: dict[Any, Any]) -> bool:
    """A Condition object: operator -> {key: a string, number or boolean, or a list of them}.
    No float: the parser reads one as json.dumps renders it, and a batch line read with orjson
    may hold one standing for an integer beyond 64 bits (see cli.cases.reader)."""
    for operator, block in value.items():
        if type(operator) is not str or type(block) is not dict:
            return False
        for key, values in block.items():
            kind = type(values)
            if type(key) is not str:
                return False
            if kind is list:
                for item in values:
                    kind = type(item)
                    if kind is not str and kind is not bool and kind is not int:
                        return False
            elif kind is not str and kind is not bool and kind is not int:
                return False
    return True


# The check of each element's value, as lines of a checker's body ({v} is the value); a
# string, the common case, is tested first.
_STRINGS = (  # Action, Resource and their Not forms: a string or a non-empty list of strings
    "if type({v}) is not str:",
    "    if type({v}) is not list or not {v}:",
    "        return False",
    "    _join({v})",
)
_PRINCIPAL = (
    "if type({v}) is str:",
    '    if {v} != "*":',
    "        return False",
    "elif type({v}) is not dict or not _principal({v}):",
    "    return False",
)
_RULES = {
    "Sid": ("if type({v}) is not str:", "    return False"),
    "Effect": (
        'if ({v} != "Allow" and {v} != "Deny") or type({v}) is not str:',
        "    return False",
    ),
    "Action": _STRINGS,
    "NotAction": _STRINGS,
    "Resource": _STRINGS,
    "NotResource": _STRINGS,
    "Principal": _PRINCIPAL,
    "NotPrincipal": _PRINCIPAL,
    "Condition": ("if type({v}) is not dict or not _condition({v}):", "    return False"),
}
assert _RULES.keys() == set(STATEMENT_KEYS)

Checker = Callable[[Any], bool]

# Checkers by the elements' names in order (None: a set of elements the parser refuses). The
# table is bounded; an order met once it is full is checked by ``_any_order``.
_CHECKERS: dict[tuple[Any, ...], Checker | None] = {}
_CHECKERS_LIMIT = 512


def _shape_allowed(names: tuple[Any, ...]) -> bool:
    """Whether a statement with these elements is one the parser takes, values aside."""
    present = set(names)
    return (
        present <= _RULES.keys()
        and "Effect" in present
        and ("Action" in present) != ("NotAction" in present)
        and not ("Resource" in present and "NotResource" in present)
        and not ("Principal" in present and "NotPrincipal" in present)
    )


def _write(names: tuple[str, ...]) -> Checker:
    """The checker of statements with exactly these elements in this order."""
    # The source is made of the rules' text and the (known) element names only: values are
    # named by position, so nothing from a document is ever compiled.
    keys = ", ".join(f"k{i}" for i in range(len(names)))
    values = ", ".join(f"v{i}" for i in range(len(names)))
    same = " or ".join(f"k{i} != {name!r}" for i, name in enumerate(names))
    body = [f"{keys}, = statement", f"if {same}:", "    return _by_order(statement)"]
    body.append(f"{values}, = statement.values()")
    for i, name in enumerate(names):
        body += [line.format(v=f"v{i}") for line in _RULES[name]]
    source = "def check(statement):\n" + "".join(f"    {line}\n" for line in body)
    source += "    return True\n"
    namespace: dict[str, Any] = {
        "_join": _join,
        "_principal": _principal,
        "_condition": _condition,
        "_by_order": _by_order,
    }
    exec(compile(source, f"<statement checker: {', '.join(names)}>", "exec"), namespace)
    checker: Checker = namespace["check"]
    return checker


def _value_check(name: str) -> Callable[[Any], bool]:
    lines = [line.format(v="v0") for line in _RULES[name]]
    source = "def check(v0):\n" + "".join(f"    {line}\n" for line in lines)
    source += "    return True\n"
    namespace: dict[str, Any] = {"_join": _join, "_principal": _principal, "_condition": _condition}
    exec(compile(source, f"<value checker: {name}>", "exec"), namespace)
    check: Callable[[Any], bool] = namespace["check"]
    return check


_VALUE_CHECKS = {name: _value_check(name) for name in _RULES}


def _any_order(statement: dict[str, Any]) -> bool:
    """The check of any allowed order (slower: each element's rule is looked up by name)."""
    checks = _VALUE_CHECKS
    return all(checks[name](value) for name, value in statement.items())


def _checker(names: tuple[Any, ...]) -> Checker | None:
    """The checker for statements with these elements in this order, or None for a set of
    elements the parser refuses."""
    if names in _CHECKERS:
        return _CHECKERS[names]
    if not _shape_allowed(names):
        found = None
    elif len(_CHECKERS) >= _CHECKERS_LIMIT:
        return _any_order
    else:
        found = _write(names)
    if len(_CHECKERS) < _CHECKERS_LIMIT:
        _CHECKERS[names] = found
    return found


# The checker to try first for a statement of n elements: the last one used for that size.
_BY_SIZE: list[Checker] = []


def _by_order(statement: dict[str, Any]) -> bool:
    """Check a statement with the checker of its own order (written if need be), and try that
    one first for the next statement of its size."""
    names = tuple(statement)
    check = _checker(names)
    if check is None:
        return False
    if check is not _any_order:
        _BY_SIZE[len(names)] = check
    return check(statement)


_BY_SIZE.extend([_by_order] * (len(STATEMENT_KEYS) + 1))


def _one_by_one(statements: list[Any]) -> bool:
    for statement in statements:
        if type(statement) is not dict or not _by_order(statement):
            return False
    return True


def statements_ok(statements: list[Any]) -> bool:
    """Whether the parser takes every statement as it is. Raises ``TypeError`` for a list item
    or a key that is not a string where one must be (the parser refuses those too)."""
    try:
        # The statements' checkers, chosen by size and called from C, not by a loop here: a
        # statement costs its checker's own operations and little more.
        return all(map(call, map(_BY_SIZE.__getitem__, map(len, statements)), statements))
    except (AttributeError, IndexError, TypeError, ValueError):
        # A statement that is not an object (no len(), no values(), or the wrong count of
        # them), or one with more elements than there are: looked at one by one.
        return _one_by_one(statements)


__all__ = ["statements_ok"]
