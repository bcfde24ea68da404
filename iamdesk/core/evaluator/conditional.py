"""Conditional answers: for a request whose context lacks keys the policies test, the values
of those keys under which it would be allowed ("allowed if aws:MultiFactorAuthPresent is true
and aws:SourceIp in 203.0.113.0/24").

A statement that would allow but for conditions on absent keys suggests values for them (a
value each such condition accepts); the request is evaluated again with those values, so an
answer is only offered when it really allows (a Deny that the values would trigger, or another
policy type that still says no, rules it out). Each answer is a set of requirements, one per
condition; several answers are alternatives.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from iamdesk.core.evaluator.compiled import CompiledStatement, PolicySet
from iamdesk.core.evaluator.conditions.dispatch import ANY, CompiledCondition, parse_operator
from iamdesk.core.evaluator.decision import Decision, evaluate
from iamdesk.core.evaluator.explain import policy_refs
from iamdesk.core.evaluator.request import Env, Request

logger = logging.getLogger(__name__)

_PHRASES = {
    "StringEquals": "is",
    "StringEqualsIgnoreCase": "is (any case)",
    "StringLike": "matches",
    "ArnEquals": "is",
    "ArnLike": "matches",
    "Bool": "is",
    "BinaryEquals": "is",
    "IpAddress": "in",
    "NumericEquals": "=",
    "NumericLessThan": "<",
    "NumericLessThanEquals": "<=",
    "NumericGreaterThan": ">",
    "NumericGreaterThanEquals": ">=",
    "DateEquals": "is",
    "DateLessThanEquals": "at or before",
    "DateGreaterThanEquals": "at or after",
    "StringNotEquals": "is not",
    "StringNotLike": "does not match",
}


@dataclass(frozen=True, slots=True)
class Requirement:
    """One condition the request must meet: ``key`` (as the policy writes it) under
    ``operator`` with one of ``values``."""

    key: str
    operator: str
    values: tuple[str, ...]

    @property
    def text(self) -> str:
        base = parse_operator(self.operator).base
        if base == "Null":
            return f"{self.key} is present"
        phrase = _PHRASES.get(base, self.operator)
        shown = ", ".join(self.values)
        if len(self.values) > 1:
            return f"{self.key} {phrase} one of {shown}"
        return f"{self.key} {phrase} {shown}"

    def to_json(self) -> dict[str, object]:
        return {"key": self.key, "operator": self.operator, "values": list(self.values)}


@dataclass(frozen=True, slots=True)
class ConditionalAllow:
    """The request would be allowed with every requirement met."""

    requirements: tuple[Requirement, ...]

    @property
    def text(self) -> str:
        return "allowed if " + " and ".join(r.text for r in self.requirements)

    def to_json(self) -> list[dict[str, object]]:
        return [r.to_json() for r in self.requirements]


def _witness(base: str, texts: tuple[str, ...]) -> str | None:
    """A value that satisfies the positive operator ``base`` with ``texts``, or None."""
    for text in texts:
        value: str | None = text
        if base in ("StringLike", "ArnLike"):
            value = text.replace("*", "x").replace("?", "x")
        elif base == "IpAddress":
            try:
                value = str(ipaddress.ip_network(text, strict=False).network_address)
            except ValueError:
                value = None
        elif base.startswith("Numeric"):
            try:
                number = Decimal(text)
            except InvalidOperation:
                continue
            step = {"NumericLessThan": -1, "NumericGreaterThan": 1}.get(base, 0)
            value = str(number + step)
        elif base == "Null":
            value = "x" if text.lower() == "false" else None
        elif base.startswith("Date") and base not in (
            "DateEquals",
            "DateLessThanEquals",
            "DateGreaterThanEquals",
        ):
            value = None  # a strict bound needs another instant; not offered
        if value is not None:
            return value
    return None


_OTHER = "iamdesk-other-value"  # a value no ordinary policy names


def _defuse(cond: CompiledCondition) -> tuple[Requirement, str] | None:
    """A value of an absent key that makes ``cond`` (true because the key is absent) false,
    with the requirement it stands for; None when none can be offered."""
    texts = tuple(v.text for v in cond.entry.values)
    base = parse_operator(cond.operator).base
    key = cond.written_key
    if cond.is_null:
        return Requirement(key, "Null", ("false",)), "x"
    if cond.qualifier is not None:
        return None
    if cond.negated:
        positive = base.replace("Not", "", 1)
        value = _witness(positive, texts)
        return (Requirement(key, positive, texts), value) if value is not None else None
    if base == "Bool" and texts:
        flipped = "false" if texts[0].lower() == "true" else "true"
        return Requirement(key, "Bool", (flipped,)), flipped
    if base in ("StringEquals", "StringEqualsIgnoreCase", "ArnEquals"):
        return Requirement(key, "StringNotEquals", texts), _OTHER
    if base in ("StringLike", "ArnLike") and "*" not in texts:
        return Requirement(key, "StringNotLike", texts), _OTHER
    return None


def _suggestion(
    st: CompiledStatement, env: Env
) -> tuple[list[Requirement], dict[str, str | list[str]]] | None:
    """What ``st`` (an Allow whose other elements match) needs of the absent keys, with values
    that meet it; None when it fails for another reason or no value can be offered."""
    requirements: list[Requirement] = []
    values: dict[str, str | list[str]] = {}
    for cond in st.conditions:
        if cond.evaluate(env):
            continue
        if cond.key in env.context or cond.negated or cond.spec is None:
            return None  # fails on a value the request has: no absent key to supply
        texts = tuple(v.text for v in cond.entry.values)
        value = _witness(parse_operator(cond.operator).base, texts)
        if value is None:
            return None
        requirements.append(Requirement(cond.written_key, cond.operator, texts))
        values[cond.written_key] = [value] if cond.qualifier == ANY else value
    return (requirements, values) if requirements else None


def allowed_if(
    request: Request, policy_set: PolicySet, decision: Decision | None = None
) -> tuple[ConditionalAllow, ...]:
    """The ways ``request`` would be allowed if its context held keys it lacks (empty when it
    is allowed already, or when no absent key stands in the way)."""
    if decision is None:
        decision = evaluate(request, policy_set, explain=False)
    if decision.allowed or not decision.missing_context_values:
        return ()
    env = Env(request)
    env.has_boundary = policy_set.permissions_boundary is not None
    suggestions: list[tuple[list[Requirement], dict[str, str | list[str]]]] = []
    # Denies that apply only because a key is absent (BoolIfExists, a negated operator): the
    # value that turns each of them off is needed whatever else is.
    base_requirements: list[Requirement] = []
    base_values: dict[str, str | list[str]] = {}
    for ptype, ref, principal in policy_refs(policy_set, decision.applies):
        for st in ref.policy.for_action(env.action):
            if not st.resource_matches(env):
                continue
            checked = principal and (
                ptype in ("resource_policy", "endpoint_policy") or st.principal
            )
            if checked and st.principal_kind(env) is None:
                continue
            if not st.allow:
                if all(c.evaluate(env) for c in st.conditions):
                    off = next(
                        (
                            turned
                            for c in st.conditions
                            if c.key not in env.context and (turned := _defuse(c)) is not None
                        ),
                        None,
                    )
                    if off is None:
                        return ()  # a Deny no absent key can turn off
                    if off[0] not in base_requirements:
                        base_requirements.append(off[0])
                        base_values.setdefault(off[0].key, off[1])
                continue
            found = _suggestion(st, env)
            if found is not None and found not in suggestions:
                suggestions.append(found)
    if base_requirements:
        suggestions = [
            (base_requirements + [r for r in reqs if r not in base_requirements], values)
            for reqs, values in suggestions
        ] or [(base_requirements, {})]
        suggestions = [(reqs, {**base_values, **values}) for reqs, values in suggestions]
    answers: list[ConditionalAllow] = []

    def works(values: dict[str, str | list[str]]) -> bool:
        context = {**request.context, **values}
        return evaluate(replace(request, context=context), policy_set, explain=False).allowed

    for requirements, values in suggestions:
        if works(values):
            answers.append(ConditionalAllow(tuple(requirements)))
    if answers or len(suggestions) < 2:
        return tuple(answers)
    # Several policy types may each need their own condition met (identity and boundary):
    # together, then without each one that turns out not to be needed.
    chosen = list(suggestions)
    merged: dict[str, str | list[str]] = {}
    for _, values in chosen:
        for key, value in values.items():
            merged.setdefault(key, value)
    if not works(merged):
        return ()
    for item in list(chosen):
        rest = [s for s in chosen if s is not item]
        trial: dict[str, str | list[str]] = {}
        for _, values in rest:
            for key, value in values.items():
                trial.setdefault(key, value)
        if rest and works(trial):
            chosen = rest
    needed: list[Requirement] = []
    for reqs, _ in chosen:
        needed.extend(r for r in reqs if r not in needed)
    return (ConditionalAllow(tuple(needed)),)
