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
from collections.abc import Iterable
from dataclasses import dataclass

from iamdesk.core.arn import try_parse_arn
from iamdesk.core.evaluator.compiled import CompiledStatement, PolicyRef, PolicySet
from iamdesk.core.evaluator.matching import DIRECT, VIA_ACCOUNT, VIA_ROLE
from iamdesk.core.evaluator.request import FEDERATED_USER, IAM_KINDS, ROOT, Env, Request
from iamdesk.core.evaluator.trace import NearMiss, StatementTrace
from iamdesk.core.policy.document import Position, Span

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
ENDPOINT = "endpoint_policy"
POLICY_TYPES = (IDENTITY, BOUNDARY, SESSION, SCP, RCP, RESOURCE, ENDPOINT)

# RCPs govern only the resources of these services (AWS Organizations User Guide, "Resource
# control policies": the list of supported services); elsewhere they do not apply.
RCP_SERVICES = frozenset(
    {"s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss", "cognito-idp", "logs", "dynamodb"}
)

# AWS KMS Developer Guide, "Resource control policies in AWS KMS": the kms:RetireGrant
# permission is not effective in an RCP, even when the Action element is a wildcard.
RCP_EXEMPT_ACTIONS = frozenset({"kms:retiregrant"})

# STS API reference: "No permissions are required to perform this operation".
NO_PERMISSION_ACTION = "sts:getcalleridentity"

# What decided: for an implicit deny, the first gate that failed.
GATE_EXPLICIT_DENY = "explicit_deny"
GATE_ALLOWED = "allowed"
GATE_SCP = "scp"
GATE_IDENTITY = "identity"
GATE_BOUNDARY = "permissions_boundary"
GATE_SESSION = "session_policy"
GATE_RESOURCE = "resource_policy"
GATE_CROSS_ACCOUNT = "cross_account"
GATE_ENDPOINT = "endpoint_policy"

# A statement that applied: (policy type, policy, statement, principal match kind).
Hit = tuple[str, PolicyRef, CompiledStatement, "str | None"]


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    policy_type: str
    label: str
    name: str | None
    statement_index: int
    sid: str | None
    effect: str
    span: Span

    @property
    def start_position(self) -> Position:
        """Where AWS's ``MatchedStatements`` says the statement starts: just after its opening
        brace (AWS CLI's simulate-custom-policy example reports column 38 for a statement whose
        ``{`` is the 37th character), while ``span`` starts at the brace for highlighting."""
        start = self.span.start
        return Position(start.line, start.column + 1)

    @property
    def end_position(self) -> Position:
        """Where AWS says the statement ends: just after its closing brace (``span.end``)."""
        return self.span.end


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
    levels: tuple[bool, ...] = ()  # SCPs: whether each level, root first, allowed


def _matched(hit: Hit) -> MatchedStatement:
    ptype, ref, st, _ = hit
    key = (ptype, ref.label, ref.name)
    records = st.matched
    if records is None:
        records = st.matched = {}
    found: MatchedStatement | None = records.get(key)  # type: ignore[assignment]
    if found is None:
        found = MatchedStatement(ptype, ref.label, ref.name, st.index, st.sid, st.effect, st.span)
        if len(records) < 64:
            records[key] = found
    return found


def _collect(
    refs: Iterable[PolicyRef],
    ptype: str,
    env: Env,
    principal: int,
    allows: list[Hit],
    denies: list[Hit],
) -> None:
    """Append the statements of ``refs`` that apply to the request to ``allows``/``denies``."""
    action = env.action
    for ref in refs:
        policy = ref.policy
        statements = policy._by_action.get(action)  # inlined for_action: the hottest line
        if statements is None:
            statements = policy.for_action(action)
        for st in statements:
            kind = st.applies(env, principal)
            if kind is False:
                continue
            (allows if st.allow else denies).append((ptype, ref, st, kind))


def _collect_one(
    ref: PolicyRef, ptype: str, env: Env, principal: int, allows: list[Hit], denies: list[Hit]
) -> None:
    """``_collect`` for a policy type that holds one policy (no sequence made to hold it)."""
    action = env.action
    policy = ref.policy
    statements = policy._by_action.get(action)
    if statements is None:
        statements = policy.for_action(action)
    for st in statements:
        kind = st.applies(env, principal)
        if kind is not False:
            (allows if st.allow else denies).append((ptype, ref, st, kind))


class Decision:
    """The outcome of one evaluation. ``decision`` is AWS's word; ``matched_statements`` the
    deciding statements (on a deny the denying ones, on an allow the allowing statements of each
    policy type that took part); ``gate`` names what decided (GATE_*); ``details`` per policy
    type; ``trace`` and ``near_misses`` are filled when evaluated with ``explain=True``."""

    __slots__ = (
        "_allows",
        "_applies",
        "_denies",
        "_details",
        "_explanation",
        "_scp_levels",
        "allowed_via",
        "cross_account",
        "decision",
        "gate",
        "matched_statements",
        "missing_context_values",
        "near_misses",
        "policy_set",
        "request",
        "trace",
    )

    def __init__(
        self,
        request: Request,
        policy_set: PolicySet,
        decision: str,
        gate: str,
        matched: tuple[MatchedStatement, ...],
        missing: tuple[str, ...],
        cross_account: bool,
        allows: list[Hit],
        denies: list[Hit],
        applies: frozenset[str],
        scp_levels: tuple[bool, ...],
        allowed_via: tuple[str, ...],
    ) -> None:
        self.request = request
        self.policy_set = policy_set
        self.decision = decision
        self.gate = gate
        self.matched_statements = matched
        self.missing_context_values = missing
        self.cross_account = cross_account
        self.allowed_via = allowed_via  # the paths that allowed: "identity", "resource_policy"
        self._allows = allows
        self._denies = denies
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
    def applies(self) -> frozenset[str]:
        """The policy types that bore on the request."""
        return self._applies

    @property
    def details(self) -> dict[str, PolicyTypeDetail]:
        if self._details is None:
            details = {}
            for ptype in POLICY_TYPES:
                allows = tuple(_matched(h) for h in self._allows if h[0] == ptype)
                denies = tuple(_matched(h) for h in self._denies if h[0] == ptype)
                applies = ptype in self._applies
                allowed: bool | None
                if not applies or ptype == RCP:
                    allowed = None
                elif ptype == SCP:
                    allowed = all(self._scp_levels)
                else:
                    allowed = bool(allows)
                levels = self._scp_levels if ptype == SCP else ()
                details[ptype] = PolicyTypeDetail(
                    ptype, applies, allowed, bool(denies), allows, denies, levels
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


def is_kms_key(service: str, resource: str) -> bool:
    """Whether a request of ``service`` (lower case) targets a KMS key (``arn:...:key/...``)."""
    if service != "kms":
        return False
    parts = resource.split(":", 5)
    return len(parts) == 6 and parts[2] == "kms" and parts[5].startswith("key/")


def resource_account_of(request: Request) -> str | None:
    if request.resource_account:
        return request.resource_account
    parsed = try_parse_arn(request.resource)
    return parsed.account or None if parsed else None


def evaluate(request: Request, policy_set: PolicySet, *, explain: bool = True) -> Decision:
    """AWS's decision for ``request`` under ``policy_set`` (deterministic)."""
    env = Env(request)
    word, gate, matched, via, allows, denies, applies, scp_levels, cross = _flow(
        request, policy_set, env
    )
    result = Decision(
        request,
        policy_set,
        word,
        gate,
        tuple([_matched(h) for h in matched]),
        tuple(env.missing.values()),
        cross,
        allows,
        denies,
        frozenset(applies),
        scp_levels,
        via,
    )
    if explain:
        from iamdesk.core.evaluator.explain import attach_trace

        attach_trace(result, env)
    return result


def decide(request: Request, policy_set: PolicySet) -> tuple[str, list[Hit], Env]:
    """The batch's evaluation: AWS's word for ``request``, the deciding statements as hits
    (policy type, policy, statement, principal kind) in ``matched_statements`` order, and the
    request's ``Env`` (its ``missing`` keys). The same outcome as ``evaluate``, without the
    ``Decision`` a batch result line does not print."""
    env = Env(request)
    outcome = _flow(request, policy_set, env)
    return outcome[0], outcome[2], env


# What ``_flow`` finds: the decision, the gate, the deciding hits, the paths that allowed, all
# allowing and denying hits, the policy types that bore on the request, the SCP levels' answers
# and whether the request crosses accounts.
_Outcome = tuple[
    str, str, list[Hit], tuple[str, ...], list[Hit], list[Hit], list[str], tuple[bool, ...], bool
]


def _flow(request: Request, ps: PolicySet, env: Env) -> _Outcome:
    who = env.principal
    iam = who.kind in IAM_KINDS
    # Hits are collected type by type in POLICY_TYPES order, so they need no sorting.
    allows: list[Hit] = []
    denies: list[Hit] = []
    applies: list[str] = []
    has_boundary = has_session = False

    if iam:
        applies.append(IDENTITY)
        _collect(ps.identity, IDENTITY, env, 0, allows, denies)
        if ps.permissions_boundary is not None and who.kind != ROOT:
            has_boundary = env.has_boundary = True
            applies.append(BOUNDARY)
            _collect_one(ps.permissions_boundary, BOUNDARY, env, 0, allows, denies)
        if ps.session_policy is not None:
            has_session = True
            applies.append(SESSION)
            _collect_one(ps.session_policy, SESSION, env, 0, allows, denies)
    scp_levels: tuple[bool, ...] = ()
    if iam and ps.scps and not who.service_linked:
        applies.append(SCP)
        levels = []
        for level in ps.scps:
            before = len(allows)
            _collect(level, SCP, env, 0, allows, denies)
            levels.append(len(allows) > before)
        scp_levels = tuple(levels)
    if (
        ps.rcps
        and not who.service_linked
        and env.service in RCP_SERVICES
        and env.action not in RCP_EXEMPT_ACTIONS
    ):
        applies.append(RCP)
        for level in ps.rcps:
            _collect(level, RCP, env, 1, allows, denies)
    if ps.resource_policy is not None:
        applies.append(RESOURCE)
        _collect_one(ps.resource_policy, RESOURCE, env, 2, allows, denies)
    endpoint_ok = True
    if ps.endpoint_policy is not None:
        # Amazon VPC User Guide: an endpoint policy is a resource-based policy on the endpoint
        # (with a Principal element); it does not replace the other policies, so the request
        # needs its Allow as well, and a Deny in it denies.
        applies.append(ENDPOINT)
        before = len(allows)
        _collect_one(ps.endpoint_policy, ENDPOINT, env, 2, allows, denies)
        endpoint_ok = len(allows) > before

    resource_account = request.resource_account or resource_account_of(request)
    cross = bool(iam and who.account and resource_account and resource_account != who.account)

    if iam and env.action == NO_PERMISSION_ACTION:
        # STS API reference: GetCallerIdentity needs no permission and works even when a
        # policy explicitly denies it (the same details come back in the AccessDenied error).
        return ALLOWED, GATE_ALLOWED, [], (), allows, denies, applies, scp_levels, cross
    if denies:
        return (
            EXPLICIT_DENY,
            GATE_EXPLICIT_DENY,
            denies,
            (),
            allows,
            denies,
            applies,
            scp_levels,
            cross,
        )
    if scp_levels and not all(scp_levels):
        return IMPLICIT_DENY, GATE_SCP, [], (), allows, denies, applies, scp_levels, cross
    if not endpoint_ok:
        return IMPLICIT_DENY, GATE_ENDPOINT, [], (), allows, denies, applies, scp_levels, cross

    identity_ok = boundary_ok = session_ok = True
    kinds = set()
    if iam:
        identity_ok = who.kind == ROOT
        boundary_ok = not has_boundary
        # A federated-user session (GetFederationToken) without a session policy has no
        # permissions of its own: only a resource policy naming the session can allow it.
        session_ok = not has_session and who.kind != FEDERATED_USER
        for hit in allows:
            ptype = hit[0]
            if ptype is IDENTITY:
                identity_ok = True
            elif ptype is BOUNDARY:
                boundary_ok = True
            elif ptype is SESSION:
                session_ok = True
            elif ptype is RESOURCE:
                kinds.add(hit[3])
    else:
        kinds = {h[3] for h in allows if h[0] is RESOURCE}
    identity_side = iam and identity_ok and boundary_ok and session_ok

    via: tuple[str, ...]
    if not iam:
        # Anonymous callers and service principals: only the resource policy can allow.
        ok = bool(kinds)
        via, gate = (RESOURCE,), GATE_RESOURCE
    elif cross:
        ok = identity_side and bool(kinds)
        via = (IDENTITY, RESOURCE)
        gate = (
            GATE_CROSS_ACCOUNT
            if identity_side
            else _identity_gate(identity_ok, boundary_ok, session_ok)
        )
    else:
        resource_side = bool(kinds) and (
            DIRECT in kinds
            or (VIA_ROLE in kinds and boundary_ok and session_ok)
            or (VIA_ACCOUNT in kinds and identity_side)
        )
        if ps.resource_policy_must_allow or (
            ps.resource_policy is None and is_kms_key(env.service, request.resource)
        ):
            # A KMS key's key policy must allow: without one, identity policies grant nothing.
            ok, via = resource_side, (RESOURCE,)
            gate = GATE_RESOURCE
            if VIA_ACCOUNT in kinds:
                if ok and identity_side:
                    via = (IDENTITY, RESOURCE)  # the account's grant needed the identity side
                elif not ok:
                    gate = _identity_gate(identity_ok, boundary_ok, session_ok)
        elif identity_side:
            ok = True
            via = (IDENTITY, RESOURCE) if resource_side else (IDENTITY,)
            gate = GATE_ALLOWED
        else:
            ok, via = resource_side, (RESOURCE,)
            # A grant to the role ARN stands in for the identity policies but not for the
            # boundary or session policy: name the one that limited it.
            gate = _identity_gate(identity_ok or VIA_ROLE in kinds, boundary_ok, session_ok)
    if not ok:
        return IMPLICIT_DENY, gate, [], (), allows, denies, applies, scp_levels, cross
    if IDENTITY in via or cross:
        matched = allows
    else:
        # Allowed through the resource policy alone: the identity side's statements did not
        # decide, nor did grants whose principal kind could not allow on its own (a grant to the
        # account needs the identity side; one to the role ARN needs the boundary and session
        # policy to allow).
        deciding = {DIRECT, None}
        if boundary_ok and session_ok:
            deciding.add(VIA_ROLE)
        if identity_side:
            deciding.add(VIA_ACCOUNT)
        matched = [
            h
            for h in allows
            if h[0] is SCP
            or h[0] is RCP
            or h[0] is ENDPOINT
            or (h[0] is RESOURCE and h[3] in deciding)
        ]
    return ALLOWED, GATE_ALLOWED, matched, via, allows, denies, applies, scp_levels, cross


def _identity_gate(identity_ok: bool, boundary_ok: bool, session_ok: bool = True) -> str:
    if not identity_ok:
        return GATE_IDENTITY
    if not boundary_ok:
        return GATE_BOUNDARY
    if not session_ok:
        return GATE_SESSION
    return GATE_RESOURCE


__all__ = [
    "ALLOWED",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "Decision",
    "MatchedStatement",
    "PolicyTypeDetail",
    "decide",
    "evaluate",
]
