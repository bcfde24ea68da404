"""Policies compiled for evaluation: every statement's matchers built once, statements indexed by
the service prefix of the actions they can match, so a request looks only at candidates."""

from __future__ import annotations

import logging
import marshal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from iamdesk.core.arn import Matcher, glob_matcher, has_wildcard
from iamdesk.core.evaluator.conditions import CompiledCondition, compile_condition
from iamdesk.core.evaluator.matching import (
    DIRECT,
    ActionMatcher,
    PrincipalMatcher,
    ResourceMatcher,
)
from iamdesk.core.evaluator.request import Env
from iamdesk.core.evaluator.trace import (
    ConditionTrace,
    ElementResult,
    MismatchReason,
    StatementTrace,
)
from iamdesk.core.evaluator.variables import VARIABLES_VERSION
from iamdesk.core.policy.document import ConditionEntry, PolicyDocument, Span, Statement
from iamdesk.core.policy.parser import parse_policy
from iamdesk.core.policy.plain import plain_statements, statement_span, value_text

logger = logging.getLogger(__name__)


class CompiledStatement:
    """One statement's matchers, built when the policy is loaded. ``applies`` is the fast path
    (action already matched through the policy's index); ``trace`` explains every element."""

    __slots__ = (
        "_owner",
        "_span",
        "_statement",
        "action",
        "allow",
        "condition_keys",
        "conditions",
        "effect",
        "index",
        "matched",
        "not_action",
        "not_principal",
        "not_resource",
        "principal",
        "resource",
        "sid",
    )

    def __init__(self, statement: Statement, variables: bool) -> None:
        self._statement: Statement | None = statement
        self._owner: PlainSource | None = None
        self._span: Span | None = statement.span
        actions = statement.action if statement.action is not None else statement.not_action
        resources = statement.resource if statement.resource is not None else statement.not_resource
        block = statement.principal or statement.not_principal
        self._build(
            statement.index,
            statement.sid,
            statement.effect,
            [v.text for v in actions or ()],
            statement.not_action is not None,
            [v.text for v in resources] if resources is not None else None,
            statement.not_resource is not None,
            PrincipalMatcher.of_block(block) if block is not None else None,
            statement.not_principal is not None,
            tuple(compile_condition(c, variables) for c in statement.conditions),
            variables,
        )

    @classmethod
    def from_plain(
        cls, raw: dict[str, Any], index: int, variables: bool, owner: PlainSource
    ) -> CompiledStatement:
        """A statement of a policy object read without positions (``plain_statements``); its
        ``statement`` and condition entries are parsed, and its span counted, when asked for."""
        self = cls.__new__(cls)
        self._statement = None
        self._owner = owner
        self._span = None
        not_action = "NotAction" in raw
        actions = raw["NotAction"] if not_action else raw["Action"]
        not_resource = "NotResource" in raw
        resources = raw.get("NotResource") if not_resource else raw.get("Resource")
        not_principal = "NotPrincipal" in raw
        block = raw["NotPrincipal"] if not_principal else raw.get("Principal")
        principal = None
        if block is not None:
            if type(block) is str:  # "*", the only string plain_statements lets through
                principal = PrincipalMatcher(True, ())
            else:
                principal = PrincipalMatcher(
                    False, [(t, [v] if type(v) is str else v) for t, v in block.items()]
                )
        conditions: list[CompiledCondition] = []
        for operator, block in (raw.get("Condition") or {}).items():
            for key, values in block.items():
                texts = tuple(
                    value_text(v) for v in (values if type(values) is list else (values,))
                )
                entry = partial(owner.condition_entry, index, len(conditions))
                conditions.append(CompiledCondition(operator, key, texts, variables, entry))
        self._build(
            index,
            raw.get("Sid"),
            raw["Effect"],
            [actions] if type(actions) is str else actions,
            not_action,
            [resources] if type(resources) is str else resources,
            not_resource,
            principal,
            not_principal,
            tuple(conditions),
            variables,
        )
        return self

    def _build(
        self,
        index: int,
        sid: str | None,
        effect: str,
        actions: Sequence[str],
        not_action: bool,
        resources: Sequence[str] | None,
        not_resource: bool,
        principal: PrincipalMatcher | None,
        not_principal: bool,
        conditions: tuple[CompiledCondition, ...],
        variables: bool,
    ) -> None:
        self.index = index
        self.sid = sid
        self.effect = effect
        self.allow = effect == "Allow"
        self.not_action = not_action
        self.action = _action_matcher(tuple(actions))
        self.not_resource = not_resource
        self.resource = (
            _resource_matcher(tuple(resources), variables) if resources is not None else None
        )
        self.principal = principal
        self.not_principal = not_principal
        self.conditions = conditions
        keys: dict[str, str] = {}
        for cond in conditions:
            if not cond.is_null:
                keys.setdefault(cond.key, cond.written_key)
        self.condition_keys = tuple(keys.items())
        # MatchedStatement records by (policy type, label, name), built once (see decision).
        self.matched: dict[tuple[str, str, str | None], object] = {}

    @property
    def statement(self) -> Statement:
        """The parsed statement, with every element's position."""
        found = self._statement
        if found is None:
            assert self._owner is not None
            found = self._statement = self._owner.document.statements[self.index]
        return found

    @property
    def span(self) -> Span:
        """The statement's span ("{" to just past "}"), counted without parsing when it can."""
        found = self._span
        if found is None:
            assert self._owner is not None
            found = self._span = self._owner.statement_span(self.index)
        return found

    @property
    def services(self) -> frozenset[str] | None:
        """Service prefixes this statement can match; None when it may match any."""
        return None if self.not_action else self.action.services

    def action_matches_name(self, action: str) -> bool:
        """Whether Action/NotAction lets ``action`` (lower case) through."""
        return self.action(action) != self.not_action

    def action_matches(self, env: Env) -> bool:
        return self.action(env.action) != self.not_action

    def resource_matches(self, env: Env) -> bool:
        """Whether Resource/NotResource lets the request through. A policy variable with no
        value makes its pattern unusable: it matches nothing in Resource, and in NotResource it
        makes the statement not apply (AWS: an unresolvable variable can invalidate the whole
        statement). Either way the variable's key is reported as missing."""
        if self.resource is None:
            return True
        matched, unresolved = self.resource.match(env)
        if unresolved and not matched:
            self.resource.report_missing(env)
            if self.not_resource:
                return False
        return matched != self.not_resource

    def principal_kind(self, env: Env) -> str | None:
        """For resource policies: how the statement names the caller (None: it does not)."""
        if self.principal is None:
            return None
        if self.not_principal:
            if self.allow:
                # An Allow with NotPrincipal grants everyone the block does not name: a caller
                # it names by any of its names (ARN, role, account) gets nothing from it. The
                # "list the account too" rule below is about Deny only.
                return None if self.principal.match(env.principal) is not None else DIRECT
            # AWS: a Deny with NotPrincipal always applies to an IAM principal that has a
            # permissions boundary, whatever NotPrincipal lists.
            if env.has_boundary:
                return DIRECT
            return None if self.principal.covers_all(env.principal) else DIRECT
        return self.principal.match(env.principal)

    def applies(self, env: Env, principal: int) -> Literal[False] | str | None:
        """The fast path, for a statement whose action already matched (see
        ``CompiledPolicy.for_action``): False when the statement does not apply; else the
        principal match kind (None when the principal is not checked). ``principal``: 0 = not
        checked, 1 = checked when the statement has one (RCPs), 2 = required (resource
        policies)."""
        resource = self.resource
        if resource is not None:
            value = env.resource
            for m in resource.static:
                if m(value):
                    if self.not_resource:
                        return False
                    break
            else:
                if resource.templates:
                    if not self.resource_matches(env):
                        return False
                elif not self.not_resource:
                    return False
        kind = None
        if principal and (principal == 2 or self.principal is not None):
            kind = self.principal_kind(env)
            if kind is None:
                return False
        if self.conditions and not self.conditions_hold(env):
            return False
        return kind

    def conditions_hold(self, env: Env) -> bool:
        if self.condition_keys:
            context = env.context
            for key, written in self.condition_keys:
                if key not in context:
                    env.missing.setdefault(key, written)
        return all(c.evaluate(env) for c in self.conditions)

    def trace(
        self, env: Env, policy_type: str, ref: PolicyRef, with_principal: bool
    ) -> StatementTrace:
        st = self.statement
        if self.action(env.action) != self.not_action:
            action = ElementResult(True)
        else:
            reason = (
                MismatchReason.ACTION_EXCLUDED
                if self.not_action
                else MismatchReason.ACTION_NOT_LISTED
            )
            action = ElementResult(False, reason)
        resource = ElementResult(True)
        if self.resource is not None:
            matched, unresolved = self.resource.match(env)
            if self.not_resource:
                if matched:
                    resource = ElementResult(False, MismatchReason.RESOURCE_EXCLUDED)
                elif unresolved:
                    resource = ElementResult(False, MismatchReason.VARIABLE_MISSING)
            elif not matched:
                reason = (
                    MismatchReason.VARIABLE_MISSING
                    if unresolved
                    else MismatchReason.RESOURCE_NOT_LISTED
                )
                resource = ElementResult(False, reason)
        principal = None
        if with_principal:
            if self.principal is None:
                principal = ElementResult(False, MismatchReason.PRINCIPAL_MISSING)
            elif self.principal_kind(env) is not None:
                principal = ElementResult(True)
            else:
                reason = (
                    MismatchReason.PRINCIPAL_EXCLUDED
                    if self.not_principal
                    else MismatchReason.PRINCIPAL_NOT_LISTED
                )
                principal = ElementResult(False, reason)
        conditions = []
        for cond in self.conditions:
            outcome = cond.explain(env)
            conditions.append(
                ConditionTrace(
                    cond.entry.operator,
                    cond.entry.key,
                    outcome.matched,
                    outcome.reason,
                    outcome.request_values,
                    cond.entry.span,
                )
            )
        return StatementTrace(
            policy_type=policy_type,
            label=ref.label,
            name=ref.name,
            statement_index=st.index,
            sid=st.sid,
            effect=st.effect,
            span=st.span,
            action=action,
            resource=resource,
            principal=principal,
            conditions=tuple(conditions),
        )


class PlainSource:
    """A policy object read without positions (``plain_statements``): parsed, for positions
    and traces, only when asked."""

    __slots__ = ("_document", "source")

    def __init__(self, source: dict[str, Any]) -> None:
        self.source = source
        self._document: PolicyDocument | None = None

    @property
    def document(self) -> PolicyDocument:
        found = self._document
        if found is None:
            found = self._document = parse_policy(self.source)
        return found

    def statement_span(self, index: int) -> Span:
        if self._document is None:
            return statement_span(self.source, index)
        return self._document.statements[index].span

    def condition_entry(self, statement: int, condition: int) -> ConditionEntry:
        return self.document.statements[statement].conditions[condition]


class CompiledPolicy:
    """A parsed document with its statements compiled; evaluate it against many requests.

    A policy object read without positions (``from_plain``) compiles a statement only when a
    request's action may match it, and parses the document (for positions and traces) only when
    asked for ``document``."""

    __slots__ = (
        "_by_action",
        "_by_service",
        "_compiled",
        "_document",
        "_indexed",
        "_origin",
        "_plain",
        "_variables",
        "_wild",
    )

    def __init__(self, document: PolicyDocument) -> None:
        self._document: PolicyDocument | None = document
        self._origin: PlainSource | None = None
        self._plain: list[dict[str, Any]] = []
        self._variables = document.version == VARIABLES_VERSION
        compiled = [CompiledStatement(s, self._variables) for s in document.statements]
        self._compiled: list[CompiledStatement | None] = list(compiled)
        self._index([st.services for st in compiled])

    @classmethod
    def from_plain(cls, source: dict[str, Any], statements: list[dict[str, Any]]) -> CompiledPolicy:
        """Compile a policy object that ``plain_statements`` accepted (it gave ``statements``).
        The object is read later, when statements are first used: it must not change."""
        self = cls.__new__(cls)
        self._document = None
        # What the statements read positions from: not the policy itself, so that a compiled
        # policy holds no reference cycle and is freed as soon as a batch lets go of it.
        self._origin = PlainSource(source)
        self._plain = statements
        self._variables = source.get("Version") == VARIABLES_VERSION
        self._compiled = [None] * len(statements)
        # No index: a policy read this way is often asked one question; ``candidates`` scans
        # the Action lists for the service asked about (and remembers the answer).
        self._indexed = None
        self._wild = ()
        self._by_service = {}
        self._by_action = {}
        return self

    def _index(self, services: list[frozenset[str] | None]) -> None:
        indexed: dict[str, list[int]] = {}
        wild: list[int] = []
        for i, found in enumerate(services):
            if found is None:
                wild.append(i)
            else:
                for service in found:
                    indexed.setdefault(service, []).append(i)
        self._indexed: dict[str, list[int]] | None = indexed
        self._wild: tuple[int, ...] = tuple(wild)
        self._by_service: dict[str, tuple[CompiledStatement, ...]] = {}
        self._by_action: dict[str, tuple[CompiledStatement, ...]] = {}

    @property
    def document(self) -> PolicyDocument:
        found = self._document
        if found is None:
            assert self._origin is not None
            found = self._document = self._origin.document
        return found

    @property
    def statements(self) -> tuple[CompiledStatement, ...]:
        return tuple(self._statement(i) for i in range(len(self._compiled)))

    def _statement(self, index: int) -> CompiledStatement:
        found = self._compiled[index]
        if found is None:
            raw = self._plain[index]
            assert self._origin is not None
            found = CompiledStatement.from_plain(raw, index, self._variables, self._origin)
            self._compiled[index] = found
        return found

    def statement_span(self, index: int) -> Span:
        if self._origin is not None:
            return self._origin.statement_span(index)
        return self.document.statements[index].span

    def condition_entry(self, statement: int, condition: int) -> ConditionEntry:
        return self.document.statements[statement].conditions[condition]

    def for_action(self, action: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction matches ``action`` (lower case), in document order.
        Remembered per action: account-wide queries ask the same actions of every policy."""
        found = self._by_action.get(action)
        if found is None:
            if self._indexed is None:
                # Read without an index (often asked one question): compile only the
                # statements whose Action matches, found on the plain statements.
                found = tuple(
                    self._statement(i)
                    for i, raw in enumerate(self._plain)
                    if _plain_action_matches(raw, action)
                    or ("Action" not in raw and self._statement(i).action_matches_name(action))
                )
            else:
                found = tuple(
                    st
                    for st in self.candidates(action.partition(":")[0])
                    if st.action(action) != st.not_action
                )
            if len(self._by_action) >= 4096:
                self._by_action.clear()
            self._by_action[action] = found
        return found

    def candidates(self, service: str) -> tuple[CompiledStatement, ...]:
        """Statements that can match an action of ``service`` (lower case), in document order."""
        found = self._by_service.get(service)
        if found is None:
            if self._indexed is None:
                order = [i for i, raw in enumerate(self._plain) if _may_match(raw, service)]
            else:
                order = sorted(set(self._wild) | set(self._indexed.get(service, ())))
            found = tuple(self._statement(i) for i in order)
            if len(self._by_service) < 4096:
                self._by_service[service] = found
        return found


# Matchers never change once built: statements that list the same actions or resources (common
# across the policies of an account or a batch) share one.
_ACTION_MATCHERS: dict[tuple[str, ...], ActionMatcher] = {}
_RESOURCE_MATCHERS: dict[tuple[tuple[str, ...], bool], ResourceMatcher] = {}


def _action_matcher(actions: tuple[str, ...]) -> ActionMatcher:
    found = _ACTION_MATCHERS.get(actions)
    if found is None:
        found = ActionMatcher(actions)
        if len(_ACTION_MATCHERS) >= 16384:
            _ACTION_MATCHERS.clear()
        _ACTION_MATCHERS[actions] = found
    return found


def _resource_matcher(resources: tuple[str, ...], variables: bool) -> ResourceMatcher:
    found = _RESOURCE_MATCHERS.get((resources, variables))
    if found is None:
        found = ResourceMatcher(resources, variables)
        if len(_RESOURCE_MATCHERS) >= 16384:
            _RESOURCE_MATCHERS.clear()
        _RESOURCE_MATCHERS[(resources, variables)] = found
    return found


_ACTION_PATTERNS: dict[str, Matcher] = {}


def _plain_action_matches(raw: dict[str, Any], action: str) -> bool:
    """Whether a plain statement's Action (not NotAction) lists ``action`` (lower case)."""
    actions = raw.get("Action")
    if actions is None:
        return False
    for pattern in [actions] if type(actions) is str else actions:
        matcher = _ACTION_PATTERNS.get(pattern)
        if matcher is None:
            # As ActionMatcher compiles a pattern.
            lower = pattern.lower()
            matcher = glob_matcher(lower) if has_wildcard(lower) else lower.__eq__
            if len(_ACTION_PATTERNS) >= 65536:
                _ACTION_PATTERNS.clear()
            _ACTION_PATTERNS[pattern] = matcher
        if matcher(action):
            return True
    return False


def _may_match(raw: dict[str, Any], service: str) -> bool:
    """Whether a plain statement's Action can match an action of ``service`` (lower case)."""
    actions = raw.get("Action")
    if actions is None:
        return True  # NotAction
    for pattern in [actions] if type(actions) is str else actions:
        prefix, colon, _ = pattern.partition(":")
        prefix = prefix.lower()
        if not colon or prefix == service or "*" in prefix or "?" in prefix:
            return True  # (as ``action_services``: a wildcard prefix may match any service)
    return False


def compile_policy(doc: PolicyDocument | str | Mapping[str, Any]) -> CompiledPolicy:
    """Compile a parsed document (or parse text / an object first). An object is copied and
    read without positions; its positions are worked out when they are reported."""
    if isinstance(doc, PolicyDocument):
        return CompiledPolicy(doc)
    if type(doc) is dict:
        try:
            copy = marshal.loads(marshal.dumps(doc, 2))
        except ValueError:  # not plain JSON data: the parser says what is wrong
            copy = None
        statements = plain_statements(copy) if copy is not None else None
        if statements is not None:
            return CompiledPolicy.from_plain(copy, statements)
    return CompiledPolicy(parse_policy(doc))


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """A compiled policy placed in a request's policy set. ``label`` says where it sits
    (``identity[0]``, ``scps[1][0]``...); ``name`` is the policy's own name, if any."""

    label: str
    policy: CompiledPolicy
    name: str | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.label


# Not frozen, as Request: one is built per batch case (treat it as immutable all the same).
@dataclass(slots=True)
class PolicySet:
    """Every policy that bears on one request.

    ``scps``/``rcps``: levels from the organization root down to the account, each a sequence of
    policies; an empty sequence means the account is not governed by them. RCPFullAWSAccess is
    implied at every RCP level. ``resource_policy_must_allow``: the resource policy itself must
    allow (role trust policies, KMS key policies). ``endpoint_policy``: the policy of the VPC
    endpoint the request goes through; it must allow too, and its Deny denies."""

    identity: Sequence[PolicyRef] = ()
    permissions_boundary: PolicyRef | None = None
    session_policy: PolicyRef | None = None
    scps: Sequence[Sequence[PolicyRef]] = ()
    rcps: Sequence[Sequence[PolicyRef]] = ()
    resource_policy: PolicyRef | None = None
    resource_policy_must_allow: bool = False
    endpoint_policy: PolicyRef | None = (
        None  # the VPC endpoint's, when the request goes through one
    )


_MUST_ALLOW = (
    "sts:assumerole",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
    "kms:",
)


def resource_policy_must_allow(action: str) -> bool:
    """Whether the resource policy must itself allow ``action`` even within one account: a role's
    trust policy for assuming it (and tagging or naming the session), a KMS key policy for key
    operations. Other resource policies are unioned with the identity side."""
    return action.lower().startswith(_MUST_ALLOW)
