"""Policies compiled for evaluation: every statement's matchers built once, statements indexed by
the service prefix of the actions they can match, so a request looks only at candidates."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from iamdesk.core.evaluator.conditions import compile_condition
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
from iamdesk.core.policy.document import PolicyDocument, Statement
from iamdesk.core.policy.parser import parse_policy

logger = logging.getLogger(__name__)


class CompiledStatement:
    """One statement's matchers, built when the policy is loaded. ``applies`` is the fast path
    (action already matched through the policy's index); ``trace`` explains every element."""

    __slots__ = (
        "action",
        "allow",
        "condition_keys",
        "conditions",
        "matched",
        "not_action",
        "not_principal",
        "not_resource",
        "principal",
        "resource",
        "statement",
    )

    def __init__(self, statement: Statement, variables: bool) -> None:
        self.statement = statement
        self.allow = statement.effect == "Allow"
        self.not_action = statement.not_action is not None
        actions = statement.action if statement.action is not None else statement.not_action
        self.action = ActionMatcher([v.text for v in actions or ()])
        self.not_resource = statement.not_resource is not None
        resources = statement.resource if statement.resource is not None else statement.not_resource
        self.resource = (
            ResourceMatcher([v.text for v in resources], variables)
            if resources is not None
            else None
        )
        block = statement.principal or statement.not_principal
        self.principal = PrincipalMatcher(block) if block is not None else None
        self.not_principal = statement.not_principal is not None
        self.conditions = tuple(compile_condition(c, variables) for c in statement.conditions)
        keys: dict[str, str] = {}
        for cond in self.conditions:
            if not cond.is_null:
                keys.setdefault(cond.key, cond.entry.key)
        self.condition_keys = tuple(keys.items())
        # MatchedStatement records by (policy type, label, name), built once (see decision).
        self.matched: dict[tuple[str, str, str | None], object] = {}

    @property
    def services(self) -> frozenset[str] | None:
        """Service prefixes this statement can match; None when it may match any."""
        return None if self.not_action else self.action.services

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


class CompiledPolicy:
    """A parsed document with its statements compiled; evaluate it against many requests."""

    __slots__ = ("_by_action", "_by_service", "_indexed", "_wild", "document", "statements")

    def __init__(self, document: PolicyDocument) -> None:
        self.document = document
        variables = document.version == VARIABLES_VERSION
        self.statements = tuple(CompiledStatement(s, variables) for s in document.statements)
        indexed: dict[str, list[int]] = {}
        wild: list[int] = []
        for i, st in enumerate(self.statements):
            services = st.services
            if services is None:
                wild.append(i)
            else:
                for service in services:
                    indexed.setdefault(service, []).append(i)
        self._indexed = indexed
        self._wild = tuple(wild)
        self._by_service: dict[str, tuple[CompiledStatement, ...]] = {}
        self._by_action: dict[str, tuple[CompiledStatement, ...]] = {}

    def for_action(self, action: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction matches ``action`` (lower case), in document order.
        Remembered per action: account-wide queries ask the same actions of every policy."""
        found = self._by_action.get(action)
        if found is None:
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
            order = sorted(set(self._wild) | set(self._indexed.get(service, ())))
            found = tuple(self.statements[i] for i in order)
            if len(self._by_service) < 4096:
                self._by_service[service] = found
        return found


def compile_policy(doc: PolicyDocument | str | Mapping[str, Any]) -> CompiledPolicy:
    """Compile a parsed document (or parse text / an object first)."""
    if not isinstance(doc, PolicyDocument):
        doc = parse_policy(doc)
    return CompiledPolicy(doc)


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


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy that bears on one request.

    ``scps``/``rcps``: levels from the organization root down to the account, each a sequence of
    policies; an empty sequence means the account is not governed by them. RCPFullAWSAccess is
    implied at every RCP level. ``resource_policy_must_allow``: the resource policy itself must
    allow (role trust policies, KMS key policies)."""

    identity: Sequence[PolicyRef] = ()
    permissions_boundary: PolicyRef | None = None
    session_policy: PolicyRef | None = None
    scps: Sequence[Sequence[PolicyRef]] = ()
    rcps: Sequence[Sequence[PolicyRef]] = ()
    resource_policy: PolicyRef | None = None
    resource_policy_must_allow: bool = False


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
