"""A statement compiled for evaluation: its matchers built once, its conditions when first
needed; ``applies`` is the fast path, ``trace`` explains every element."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from iamdesk.core.evaluator.conditions import CompiledCondition, compile_condition
from iamdesk.core.evaluator.matcher_cache import (
    action_matcher,
    principal_matcher,
    resource_matcher,
)
from iamdesk.core.evaluator.matching import DIRECT, ActionMatcher, PrincipalMatcher
from iamdesk.core.evaluator.request import Env
from iamdesk.core.evaluator.trace import (
    ConditionTrace,
    ElementResult,
    MismatchReason,
    StatementTrace,
)
from iamdesk.core.policy.document import Span, Statement
from iamdesk.core.policy.plain import PlainPolicy, value_text
from iamdesk.core.policy.typed import UNSET
from iamdesk.core.policy.typed import Statement as TypedStatement

if TYPE_CHECKING:
    from iamdesk.core.evaluator.policy_set import PolicyRef

logger = logging.getLogger(__name__)


class CompiledStatement:
    """One statement's matchers, built when the policy is loaded. ``applies`` is the fast path
    (action already matched through the policy's index); ``trace`` explains every element."""

    __slots__ = (
        "_action",
        "_actions",
        "_condition_keys",
        "_conditions",
        "_owner",
        "_raw_conditions",
        "_span",
        "_statement",
        "allow",
        "effect",
        "index",
        "matched",
        "not_action",
        "not_principal",
        "not_resource",
        "principal",
        "resource",
        "sid",
        "variables",
    )

    def __init__(self, statement: Statement, variables: bool) -> None:
        self._statement: Statement | None = statement
        self._owner: PlainPolicy | None = None
        self._span: Span | None = statement.span
        actions = statement.action if statement.action is not None else statement.not_action
        resources = statement.resource if statement.resource is not None else statement.not_resource
        block = statement.principal or statement.not_principal
        self.index = statement.index
        self.sid = statement.sid
        self.effect = statement.effect
        self.allow = statement.effect == "Allow"
        self.not_action = statement.not_action is not None
        self._actions: str | Sequence[str] = [v.text for v in actions or ()]
        self._action: ActionMatcher | None = action_matcher(tuple(self._actions))
        self.not_resource = statement.not_resource is not None
        self.resource = (
            resource_matcher([v.text for v in resources], variables)
            if resources is not None
            else None
        )
        self.principal = PrincipalMatcher.of_block(block) if block is not None else None
        self.not_principal = statement.not_principal is not None
        self.variables = variables
        self._raw_conditions: dict[str, Any] | None = None
        conditions = tuple(compile_condition(c, variables) for c in statement.conditions)
        self._conditions: tuple[CompiledCondition, ...] | None = conditions
        self._set_condition_keys(conditions)
        # MatchedStatement records by (policy type, label, name), made when first asked for
        # (see decision).
        self.matched: dict[tuple[str, str, str | None], object] | None = None

    @classmethod
    def from_plain(
        cls, raw: TypedStatement, index: int, variables: bool, owner: PlainPolicy
    ) -> CompiledStatement:
        """A statement of a policy read as typed statements (``PlainPolicy``); its
        ``statement`` and condition entries are parsed, and its span counted, when asked for.
        Built on a request's first use of the statement, so only what that use needs is made
        here: the Action matcher (its policy found the action by scanning the raw patterns),
        the conditions and the records are made when asked for."""
        self = cls.__new__(cls)
        self._statement = None
        self._owner = owner
        self._span = None
        self.index = index
        sid = raw.Sid
        self.sid = None if sid is UNSET else sid
        effect = self.effect = raw.Effect
        self.allow = effect == "Allow"
        self.variables = variables
        actions = raw.Action
        if actions is UNSET:
            self.not_action = True
            self._actions = raw.NotAction  # type: ignore[assignment]
        else:
            self.not_action = False
            self._actions = actions
        self._action = None
        resources = raw.NotResource
        if resources is not UNSET:
            self.not_resource = True
            self.resource = resource_matcher(resources, variables)
        else:
            self.not_resource = False
            resources = raw.Resource
            self.resource = None if resources is UNSET else resource_matcher(resources, variables)
        block = raw.NotPrincipal
        if block is not UNSET:
            self.not_principal = True
            self.principal = principal_matcher(block)
        else:
            self.not_principal = False
            block = raw.Principal
            self.principal = None if block is UNSET else principal_matcher(block)
        self.matched = None
        # Compiled when a request first gets this far (most statements a request's action
        # matches fail on the resource first).
        conditions = raw.Condition
        if conditions:  # (UNSET is false, as an empty Condition is)
            self._raw_conditions = conditions
            self._conditions = None
        else:
            self._raw_conditions = None
            self._conditions = self._condition_keys = ()
        return self

    @property
    def action(self) -> ActionMatcher:
        """The Action (or NotAction) patterns' matcher."""
        found = self._action
        if found is None:
            actions = self._actions
            found = self._action = action_matcher(
                (actions,) if type(actions) is str else tuple(actions)
            )
        return found

    def _compile_conditions(self) -> tuple[CompiledCondition, ...]:
        owner = self._owner
        assert owner is not None and self._raw_conditions is not None
        conditions: list[CompiledCondition] = []
        for operator, block in self._raw_conditions.items():
            for key, values in block.items():
                if type(values) is list:
                    texts = tuple([v if type(v) is str else value_text(v) for v in values])
                else:
                    texts = (values if type(values) is str else value_text(values),)
                entry = (owner, self.index, len(conditions))
                conditions.append(CompiledCondition(operator, key, texts, self.variables, entry))
        found = self._conditions = tuple(conditions)
        self._set_condition_keys(found)
        return found

    def _set_condition_keys(self, conditions: tuple[CompiledCondition, ...]) -> None:
        keys: dict[str, str] = {}
        for cond in conditions:
            if not cond.is_null and cond.key not in keys:
                keys[cond.key] = cond.written_key
        self._condition_keys = tuple(keys.items())

    @property
    def conditions(self) -> tuple[CompiledCondition, ...]:
        found = self._conditions
        return self._compile_conditions() if found is None else found

    @property
    def condition_keys(self) -> tuple[tuple[str, str], ...]:
        """The keys the conditions read, lower case, each with its spelling in the policy."""
        if self._conditions is None:
            self._compile_conditions()
        return self._condition_keys

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
        conditions = self._conditions
        if conditions is None:
            conditions = self._compile_conditions()
        if conditions:
            # conditions_hold, inlined: the hot path of a statement with conditions.
            context = env.context
            for key, written in self._condition_keys:
                if key not in context:
                    env.missing.setdefault(key, written)
            for cond in conditions:
                if not cond.evaluate(env):
                    return False
        return kind

    def conditions_hold(self, env: Env) -> bool:
        """Whether every condition holds; the keys they read that the request lacks are
        recorded as missing (all of them, whatever the outcome)."""
        conditions = self.conditions
        if self._condition_keys:
            context = env.context
            for key, written in self._condition_keys:
                if key not in context:
                    env.missing.setdefault(key, written)
        return all(c.evaluate(env) for c in conditions)

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
