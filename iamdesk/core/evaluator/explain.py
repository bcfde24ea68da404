"""The slow, thorough half of an evaluation: the full per-statement trace, the near misses of an
implicit deny, and the plain-English sentence that says why."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from iamdesk.core.evaluator.compiled import PolicyRef, PolicySet
from iamdesk.core.evaluator.decision import RCP_EXEMPT_ACTIONS, RCP_SERVICES, is_kms_key
from iamdesk.core.evaluator.request import Env, Request
from iamdesk.core.evaluator.trace import MismatchReason, NearMiss, StatementTrace

if TYPE_CHECKING:
    from iamdesk.core.evaluator.decision import Decision, MatchedStatement

logger = logging.getLogger(__name__)

BOUNDARY = "permissions_boundary"
SESSION = "session_policy"
ENDPOINT = "endpoint_policy"
_TYPE_NAMES = {
    "identity": "identity policy",
    "permissions_boundary": "permissions boundary",
    "session_policy": "session policy",
    "scps": "service control policy",
    "rcps": "resource control policy",
    "resource_policy": "resource policy",
    "endpoint_policy": "VPC endpoint policy",
}


def policy_refs(ps: PolicySet, applies: frozenset[str]) -> list[tuple[str, PolicyRef, bool]]:
    """The policies of the types that bore on a request, in decision order, each with whether
    its statements' Principal is checked."""
    refs: list[tuple[str, PolicyRef, bool]] = []
    if "identity" in applies:
        refs.extend(("identity", r, False) for r in ps.identity)
    if "permissions_boundary" in applies and ps.permissions_boundary is not None:
        refs.append(("permissions_boundary", ps.permissions_boundary, False))
    if "session_policy" in applies and ps.session_policy is not None:
        refs.append(("session_policy", ps.session_policy, False))
    if "scps" in applies:
        refs.extend(("scps", r, False) for level in ps.scps for r in level)
    if "rcps" in applies:
        refs.extend(("rcps", r, True) for level in ps.rcps for r in level)
    if ps.resource_policy is not None:
        refs.append(("resource_policy", ps.resource_policy, True))
    if ps.endpoint_policy is not None:
        refs.append(("endpoint_policy", ps.endpoint_policy, True))
    return refs


def attach_trace(decision: Decision, env: Env) -> None:
    traces: list[StatementTrace] = []
    for ptype, ref, principal in policy_refs(decision.policy_set, decision.applies):
        for st in ref.policy.statements:
            required = ptype in ("resource_policy", "endpoint_policy")
            check = principal and (required or st.principal is not None)
            traces.append(st.trace(env, ptype, ref, check))
    decision.trace = tuple(traces)
    if decision.decision == "implicitDeny":
        decision.near_misses = tuple(_near_misses(traces))


def _near_misses(traces: list[StatementTrace]) -> list[NearMiss]:
    misses = []
    for t in traces:
        if t.effect != "Allow" or not t.action.matched:
            continue
        failed = t.failed_elements
        if len(failed) != 1:
            continue
        element = failed[0]
        reasons: tuple[MismatchReason, ...]
        if element == "Resource":
            reasons = (t.resource.reason,) if t.resource.reason else ()
            detail = t.resource.reason.text if t.resource.reason else "resource mismatch"
        elif element == "Principal":
            assert t.principal is not None
            reasons = (t.principal.reason,) if t.principal.reason else ()
            detail = t.principal.reason.text if t.principal.reason else "principal mismatch"
        else:
            bad = [c for c in t.conditions if not c.matched]
            reasons = tuple(c.reason for c in bad if c.reason is not None)
            detail = "; ".join(
                f"{c.operator} {c.key}: {c.reason.text if c.reason else 'not met'}" for c in bad
            )
        misses.append(
            NearMiss(
                t.policy_type,
                t.label,
                t.name,
                t.statement_index,
                t.sid,
                t.span,
                element,
                reasons,
                detail,
            )
        )
    return misses


def _statement(m: MatchedStatement) -> str:
    sid = f" ({m.sid})" if m.sid else ""
    kind = _TYPE_NAMES[m.policy_type]
    if m.name:
        where = f"the {kind} {m.name}"
    elif m.label == m.policy_type:
        where = f"the {kind}"
    else:
        where = f"the {kind} {m.label}"
    return f"statement {m.statement_index}{sid} of {where}"


def _list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def explain_decision(decision: Decision) -> str:
    text = _explain(decision)
    skipped = _rcps_skipped(decision)
    return f"{text} {skipped}" if skipped else text


def _rcps_skipped(decision: Decision) -> str:
    """Why the resource control policies given did not take part, when they did not."""
    ps = decision.policy_set
    if not ps.rcps or "rcps" in decision.applies:
        return ""
    action = decision.request.action
    service = action.partition(":")[0].lower()
    if service not in RCP_SERVICES:
        return (
            f"The resource control policies were skipped: {service} does not support RCPs "
            "(they govern only the services AWS Organizations lists)."
        )
    if action.lower() in RCP_EXEMPT_ACTIONS:
        return f"The resource control policies were skipped: {action} is not effective in an RCP."
    return "The resource control policies were skipped: they do not govern service-linked roles."


def _explain(decision: Decision) -> str:
    req = decision.request
    action, resource = req.action, req.resource
    what = f"{action} on {resource}"
    if decision.decision == "explicitDeny":
        parts = [_statement(m) for m in decision.matched_statements]
        verb = "explicitly deny" if len(parts) > 1 else "explicitly denies"
        return f"Denied: {_list(parts)} {verb} {what}."
    if decision.decision == "allowed":
        if not decision.matched_statements and action.lower() == "sts:getcalleridentity":
            return (
                f"Allowed: {action} needs no permission; AWS answers it even when a policy "
                "denies it."
            )
        allows = [m for m in decision.matched_statements if m.policy_type != "scps"]
        parts = [_statement(m) for m in allows] or ["the account root user's full access"]
        verb = "allow" if len(parts) > 1 else "allows"
        text = f"Allowed: {_list(parts)} {verb} {what}"
        if decision.cross_account:
            text += " (cross-account: both the identity side and the resource policy allow)"
        return text + "."
    details = decision.details
    gate = decision.gate
    if gate == "scp":
        levels = details["scps"].levels
        level = levels.index(False) if False in levels else 0
        return (
            f"Denied: no service control policy at organization level {level} "
            f"(scps[{level}]) allows {action}."
        )
    if gate == "endpoint_policy":
        return (
            f"Denied: {_named(decision, ENDPOINT)} has no statement that allows {what} "
            "for this principal (the request goes through the endpoint)."
        )
    if gate == "permissions_boundary":
        return f"Denied: {_named(decision, BOUNDARY)} has no statement that allows {action}."
    if gate == "session_policy":
        if decision.policy_set.session_policy is None:
            return (
                f"Denied: a federated-user session without a session policy has no permissions; "
                f"no resource policy names the session for {what}."
            )
        return f"Denied: {_named(decision, SESSION)} has no statement that allows {action}."
    if gate == "cross_account":
        return (
            f"Denied: cross-account request; the identity side allows {action}, but the "
            f"resource policy of account {req.resource_account or '?'} does not grant it."
        )
    principal = req.principal.arn
    if principal is None:
        return f"Denied: no resource policy allows anonymous access to {what}."
    if gate == "resource_policy":
        if not details["resource_policy"].applies and _kms_key(req):
            return (
                f"Denied: a KMS key's key policy must allow {action}, and {resource} has no key "
                "policy; identity policies alone never grant access to a KMS key."
            )
        if details["resource_policy"].applies:
            return f"Denied: the resource policy does not allow {principal} to perform {what}."
        return f"Denied: there is no resource policy that allows {principal} to perform {what}."
    if decision.cross_account:
        return f"Denied: cross-account request; no identity policy of {principal} allows {what}."
    suffix = " and no resource policy grants it" if details["resource_policy"].applies else ""
    return f"Denied: no identity policy allows {what}{suffix} (implicit deny)."


def _kms_key(req: Request) -> bool:
    return is_kms_key(req.action.partition(":")[0].lower(), req.resource)


def _named(decision: Decision, ptype: str) -> str:
    """ "the permissions boundary DevBoundary", or without a name "the permissions boundary"."""
    ref: PolicyRef | None = getattr(decision.policy_set, ptype)
    kind = _TYPE_NAMES[ptype]
    return f"the {kind} {ref.name}" if ref is not None and ref.name else f"the {kind}"
