"""A parsed policy document that remembers where each piece stood in its source text.

This is the contract between the parser (``iamdesk.core.policy.parser``), the validator
(``iamdesk.core.policy.validation``) and the evaluator (``iamdesk.core.evaluator``), which
compiles these documents into matchers. Positions are 1-based lines and columns, as AWS's
``MatchedStatements`` reports them; an end position points just past the element's last character
(AWS's ``EndPosition``: the column after the closing brace).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class PolicyKind(enum.Enum):
    """Where a policy is used; it decides which elements are required and which quota applies."""

    IDENTITY = "identity"  # managed or inline policy attached to a user, group or role
    PERMISSIONS_BOUNDARY = "permissions_boundary"
    SESSION = "session"
    TRUST = "trust"  # a role's assume-role policy (a resource policy on the role)
    RESOURCE = "resource"  # S3 bucket policy, KMS key policy, Lambda, SQS, SNS, Secrets Manager
    SCP = "scp"
    RCP = "rcp"


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Span:
    start: Position
    end: Position


@dataclass(frozen=True, slots=True)
class Value:
    """One scalar from the document. ``text`` is the value as a string, the way AWS compares it:
    JSON ``true`` becomes ``"true"``, a number keeps the digits as written. ``json_type`` is one of
    ``"string"``, ``"number"``, ``"boolean"``, ``"null"`` so validation can flag wrong types."""

    text: str
    span: Span
    json_type: str = "string"


@dataclass(frozen=True, slots=True)
class PrincipalBlock:
    """``Principal`` or ``NotPrincipal``. ``"*"`` sets ``wildcard``; a map sets ``entries``,
    e.g. ``(("AWS", (Value("arn:aws:iam::1:root"),)), ("Service", (...)))`` in document order."""

    wildcard: bool
    entries: tuple[tuple[str, tuple[Value, ...]], ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ConditionEntry:
    """One ``operator: {key: values}`` pair of a ``Condition`` block. ``operator`` is as written,
    e.g. ``"ForAnyValue:StringLikeIfExists"``; ``key`` keeps its case as written."""

    operator: str
    key: str
    values: tuple[Value, ...]
    span: Span  # the key and its value(s)
    operator_span: Span


@dataclass(frozen=True, slots=True)
class Statement:
    index: int  # 0-based position in the Statement list (0 for a lone statement object)
    sid: str | None
    effect: str  # as written; the parser accepts only "Allow" and "Deny"
    action: tuple[Value, ...] | None
    not_action: tuple[Value, ...] | None
    resource: tuple[Value, ...] | None
    not_resource: tuple[Value, ...] | None
    principal: PrincipalBlock | None
    not_principal: PrincipalBlock | None
    conditions: tuple[ConditionEntry, ...]
    span: Span  # the whole statement object, "{" to just past "}"
    element_spans: dict[str, Span] = field(default_factory=dict, compare=False, hash=False)
    """Span of each element's value by its key as written ("Effect", "Action", "Condition", ...)."""


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    version: str | None  # None when absent: policy variables are then literal text
    id: str | None
    statements: tuple[Statement, ...]
    text: str  # the source the positions refer to (json.dumps(obj, indent=4) for an object)
    span: Span


class PolicyParseError(ValueError):
    """The document is not a policy AWS would accept (IAM's ``MalformedPolicyDocument``)."""

    code = "MalformedPolicyDocument"

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{message}{where}")
