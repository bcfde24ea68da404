"""What the evaluator saw, statement by statement: the closed set of reasons an element did not
match, and the records the explanation, the GUI and the near-miss list are built from."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

from iamdesk.core.policy.document import Span

logger = logging.getLogger(__name__)


class MismatchReason(enum.Enum):
    ACTION_NOT_LISTED = "action_not_listed"  # no Action pattern matches
    ACTION_EXCLUDED = "action_excluded"  # NotAction names the action
    RESOURCE_NOT_LISTED = "resource_not_listed"
    RESOURCE_EXCLUDED = "resource_excluded"  # NotResource names the resource
    PRINCIPAL_NOT_LISTED = "principal_not_listed"
    PRINCIPAL_EXCLUDED = "principal_excluded"  # NotPrincipal names the principal
    PRINCIPAL_MISSING = "principal_missing"  # a resource policy statement without Principal
    VARIABLE_MISSING = "variable_missing"  # a ${...} had no value and no default
    CONTEXT_KEY_MISSING = "context_key_missing"
    CONDITION_NOT_MET = "condition_not_met"
    UNKNOWN_OPERATOR = "unknown_operator"
    INVALID_CONDITION_VALUE = "invalid_condition_value"

    @property
    def text(self) -> str:
        return _TEXT[self]


_TEXT = {
    MismatchReason.ACTION_NOT_LISTED: "the action is not in Action",
    MismatchReason.ACTION_EXCLUDED: "NotAction excludes the action",
    MismatchReason.RESOURCE_NOT_LISTED: "the resource is not in Resource",
    MismatchReason.RESOURCE_EXCLUDED: "NotResource excludes the resource",
    MismatchReason.PRINCIPAL_NOT_LISTED: "the principal is not in Principal",
    MismatchReason.PRINCIPAL_EXCLUDED: "NotPrincipal excludes the principal",
    MismatchReason.PRINCIPAL_MISSING: "the statement names no principal",
    MismatchReason.VARIABLE_MISSING: "a policy variable has no value in the request",
    MismatchReason.CONTEXT_KEY_MISSING: "the condition key is not in the request context",
    MismatchReason.CONDITION_NOT_MET: "the request's value does not satisfy the condition",
    MismatchReason.UNKNOWN_OPERATOR: "the condition operator is unknown",
    MismatchReason.INVALID_CONDITION_VALUE: "a condition value is invalid for its operator",
}


@dataclass(frozen=True, slots=True)
class ElementResult:
    matched: bool
    reason: MismatchReason | None = None


@dataclass(frozen=True, slots=True)
class ConditionTrace:
    operator: str
    key: str
    matched: bool
    reason: MismatchReason | None
    request_values: tuple[str, ...] | None  # None: key absent from the request
    span: Span


@dataclass(frozen=True, slots=True)
class StatementTrace:
    policy_type: str
    label: str
    name: str | None
    statement_index: int
    sid: str | None
    effect: str
    span: Span
    action: ElementResult
    resource: ElementResult
    principal: ElementResult | None  # None: not checked for this policy type
    conditions: tuple[ConditionTrace, ...]

    @property
    def matched(self) -> bool:
        return (
            self.action.matched
            and self.resource.matched
            and (self.principal is None or self.principal.matched)
            and all(c.matched for c in self.conditions)
        )

    @property
    def failed_elements(self) -> tuple[str, ...]:
        failed = []
        if not self.action.matched:
            failed.append("Action")
        if not self.resource.matched:
            failed.append("Resource")
        if self.principal is not None and not self.principal.matched:
            failed.append("Principal")
        if any(not c.matched for c in self.conditions):
            failed.append("Condition")
        return tuple(failed)


@dataclass(frozen=True, slots=True)
class NearMiss:
    """An Allow statement that matched the action but failed on exactly one element."""

    policy_type: str
    label: str
    name: str | None
    statement_index: int
    sid: str | None
    span: Span
    element: str  # "Resource", "Principal" or "Condition"
    reasons: tuple[MismatchReason, ...]
    detail: str
