"""Wildcard request resources: "can this principal s3:GetObject on ``arn:aws:s3:::bucket/*``?"
answered for every resource the pattern names: allowed for all of them, for some, or none,
with the statements whose resource patterns allow and deny within it.

Each statement that applies to the request (action, principal and conditions as for a single
resource) is placed against the request's pattern R: it covers all of R (its pattern matches
R's text, wildcards included, so it matches everything R does), some of R (the two patterns
share a string), or none. The decision flow then combines these three-valued answers as it
combines Allows and Denies: a gate that needs several policy types takes the least, a choice
between paths the most, a Deny covering R makes it none and one within R at most some. "Some"
is reported when the parts that allow may not line up exactly (two policy types each allowing
part of R): then at least the statements listed decide, resource by resource.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from iamdesk.core.arn import has_wildcard, resource_matcher
from iamdesk.core.evaluator.compiled import CompiledStatement, PolicySet
from iamdesk.core.evaluator.decision import (
    BOUNDARY,
    ENDPOINT,
    IDENTITY,
    NO_PERMISSION_ACTION,
    RESOURCE,
    SCP,
    SESSION,
    evaluate,
    is_kms_key,
    resource_account_of,
)
from iamdesk.core.evaluator.explain import policy_refs
from iamdesk.core.evaluator.matching import DIRECT, VIA_ACCOUNT, VIA_ROLE
from iamdesk.core.evaluator.request import FEDERATED_USER, IAM_KINDS, ROOT, Env, Request
from iamdesk.core.policy.applicability import glob_overlap
from iamdesk.core.policy.document import Span

logger = logging.getLogger(__name__)

NONE, SOME, ALL = 0, 1, 2
_WORDS = {NONE: "none", SOME: "some", ALL: "all"}


@dataclass(frozen=True, slots=True)
class PatternStatement:
    """A statement that allows or denies within the request's pattern."""

    policy_type: str
    label: str
    name: str | None
    statement_index: int
    sid: str | None
    effect: str
    patterns: tuple[str, ...]  # its Resource (or NotResource) entries
    extent: str  # "all" or "some" of the request's pattern
    span: Span | None = field(default=None, compare=False)  # where it stands, to highlight

    def to_json(self) -> dict[str, object]:
        return {
            "policy": self.label,
            "statement": self.statement_index,
            "sid": self.sid,
            "effect": self.effect,
            "resources": list(self.patterns),
            "extent": self.extent,
        }


@dataclass(frozen=True, slots=True)
class PatternAnswer:
    """``answer``: "all", "some" or "none" of the resources the request's pattern names."""

    answer: str
    allowing: tuple[PatternStatement, ...]
    denying: tuple[PatternStatement, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "answer": self.answer,
            "allowing": [s.to_json() for s in self.allowing],
            "denying": [s.to_json() for s in self.denying],
        }


def _extent(st: CompiledStatement, pattern: str) -> tuple[int, tuple[str, ...]]:
    """How much of ``pattern`` the statement's Resource/NotResource takes in."""
    written = st.statement.resource or st.statement.not_resource
    texts = tuple(v.text for v in written) if written else ()
    if st.resource is None:
        return ALL, texts
    entries = list(texts)
    covers = overlaps = False
    for text in entries:
        if "${" in text:
            continue  # variables: judged for the literal pattern only
        if text == pattern or resource_matcher(text)(pattern):
            covers = overlaps = True
            break
        if glob_overlap(text, pattern):
            overlaps = True
    if st.not_resource:
        return (NONE if covers else SOME if overlaps else ALL), texts
    return (ALL if covers else SOME if overlaps else NONE), texts


def evaluate_pattern(request: Request, policy_set: PolicySet) -> PatternAnswer:
    """The answer for every resource ``request.resource`` names (``*`` and ``?`` as in
    policies). A resource without wildcards is one resource: all or none."""
    pattern = request.resource
    if not has_wildcard(pattern):
        decision = evaluate(request, policy_set, explain=False)
        return PatternAnswer(ALL_WORD if decision.allowed else NONE_WORD, (), ())
    # Match statements as for one resource: the pattern itself stands for the resource; the
    # Resource element is then judged by extent, not by matching.
    env = Env(request)
    who = env.principal
    iam = who.kind in IAM_KINDS
    ps = policy_set
    env.has_boundary = iam and ps.permissions_boundary is not None and who.kind != ROOT
    probe = evaluate(request, ps, explain=False)  # which policy types bear on the request
    allow: dict[str, int] = {}
    by_kind: dict[str | None, int] = {}
    scp_levels: list[int] = []
    deny = NONE
    allowing: list[PatternStatement] = []
    denying: list[PatternStatement] = []
    scp_level = -1
    for ptype, ref, principal in policy_refs(ps, probe.applies):
        if ptype == SCP:
            scp_level = next(i for i, level in enumerate(ps.scps) if any(r is ref for r in level))
            while len(scp_levels) <= scp_level:
                scp_levels.append(NONE)
        for st in ref.policy.for_action(env.action):
            kind = None
            if principal and (ptype in (RESOURCE, ENDPOINT) or st.principal is not None):
                kind = st.principal_kind(env)
                if kind is None:
                    continue
            if st.conditions and not st.conditions_hold(env):
                continue
            extent, texts = _extent(st, pattern)
            if extent == NONE:
                continue
            found = PatternStatement(
                ptype,
                ref.label,
                ref.name,
                st.index,
                st.sid,
                st.effect,
                texts,
                _WORDS[extent],
                st.span,
            )
            if not st.allow:
                deny = max(deny, extent)
                denying.append(found)
                continue
            allowing.append(found)
            if ptype == SCP:
                scp_levels[scp_level] = max(scp_levels[scp_level], extent)
            elif ptype == RESOURCE:
                by_kind[kind] = max(by_kind.get(kind, NONE), extent)
            else:
                allow[ptype] = max(allow.get(ptype, NONE), extent)
    answer = _combine(request, ps, probe.applies, allow, by_kind, scp_levels, iam, who.kind)
    if env.action == NO_PERMISSION_ACTION and iam:
        answer, deny = ALL, NONE
    if deny == ALL:
        answer = NONE
    elif deny == SOME:
        answer = min(answer, SOME)
    return PatternAnswer(_WORDS[answer], tuple(allowing), tuple(denying))


ALL_WORD, NONE_WORD = _WORDS[ALL], _WORDS[NONE]


def _combine(
    request: Request,
    ps: PolicySet,
    applies: frozenset[str],
    allow: dict[str, int],
    by_kind: dict[str | None, int],
    scp_levels: list[int],
    iam: bool,
    kind: str,
) -> int:
    """The decision flow over three-valued answers (see ``decision.evaluate``)."""
    identity = ALL if kind == ROOT else allow.get(IDENTITY, NONE)
    boundary = allow.get(BOUNDARY, NONE) if BOUNDARY in applies else ALL
    if SESSION in applies:
        session = allow.get(SESSION, NONE)
    else:
        session = NONE if kind == FEDERATED_USER else ALL
    identity_side = min(identity, boundary, session) if iam else NONE
    direct = by_kind.get(DIRECT, NONE)
    via_role = min(by_kind.get(VIA_ROLE, NONE), boundary, session)
    via_account = min(by_kind.get(VIA_ACCOUNT, NONE), identity_side)
    resource_side = max(direct, via_role, via_account)
    resource_account = request.resource_account or resource_account_of(request)
    principal_account = request.principal.account
    if not iam:
        answer = max(by_kind.values(), default=NONE)
    elif principal_account and resource_account and resource_account != principal_account:
        answer = min(identity_side, max(by_kind.values(), default=NONE))
    elif ps.resource_policy_must_allow or (
        ps.resource_policy is None
        and is_kms_key(request.action.partition(":")[0].lower(), request.resource)
    ):
        answer = resource_side
    else:
        answer = max(identity_side, resource_side)
    if SCP in applies and scp_levels:
        answer = min(answer, *scp_levels)
    if len(scp_levels) < len(ps.scps) and SCP in applies:
        answer = NONE  # a level with no Allow at all
    if ENDPOINT in applies:
        answer = min(answer, allow.get(ENDPOINT, NONE))
    # RCPs only deny (RCPFullAWSAccess is implied at every level): their Denies are counted above.
    return answer
