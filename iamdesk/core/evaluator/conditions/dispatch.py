"""One compiled ``operator: {key: values}`` entry and how it is decided against a request.

AWS's rules, applied here rather than in each family:
- several values for a key are OR-ed; a negated operator is true when *none* matches (NOR);
- a key missing from the request: ``ForAnyValue`` is false (even with ``IfExists``); otherwise the
  ``IfExists`` suffix makes the condition true; ``ForAllValues`` is true (nothing to check);
  positive operators are false and negated operators true; ``Null`` looks only at presence;
- ``ForAllValues``: every request value must satisfy the operator; ``ForAnyValue``: at least one;
- keys are case-insensitive, values case-sensitive (unless the operator says otherwise).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from iamdesk.core.evaluator.conditions import arn, binary, boolean, date, ip, numeric, string
from iamdesk.core.evaluator.conditions.base import (
    InvalidConditionValue,
    OperatorSpec,
    ValueMatcher,
    never,
)
from iamdesk.core.evaluator.request import Env
from iamdesk.core.evaluator.trace import MismatchReason
from iamdesk.core.evaluator.variables import Template, parse_template
from iamdesk.core.policy.document import ConditionEntry

logger = logging.getLogger(__name__)

_OPERATORS: dict[str, OperatorSpec] = {
    **string.OPERATORS,
    **numeric.OPERATORS,
    **date.OPERATORS,
    **boolean.OPERATORS,
    **binary.OPERATORS,
    **ip.OPERATORS,
    **arn.OPERATORS,
}

ALL = "ForAllValues"
ANY = "ForAnyValue"


@dataclass(frozen=True, slots=True)
class ParsedOperator:
    qualifier: str | None  # ALL, ANY or None
    base: str  # canonical name of the operator family member, e.g. "StringLike"
    if_exists: bool
    spec: OperatorSpec | None  # None: unknown operator


@lru_cache(maxsize=1024)
def parse_operator(text: str) -> ParsedOperator:
    rest = text
    qualifier = None
    lower = rest.lower()
    if lower.startswith("forallvalues:"):
        qualifier, rest = ALL, rest[len("ForAllValues:") :]
    elif lower.startswith("foranyvalue:"):
        qualifier, rest = ANY, rest[len("ForAnyValue:") :]
    if_exists = False
    if rest.lower().endswith("ifexists") and len(rest) > len("IfExists"):
        if_exists, rest = True, rest[: -len("IfExists")]
    spec = _OPERATORS.get(rest.lower())
    return ParsedOperator(qualifier, spec.name if spec else rest, if_exists, spec)


def known_operator(text: str) -> bool:
    parsed = parse_operator(text)
    if parsed.spec is None:
        return False
    return not (parsed.base == "Null" and (parsed.if_exists or parsed.qualifier))


# What a condition needs of its operator, by the operator as written: spec, qualifier,
# IfExists, whether it is Null, whether it is negated (operators repeat across policies).
_Facts = tuple["OperatorSpec | None", "str | None", bool, bool, bool]
_FACTS: dict[str, _Facts] = {}


def _facts(operator: str) -> _Facts:
    op = parse_operator(operator)
    found = (
        op.spec,
        op.qualifier,
        op.if_exists,
        op.base == "Null",
        bool(op.spec and op.spec.negated),
    )
    if len(_FACTS) < 4096:
        _FACTS[operator] = found
    return found


class EntrySource(Protocol):
    """Where a condition finds its parsed entry when first asked (``PlainSource``)."""

    def condition_entry(self, statement: int, condition: int) -> ConditionEntry: ...


@dataclass(frozen=True, slots=True)
class ConditionOutcome:
    matched: bool
    reason: MismatchReason | None
    request_values: tuple[str, ...] | None  # None: the key is not in the request


class CompiledCondition:
    """Compiled once per policy; ``evaluate`` is the fast path, ``explain`` the traced one."""

    __slots__ = (
        "_entry",
        "if_exists",
        "invalid",
        "is_null",
        "key",
        "matcher",
        "negated",
        "operator",
        "qualifier",
        "spec",
        "templates",
        "written_key",
    )

    def __init__(
        self,
        operator: str,
        key: str,
        texts: tuple[str, ...],
        variables: bool,
        entry: ConditionEntry | tuple[EntrySource, int, int],
    ) -> None:
        """``entry`` is the parsed entry, or (source, statement index, condition index) to
        find it by when a trace needs its positions (a policy read without positions: see
        ``iamdesk.core.policy.plain``)."""
        self._entry = entry
        self.operator = operator
        self.written_key = key
        self.key = key.lower()
        facts = _FACTS.get(operator)
        if facts is None:
            facts = _facts(operator)
        spec, self.qualifier, self.if_exists, self.is_null, self.negated = facts
        self.spec = spec
        self.invalid: str | None = None
        self.templates: tuple[Template | str, ...] | None = None
        self.matcher: ValueMatcher = never
        if spec is None:
            return
        if variables and spec.variables:
            for text in texts:
                if "${" in text:
                    parts = tuple(parse_template(t) for t in texts)
                    if any(isinstance(p, Template) for p in parts):
                        self.templates = parts
                        return
                    texts = tuple(p for p in parts if isinstance(p, str))
                    break
        try:
            self.matcher = spec.prepare(texts)
        except InvalidConditionValue as exc:
            self.invalid = str(exc)

    @property
    def entry(self) -> ConditionEntry:
        entry = self._entry
        if not isinstance(entry, ConditionEntry):
            source, statement, condition = entry
            entry = self._entry = source.condition_entry(statement, condition)
        return entry

    def _matcher(self, env: Env) -> tuple[ValueMatcher, bool]:
        """The predicate for this request, and whether some variable had no value."""
        if self.templates is None:
            return self.matcher, False
        resolved: list[str] = []
        unresolved = False
        for part in self.templates:
            if isinstance(part, str):
                resolved.append(part)
                continue
            value = part.resolve(env)
            if value is None:
                unresolved = True
            else:
                resolved.append(value)
        assert self.spec is not None
        try:
            return self.spec.prepare(tuple(resolved)), unresolved
        except InvalidConditionValue:
            return never, unresolved

    def evaluate(self, env: Env) -> bool:
        if self.spec is None:
            return False
        values = env.context.get(self.key)
        if self.is_null:
            present = bool(values)
            return self.matcher("false" if present else "true")
        if values is None:
            return self._missing()
        if self.templates is not None:
            return self._decide(self._matcher(env)[0], values)
        if self.qualifier is None and len(values) == 1:
            # A plain operator on a single value (the usual case): _decide, without the loop.
            return self.matcher(values[0]) != self.negated
        return self._decide(self.matcher, values)

    def _missing(self) -> bool:
        # ForAnyValue on an absent key is false even with IfExists: "no value, no match" wins
        # (observed in AWS: ForAnyValue:StringEqualsIfExists on aws:TagKeys refuses
        # sqs:ListQueues, whose request carries no tag keys).
        if self.qualifier == ANY:
            return False
        if self.if_exists or self.qualifier == ALL:
            return True
        return self.negated

    def _decide(self, matcher: ValueMatcher, values: tuple[str, ...]) -> bool:
        negated = self.negated
        if self.qualifier == ALL:
            return all(matcher(v) != negated for v in values)
        if self.qualifier == ANY:
            return any(matcher(v) != negated for v in values)
        # A plain operator on a multi-valued key: true if any value matches (negated: none).
        hit = any(matcher(v) for v in values)
        return hit != negated

    def explain(self, env: Env) -> ConditionOutcome:
        if self.spec is None:
            return ConditionOutcome(False, MismatchReason.UNKNOWN_OPERATOR, None)
        values = env.context.get(self.key)
        if self.is_null:
            ok = self.evaluate(env)
            return ConditionOutcome(ok, None if ok else MismatchReason.CONDITION_NOT_MET, values)
        if values is None:
            ok = self._missing()
            return ConditionOutcome(ok, None if ok else MismatchReason.CONTEXT_KEY_MISSING, None)
        matcher, unresolved = self._matcher(env)
        ok = self._decide(matcher, values)
        if ok:
            return ConditionOutcome(True, None, values)
        if self.invalid is not None:
            reason = MismatchReason.INVALID_CONDITION_VALUE
        elif unresolved:
            reason = MismatchReason.VARIABLE_MISSING
        else:
            reason = MismatchReason.CONDITION_NOT_MET
        return ConditionOutcome(False, reason, values)


def compile_condition(entry: ConditionEntry, variables: bool) -> CompiledCondition:
    texts = tuple(v.text for v in entry.values)
    return CompiledCondition(entry.operator, entry.key, texts, variables, entry)
