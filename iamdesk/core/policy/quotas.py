"""Policy size quotas (IAM and AWS STS quotas; AWS Organizations quotas).

IAM does not count white space against its character quotas; Organizations counts every
character of an SCP or RCP, white space included.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from iamdesk.core import jsontext
from iamdesk.core.policy.document import PolicyKind, Position, Span
from iamdesk.core.policy.findings import ERROR, WARNING, Finding

log = logging.getLogger(__name__)

MANAGED_POLICY_CHARS = 6_144
ROLE_TRUST_POLICY_CHARS = 2_048  # default quota; AWS raises it to 4,096 on request
SESSION_POLICY_CHARS = 2_048
SCP_CHARS = 5_120
RCP_CHARS = 5_120
INLINE_AGGREGATE_CHARS = {"user": 2_048, "group": 5_120, "role": 10_240}

# No IAM or Organizations API takes a policy document longer than this (policyDocumentType).
IAM_DOCUMENT_CHARS = 131_072

# Resource-based policies: each service has its own quota, in bytes of the document as given.
RESOURCE_POLICY_BYTES = {
    "s3": 20_480,  # Amazon S3 User Guide: a bucket policy is limited to 20 KB
    "kms": 32_768,  # AWS KMS Developer Guide: a key policy document is at most 32 KB
    "sqs": 8_192,  # Amazon SQS Developer Guide, policy quotas: 8,192 bytes
    "sns": 30_720,  # Amazon SNS Developer Guide, policy quotas: 30 KB
    "secretsmanager": 20_480,  # PutResourcePolicy: ResourcePolicy is at most 20,480 characters
    "dynamodb": 20_480,  # DynamoDB: a resource-based policy is at most 20 KB
}
# What no service stores: the largest resource-policy quota (for a resource policy whose service
# is not known, only a document beyond every service's quota is refused).
LARGEST_RESOURCE_POLICY_BYTES = max(RESOURCE_POLICY_BYTES.values())

# kind -> (quota, white space counted?, finding code, severity, what the message calls it)
_DOCUMENT_QUOTAS: dict[PolicyKind, tuple[int, bool, str, Any, str]] = {
    PolicyKind.IDENTITY: (
        MANAGED_POLICY_CHARS,
        False,
        "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
        WARNING,
        "identity policy",
    ),
    PolicyKind.PERMISSIONS_BOUNDARY: (
        MANAGED_POLICY_CHARS,
        False,
        "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
        WARNING,
        "identity policy",
    ),
    PolicyKind.SESSION: (
        SESSION_POLICY_CHARS,
        False,
        "POLICY_SIZE_EXCEEDS_SESSION_POLICY_QUOTA",
        ERROR,
        "session policy",
    ),
    PolicyKind.TRUST: (
        ROLE_TRUST_POLICY_CHARS,
        False,
        "POLICY_SIZE_EXCEEDS_TRUST_POLICY_QUOTA",
        WARNING,
        "role trust policy",
    ),
    PolicyKind.SCP: (
        SCP_CHARS,
        True,
        "POLICY_SIZE_EXCEEDS_SCP_QUOTA",
        ERROR,
        "service control policy (SCP)",
    ),
    PolicyKind.RCP: (
        RCP_CHARS,
        True,
        "POLICY_SIZE_EXCEEDS_RCP_QUOTA",
        ERROR,
        "resource control policy (RCP)",
    ),
}


def _without_whitespace(text: str) -> int:
    """Characters outside JSON white space: the length of the minified document."""
    try:
        minified = json.dumps(jsontext.loads(text), separators=(",", ":"), ensure_ascii=False)
        return len(minified)
    except (ValueError, RecursionError):
        return sum(1 for ch in text if not ch.isspace())


def policy_size(source: str | Mapping[str, Any], *, count_whitespace: bool = False) -> int:
    """A policy's size as the quota counts it (an object is measured minified)."""
    if not isinstance(source, str):
        return len(json.dumps(source, separators=(",", ":"), ensure_ascii=False))
    return len(source) if count_whitespace else _without_whitespace(source)


def size_finding(text: str, kind: PolicyKind, span: Span) -> Finding | None:
    """A finding when one document is over its type's quota; None when it fits."""
    quota_entry = _DOCUMENT_QUOTAS.get(kind)
    if quota_entry is None:  # resource policies: the quota differs by service
        return None
    quota, with_ws, code, severity, name = quota_entry
    size = policy_size(text, count_whitespace=with_ws)
    if size <= quota:
        return None
    counted = "including" if with_ws else "excluding"
    return Finding(
        severity,
        code,
        f"The {size:,} characters in the {name}, {counted} whitespace, exceed the {quota:,} "
        f"character maximum. We recommend that you use multiple granular policies.",
        span,
    )


def early_size_finding(
    text: str, kind: PolicyKind, span: Span, service: str | None = None
) -> Finding | None:
    """The size finding for a document no API would take, measured before any other work (in
    time linear in the text), so it is refused at once with its quota's error: a resource
    policy beyond its service's quota (``service``: ``s3``, ``kms``...; unknown: beyond every
    service's), any other kind beyond ``IAM_DOCUMENT_CHARS``."""
    if kind is not PolicyKind.RESOURCE:
        # AWS's own managed policies exceed the customer quota (ReadOnlyAccess has ~95,000
        # characters), so those are validated in full with a size warning; only what no IAM API
        # accepts at all is refused here.
        if len(text) <= IAM_DOCUMENT_CHARS or policy_size(text) <= IAM_DOCUMENT_CHARS:
            return None  # (AWS stores its own policies indented: white space is not counted)
        found = size_finding(text, kind, span)
        # Nothing else is checked: the document cannot be stored, which is an error.
        return Finding(ERROR, found.code, found.message, found.span) if found else None
    quota = RESOURCE_POLICY_BYTES.get(service or "", LARGEST_RESOURCE_POLICY_BYTES)
    if len(text) <= quota // 4:
        return None  # four UTF-8 bytes per character at most
    size = len(text.encode("utf-8", "surrogatepass"))
    if size <= quota:
        return None
    where = f"a {service} resource policy" if service in RESOURCE_POLICY_BYTES else "any service"
    return Finding(
        ERROR,
        "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
        f"The {size:,} bytes of the resource policy exceed the {quota:,} byte maximum for "
        f"{where}. We recommend that you use multiple granular policies.",
        span,
    )


def inline_aggregate_size(documents: Sequence[str | Mapping[str, Any]]) -> int:
    return sum(policy_size(doc) for doc in documents)


def check_inline_aggregate(
    entity: str, documents: Sequence[str | Mapping[str, Any]]
) -> Finding | None:
    """IAM's quota on the sum of an identity's inline policies (user 2,048, group 5,120,
    role 10,240 characters, white space not counted). ``entity`` is "user", "group" or "role".
    Returns an ERROR finding spanning nothing in particular (1:1) when over, else None."""
    quota = INLINE_AGGREGATE_CHARS.get(entity.lower())
    if quota is None:
        raise ValueError(f"entity must be one of user, group, role; got {entity!r}")
    size = inline_aggregate_size(documents)
    if size <= quota:
        return None
    here = Span(Position(1, 1), Position(1, 1))
    return Finding(
        ERROR,
        "POLICY_SIZE_EXCEEDS_INLINE_AGGREGATE_QUOTA",
        f"The {size:,} characters in the {entity.lower()}'s inline policies, excluding "
        f"whitespace, exceed the {quota:,} character maximum for a {entity.lower()}'s inline "
        f"policies combined. Move some permissions to managed policies.",
        here,
    )
