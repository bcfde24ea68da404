"""Checking a policy document before it is stored: syntax, the rules of its kind, its size.

IAM rejects a document that is not valid policy grammar (``MalformedPolicyDocument``), that breaks
its kind's rules (a principal in an identity policy, no principal in a trust policy), or that is
over its size quota (``LimitExceeded``). Sizes and quotas come from ``core.policy.quotas``
(IAM counts the minified document: whitespace outside strings is free).
Findings that IAM accepts but Access Analyzer flags (unknown actions, …) are not errors here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from iamdesk.core.policy import quotas
from iamdesk.core.policy.document import PolicyDocument, PolicyKind, PolicyParseError
from iamdesk.core.policy.parser import parse_policy
from iamdesk.services.errors import IamError, limit_exceeded, malformed_policy

log = logging.getLogger(__name__)

MAX_DOCUMENT_LENGTH = 131072  # the API's policyDocument parameter limit
MANAGED_POLICY_SIZE = quotas.MANAGED_POLICY_CHARS
TRUST_POLICY_SIZE = quotas.ROLE_TRUST_POLICY_CHARS
INLINE_AGGREGATE = quotas.INLINE_AGGREGATE_CHARS
policy_size = quotas.policy_size


def document_text(source: str | Mapping[str, Any], field: str = "policyDocument") -> str:
    """The text to store for ``source`` (an object is rendered with 4-space indentation)."""
    text = json.dumps(source, indent=4) if isinstance(source, Mapping) else source
    if not isinstance(text, str) or not text:
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value at '{field}' failed to satisfy constraint:"
            " Member must have length greater than or equal to 1",
        )
    if len(text) > MAX_DOCUMENT_LENGTH:
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value at '{field}' failed to satisfy constraint:"
            f" Member must have length less than or equal to {MAX_DOCUMENT_LENGTH}",
        )
    return text


def _check_kind(doc: PolicyDocument, kind: PolicyKind) -> None:
    for statement in doc.statements:
        has_principal = statement.principal is not None or statement.not_principal is not None
        has_resource = statement.resource is not None or statement.not_resource is not None
        has_action = statement.action is not None or statement.not_action is not None
        if not has_action:
            raise malformed_policy("Policy statement must contain actions.")
        if kind in (PolicyKind.IDENTITY, PolicyKind.PERMISSIONS_BOUNDARY, PolicyKind.SESSION):
            if has_principal:
                raise malformed_policy("Policy document should not specify a principal.")
            if not has_resource:
                raise malformed_policy("Policy statement must contain resources.")
        elif kind is PolicyKind.TRUST:
            if not has_principal:
                raise malformed_policy("Missing required field Principal")
            if has_resource:
                raise malformed_policy("Has prohibited field Resource")


def check_policy(
    source: str | Mapping[str, Any], kind: PolicyKind, field: str = "policyDocument"
) -> tuple[str, PolicyDocument]:
    """Validate a document of ``kind`` and return the text to store with its parsed form."""
    text = document_text(source, field)
    try:
        doc = parse_policy(text)
    except PolicyParseError as exc:
        raise malformed_policy(str(exc)) from None  # the message with its line and column
    _check_kind(doc, kind)
    size = policy_size(text)
    if (
        kind in (PolicyKind.IDENTITY, PolicyKind.PERMISSIONS_BOUNDARY)
        and size > MANAGED_POLICY_SIZE
    ):
        raise limit_exceeded(f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE}")
    if kind is PolicyKind.TRUST and size > TRUST_POLICY_SIZE:
        raise limit_exceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_SIZE}")
    return text, doc


def check_inline_aggregate(owner_kind: str, owner_name: str, texts: list[str]) -> None:
    """The sum of one user's/group's/role's inline policies must fit IAM's aggregate quota."""
    limit = INLINE_AGGREGATE[owner_kind]
    total = sum(policy_size(text) for text in texts)
    if total > limit:
        raise limit_exceeded(
            f"Maximum policy size of {limit} bytes exceeded for {owner_kind} {owner_name}"
        )
