"""The decision flow: AWS's "Policy evaluation logic" and "Cross-account policy evaluation logic".

1. An explicit Deny in any policy that applies (identity, permissions boundary, session, SCP,
   RCP, resource policy) decides: ``explicitDeny``.
2. SCPs (IAM principals of a governed account only): every level, root to account, needs an
   Allow. RCPs: AWS's RCPFullAWSAccess is attached at every level, so only their Denies count.
3. Same account: a resource-policy Allow *or* the identity side allows. The identity side is
   identity Allow AND permissions boundary AND session policy. A resource-policy grant to the
   user ARN or to the session ARN bypasses the identity policies, boundary and session policy;
   a grant to the role ARN bypasses only the identity policies; a grant to the account delegates
   to the identity side. Role trust policies and KMS key policies must themselves allow.
4. Cross account: the identity side *and* the resource policy must both allow.
5. Anonymous and service principals: only a resource policy naming them can allow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from iamdesk.core.arn import try_parse_arn
from iamdesk.core.evaluator.compiled import CompiledStatement, PolicyRef, PolicySet
from iamdesk.core.evaluator.matching import DIRECT, VIA_ACCOUNT, VIA_ROLE
from iamdesk.core.evaluator.request import ANONYMOUS, ROOT, Env, Request
from iamdesk.core.evaluator.trace import NearMiss, StatementTrace
from iamdesk.core.policy.document import Span

logger = logging.getLogger(__name__)

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"

IDENTITY = "identity"
BOUNDARY = "permissions_boundary"
SESSION = "session_policy"
SCP = "scps"
RCP = "rcps"
RESOURCE = "resource_policy"
POLICY_TYPES = (IDENTITY, BOUNDARY, SESSION, SCP, RCP, RESOURCE)

# Why a request was implicitly denied (the first gate that failed), or how it was allowed.
GATE_SCP = "scp"
GATE_IDENTITY = "identity"
GATE_BOUNDARY = "permissions_boundary"
GATE_SESSION = "session_policy"
GATE_RESOURCE = "resource_policy"
GATE_CROSS_ACCOUNT = "cross_account"


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    policy_type: str
    label: str
    name: str | None
    statement_index: int
    sid: str | None
    effect: str
    span: Span


@dataclass(frozen=True, slots=True)
class PolicyTypeDetail:
    """How one policy type bore on the request. ``allowed`` is None when the type does not apply
    (or, for RCPs, always allows through the implied RCPFullAWSAccess)."""

    policy_type: str
    applies: bool
    allowed: bool | None
    denied: bool
    allow_statements: tuple[MatchedStatement, ...]
    deny_statements: tuple[MatchedStatement, ...]
    levels: tuple[bool, ...] = ()  # SCPs: whether each level allowed


class _Scan:
    __slots__ = ("allows", "denies", "policy_type", "ref")

    def __init__(self, ref: PolicyRef, policy_type: str) -> None:
        self.ref = ref
        self.policy_type = policy_type
        self.allows: list[tuple[CompiledStatement, str | None]] = []
        self.denies: list[CompiledStatement] = []

    def matched(self, statements: list[CompiledStatement]) -> list[MatchedStatement]:
        ref = self.ref
        return [
            MatchedStatement(
                self.policy_type,
                ref.label,
                ref.name,
                st.statement.index,
                st.statement.sid,
                st.statement.effect,
                st.statement.span,
            )
            for st in statements
        ]


def _scan(ref: PolicyRef, policy_type: str, env: Env, principal: int) -> _Scan:
    """principal: 0 = not checked, 1 = checked when present (RCPs), 2 = required (resource)."""
    scan = _Scan(ref, policy_type)
    for st in ref.policy.candidates(env.service):
        if not st.action_matches(env) or not st.resource_matches(env):
            continue
        kind = None
        if principal and (principal == 2 or st.principal is not None):
            kind = st.principal_kind(env)
            if kind is None:
                continue
        if not st.conditions_hold(env):
            continue
        if st.allow:
            scan.allows.append((st, kind))
        else:
            scan.denies.append(st)
    return scan


class Decision:
    """The outcome of one evaluation. ``decision`` is AWS's word; ``matched_statements`` the
    deciding statements; ``gate`` names what decided (see GATE_*); ``details`` per policy type;
    ``trace`` and ``near_misses`` are filled when evaluated with ``explain=True``."""

    def __init__(
        self,
        request: Request,
        decision: str,
        gate: str,
        matched: tuple[MatchedStatement, ...],
        missing: tuple[str, ...],
        cross_account: bool,
        scans: dict[str, list[_Scan]],
        applies: dict[str, bool],
        scp_levels: tuple[bool, ...],
        allowed_via: tuple[str, ...],
    ) -> None:
        self.request = request
        self.decision = decision
        self.gate = gate
        self.matched_statements = matched
        self.missing_context_values = missing
        self.cross_account = cross_account
        self.allowed_via = allowed_via  # the paths that allowed: "identity", "resource_policy"
        self._scans = scans
        self._applies = applies
        self._scp_levels = scp_levels
        self._details: dict[str, PolicyTypeDetail] | None = None
        self._explanation: str | None = None
        self.trace: tuple[StatementTrace, ...] = ()
        self.near_misses: tuple[NearMiss, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    @property
    def details(self) -> dict[str, PolicyTypeDetail]:
        if self._details is None:
            details = {}
            for ptype in POLICY_TYPES:
                scans = self._scans.get(ptype, [])
                allows = [m for s in scans for m in s.matched([st for st, _ in s.allows])]
                denies = [m for s in scans for m in s.matched(s.denies)]
                applies = self._applies.get(ptype, False)
                allowed: bool | None
                if not applies or ptype == RCP:
                    allowed = None
                elif ptype == SCP:
                    allowed = all(self._scp_levels)
                else:
                    allowed = bool(allows)
                details[ptype] = PolicyTypeDetail(
                    ptype,
                    applies,
                    allowed,
                    bool(denies),
                    tuple(allows),
                    tuple(denies),
                    self._scp_levels if ptype == SCP else (),
                )
            self._details = details
        return self._details

    @property
    def explanation(self) -> str:
        if self._explanation is None:
            from iamdesk.core.evaluator.explain import explain_decision

            self._explanation = explain_decision(self)
        return self._explanation

    def __repr__(self) -> str:
        count = len(self.matched_statements)
        return f"Decision({self.decision!r}, gate={self.gate!r}, matched={count})"


def resource_account_of(request: Request) -> str | None:
    if request.resource_account:
        return request.resource_account
    parsed = try_parse_arn(request.resource)
    return parsed.account or None if parsed else None


def evaluate(request: Request, policy_set: PolicySet, *, explain: bool = True) -> Decision:
    """AWS's decision for ``request`` under ``policy_set`` (deterministic)."""
    env = Env(request)
    who = env.principal
    iam = who.is_iam
    ps = policy_set
    scans: dict[str, list[_Scan]] = {}
    applies: dict[str, bool] = {}

    identity = [_scan(r, IDENTITY, env, 0) for r in ps.identity] if iam else []
    scans[IDENTITY], applies[IDENTITY] = identity, iam
    boundary = None
    if iam and ps.permissions_boundary is not None and who.kind != ROOT:
        boundary = _scan(ps.permissions_boundary, BOUNDARY, env, 0)
        scans[BOUNDARY], applies[BOUNDARY] = [boundary], True
    session = None
    if iam and ps.session_policy is not None:
        session = _scan(ps.session_policy, SESSION, env, 0)
        scans[SESSION], applies[SESSION] = [session], True
    scp_levels: list[list[_Scan]] = []
    if iam and ps.scps and not who.service_linked:
        scp_levels = [[_scan(r, SCP, env, 0) for r in level] for level in ps.scps]
        scans[SCP], applies[SCP] = [s for level in scp_levels for s in level], True
    if ps.rcps and not who.service_linked:
        scans[RCP] = [_scan(r, RCP, env, 1) for level in ps.rcps for r in level]
        applies[RCP] = True
    resource = None
    if ps.resource_policy is not None:
        resource = _scan(ps.resource_policy, RESOURCE, env, 2)
        scans[RESOURCE], applies[RESOURCE] = [resource], True

    resource_account = resource_account_of(request)
    cross = bool(iam and who.account and resource_account and resource_account != who.account)
    missing = tuple(env.missing.values())

    def finish(
        decision: str, gate: str, matched: list[MatchedStatement], via: tuple[str, ...] = ()
    ) -> Decision:
        levels = tuple(any(s.allows for s in level) for level in scp_levels)
        result = Decision(
            request, decision, gate, tuple(matched), missing, cross, scans, applies, levels, via
        )
        if explain:
            from iamdesk.core.evaluator.explain import attach_trace

            attach_trace(result, env, ps)
        return result

    denied = [
        m for ptype in POLICY_TYPES for s in scans.get(ptype, ()) for m in s.matched(s.denies)
    ]
    if denied:
        return finish(EXPLICIT_DENY, "explicit_deny", denied)

    for level in scp_levels:
        if not any(s.allows for s in level):
            return finish(IMPLICIT_DENY, GATE_SCP, [])

    # The identity side: identity policies AND boundary AND session policy.
    identity_ok = who.kind == ROOT or any(s.allows for s in identity)
    boundary_ok = boundary is None or bool(boundary.allows)
    session_ok = session is None or bool(session.allows)
    identity_side = iam and identity_ok and boundary_ok and session_ok

    kinds = {kind for _, kind in resource.allows} if resource is not None else set()
    if not iam:
        # Anonymous callers and service principals: only the resource policy can allow.
        resource_side = bool(kinds)
    elif cross:
        resource_side = bool(kinds)
    else:
        resource_side = (
            DIRECT in kinds
            or (VIA_ROLE in kinds and boundary_ok and session_ok)
            or (VIA_ACCOUNT in kinds and identity_side)
        )

    via: tuple[str, ...]
    if not iam:
        ok = resource_side
        via = (RESOURCE,) if ok else ()
        gate = GATE_RESOURCE
    elif cross:
        ok = identity_side and resource_side
        via = (IDENTITY, RESOURCE) if ok else ()
        gate = (
            _identity_gate(identity_ok, boundary_ok, session_ok)
            if not identity_side
            else GATE_CROSS_ACCOUNT
        )
    elif ps.resource_policy_must_allow:
        ok = resource_side
        via = (RESOURCE,) if ok else ()
        gate = GATE_RESOURCE
    else:
        ok = identity_side or resource_side
        via = tuple(p for p, on in ((IDENTITY, identity_side), (RESOURCE, resource_side)) if on)
        gate = _identity_gate(identity_ok, boundary_ok, session_ok)

    if not ok:
        return finish(IMPLICIT_DENY, gate, [])
    matched: list[MatchedStatement] = []
    if IDENTITY in via and who.kind != ROOT:
        for s in identity:
            matched.extend(s.matched([st for st, _ in s.allows]))
        for extra in (boundary, session):
            if extra is not None:
                matched.extend(extra.matched([st for st, _ in extra.allows]))
    for level in scp_levels:
        for s in level:
            matched.extend(s.matched([st for st, _ in s.allows]))
    if resource is not None and resource.allows and (RESOURCE in via or not cross):
        matched.extend(resource.matched([st for st, _ in resource.allows]))
    return finish(ALLOWED, "allowed", matched, via)


def _identity_gate(identity_ok: bool, boundary_ok: bool, session_ok: bool) -> str:
    if not identity_ok:
        return GATE_IDENTITY
    if not boundary_ok:
        return GATE_BOUNDARY
    if not session_ok:
        return GATE_SESSION
    return GATE_RESOURCE


__all__ = [
    "ALLOWED",
    "ANONYMOUS",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "Decision",
    "MatchedStatement",
    "PolicyTypeDetail",
    "evaluate",
]
