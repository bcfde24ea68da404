"""One principal, one action, one resource: the evaluator's answer over the snapshot, and which
principals are worth asking at all.

``decide`` builds the request and the policy set the way ``services.simulate`` does (identity,
boundary, session policy, the principal's SCPs, the resource account's RCPs, the resource's
policy or a role's trust policy for STS actions) and asks ``core.evaluator``: first as written;
when that denies, again with conditions set aside, which tells "allowed if ..." from "denied".
``candidates`` narrows 10,000 principals to the few whose policies can grant the action.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from iamdesk.analysis.refs import StatementRef
from iamdesk.analysis.snapshot import Actor, Compiled, Snapshot, Target
from iamdesk.core.evaluator import (
    IMPLICIT_DENY,
    Decision,
    PolicyRef,
    PolicySet,
    Request,
    evaluate,
)
from iamdesk.core.evaluator.compiled import resource_policy_must_allow
from iamdesk.core.policy.document import ConditionEntry
from iamdesk.core.policy.wording import condition_phrase


@dataclass(frozen=True)
class Verdict:
    conditional: bool  # allowed only when ``conditions`` hold (denied as the request stands)
    statements: tuple[StatementRef, ...]  # the deciding allow statements
    conditions: tuple[str, ...]  # the deciding statements' conditions, in words


def _policy_set(
    snap: Snapshot, actor: Actor, action: str, target: Target | None, raccount: str, lax: bool
) -> PolicySet:
    policy = target.policy if target is not None else None
    # A role's trust policy governs only STS's operations on the role.
    if target is not None and target.service == "iam" and not action.lower().startswith("sts:"):
        policy = None
    rcps = snap.rcps.get(raccount)
    scps = snap.scps.get(actor.account_id)
    way = "lax" if lax else "strict"  # the same policies, as written or conditions set aside

    def placed(compiled: Compiled | None) -> PolicyRef | None:
        return getattr(compiled, way) if compiled is not None else None

    return PolicySet(
        identity=[getattr(c, way) for c in actor.identity],
        permissions_boundary=placed(actor.boundary),
        session_policy=placed(actor.session_policy),
        scps=getattr(scps, way) if scps else (),
        rcps=getattr(rcps, way) if rcps else (),
        resource_policy=placed(policy),
        resource_policy_must_allow=policy is not None and resource_policy_must_allow(action),
    )


def request_for(snap: Snapshot, actor: Actor, action: str, resource: str) -> tuple[Request, str]:
    target = snap.target_for(resource)
    raccount = snap.resource_account(resource, target, actor)
    context = {**actor.context, **snap.resource_context(raccount)}
    return Request(actor.principal, action, resource, raccount, context), raccount


def evaluate_strict(snap: Snapshot, actor: Actor, action: str, resource: str) -> Decision:
    """The evaluator's decision as the policies are written (what simulation answers)."""
    request, raccount = request_for(snap, actor, action, resource)
    target = snap.target_for(resource)
    return evaluate(
        request, _policy_set(snap, actor, action, target, raccount, False), explain=False
    )


def decide(snap: Snapshot, actor: Actor, action: str, resource: str) -> Verdict | None:
    """Allowed (``conditional`` False), allowed if conditions hold (True), or None: denied."""
    request, raccount = request_for(snap, actor, action, resource)
    target = snap.target_for(resource)
    strict = _policy_set(snap, actor, action, target, raccount, False)
    decision = evaluate(request, strict, explain=False)
    if decision.allowed:
        return _verdict(snap, decision, False)
    if decision.decision == IMPLICIT_DENY and not _conditional_allow(strict, action):
        return None  # setting conditions aside cannot add an Allow
    lax = _policy_set(snap, actor, action, target, raccount, True)
    if _same(strict, lax):
        return None
    if "aws:TokenIssueTime" not in request.context:
        # Conditions set aside, the requester may hold a session issued now.
        context = {**request.context, "aws:TokenIssueTime": request.context["aws:CurrentTime"]}
        request = replace(request, context=context)
    relaxed = evaluate(request, lax, explain=False)
    if not relaxed.allowed:
        return None
    found = _verdict(snap, relaxed, True)
    unless = _deny_conditions(snap, decision)
    return Verdict(True, found.statements, tuple(dict.fromkeys(found.conditions + unless)))


def _deny_conditions(snap: Snapshot, decision: Decision) -> tuple[str, ...]:
    """What must not hold for the conditional Deny statements that denied: each in words,
    negated ("aws:RequestedRegion is us-east-1 or eu-west-1" for a StringNotEquals deny)."""
    out: list[str] = []
    for m in decision.matched_statements:
        source = snap.sources.get(m.label) if m.effect == "Deny" else None
        if source is None:
            continue
        entries = source.statement(m.statement_index).conditions
        if len(entries) == 1:
            out.append(negated_phrase(entries[0]))
        elif entries:
            inner = " and ".join(_phrase(e) for e in entries)
            out.append(f"not ({inner}) [{source.label}]")
    return tuple(out)


_OPPOSITE = {
    "StringEquals": "StringNotEquals",
    "StringEqualsIgnoreCase": "StringNotEqualsIgnoreCase",
    "StringLike": "StringNotLike",
    "NumericEquals": "NumericNotEquals",
    "NumericLessThan": "NumericGreaterThanEquals",
    "NumericLessThanEquals": "NumericGreaterThan",
    "DateEquals": "DateNotEquals",
    "DateLessThan": "DateGreaterThanEquals",
    "DateLessThanEquals": "DateGreaterThan",
    "IpAddress": "NotIpAddress",
    "ArnEquals": "ArnNotEquals",
    "ArnLike": "ArnNotLike",
}
_OPPOSITE.update({v: k for k, v in list(_OPPOSITE.items())})


def _phrase(entry: ConditionEntry) -> str:
    return condition_phrase(entry.operator, entry.key, [v.text for v in entry.values])


def negated_phrase(entry: ConditionEntry) -> str:
    """The condition that keeps a one-condition Deny from applying, in words."""
    values = [v.text for v in entry.values]
    # Negating "X (if present)" needs X's key present with the opposite value.
    operator = entry.operator.removesuffix("IfExists")
    if operator in _OPPOSITE:
        return condition_phrase(_OPPOSITE[operator], entry.key, values)
    if operator in ("Bool", "Null") and len(values) == 1 and values[0].lower() in ("true", "false"):
        flipped = "false" if values[0].lower() == "true" else "true"
        return condition_phrase(operator, entry.key, [flipped])
    return f"not ({_phrase(entry)})"


def _conditional_allow(ps: PolicySet, action: str) -> bool:
    """Whether some policy of the set has an Allow statement for ``action`` with a condition."""
    key = action.lower()
    for policy in _policies(ps):
        if policy is None:
            continue
        for st in policy.for_action(key):  # type: ignore[attr-defined]
            if st.allow and st.statement.conditions:
                return True
    return False


def _same(strict: PolicySet, lax: PolicySet) -> bool:
    """No policy in the set has a condition: the lax answer would be the strict one."""
    return all(a is b for a, b in zip(_policies(strict), _policies(lax), strict=True))


def _policies(ps: PolicySet) -> list[object]:
    refs = [
        *ps.identity,
        ps.permissions_boundary,
        ps.session_policy,
        ps.resource_policy,
        *(r for level in (*ps.scps, *ps.rcps) for r in level),
    ]
    return [r.policy if r is not None else None for r in refs]


def _verdict(snap: Snapshot, decision: Decision, conditional: bool) -> Verdict:
    refs: list[StatementRef] = []
    conditions: dict[str, None] = {}
    for m in decision.matched_statements:
        if m.effect != "Allow":
            continue
        source = snap.sources.get(m.label)
        if source is None:
            continue
        statement = source.statement(m.statement_index)
        refs.append(source.ref(m.statement_index))
        for entry in statement.conditions:
            conditions[_phrase(entry)] = None
    return Verdict(conditional, tuple(refs), tuple(conditions))


# ----------------------------------------------------------------------------- candidates


class CandidateIndex:
    """Which actors' identity policies can allow an action (conditions set aside), built from
    each distinct compiled policy once, and which actors a resource policy names."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        by_policy: dict[int, tuple[object, list[Actor]]] = {}
        for actor in snap.actors:
            for compiled in actor.identity:
                policy = compiled.lax.policy
                by_policy.setdefault(id(policy), (policy, []))[1].append(actor)
        self._by_policy = list(by_policy.values())
        self._sessions: dict[str, list[Actor]] = {}
        for actor in snap.actors:
            if actor.ref.kind == "session":
                self._sessions.setdefault(actor.row.arn, []).append(actor)
        self._cache: dict[str, list[Actor]] = {}

    def identity_allows(self, action: str) -> list[Actor]:
        """Actors with an Allow statement for ``action`` in an identity policy, model order."""
        key = action.lower()
        found = self._cache.get(key)
        if found is None:
            chosen: dict[int, Actor] = {}
            for policy, actors in self._by_policy:
                if any(st.allow for st in policy.for_action(key)):  # type: ignore[attr-defined]
                    for actor in actors:
                        chosen[id(actor)] = actor
            order = {id(a): i for i, a in enumerate(self.snap.actors)} if chosen else {}
            found = sorted(chosen.values(), key=lambda a: order[id(a)])
            if len(self._cache) > 2048:
                self._cache.clear()
            self._cache[key] = found
        return found

    def named_by(self, target: Target | None, action: str) -> tuple[list[Actor], bool]:
        """(actors a resource policy's Allow statements for ``action`` name by ARN, whether one
        names everyone). Grants to an account need the identity side, so they add nobody."""
        if target is None or target.policy is None:
            return [], False
        named: list[Actor] = []
        for st in target.policy.lax.policy.for_action(action.lower()):
            if not st.allow:
                continue
            statement = st.statement
            if statement.not_principal is not None:
                return [], True
            block = statement.principal
            if block is None:
                continue
            if block.wildcard:
                return [], True
            for kind, values in block.entries:
                if kind != "AWS":
                    continue
                for value in values:
                    if value.text == "*":
                        return [], True
                    actor = self.snap.by_arn.get(value.text)
                    if actor is not None:
                        named.append(actor)
                        named.extend(self._sessions.get(actor.arn, ()))
        return named, False

    def candidates(self, action: str, resource: str, scope: Iterable[Actor]) -> list[Actor]:
        target = self.snap.target_for(resource)
        named, everyone = self.named_by(target, action)
        if everyone:
            return list(scope)
        wanted = {id(a) for a in self.identity_allows(action)} | {id(a) for a in named}
        return [a for a in scope if id(a) in wanted]


def index_of(snap: Snapshot) -> CandidateIndex:
    found = snap.memo.get("candidates")
    if found is None:
        found = snap.memo["candidates"] = CandidateIndex(snap)
    assert isinstance(found, CandidateIndex)
    return found
