"""Checks on ``Principal``/``NotPrincipal``: where the policy kind allows them, their shape,
and values (account IDs, IAM/STS ARNs, service principals, no partial wildcards).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from iamdesk.core.policy.document import PolicyKind
from iamdesk.core.policy.findings import (
    ERROR,
    SECURITY_WARNING,
    SUGGESTION,
    WARNING,
    Path,
    Report,
    has_wildcard,
    strings,
    type_mismatch,
)

log = logging.getLogger(__name__)

PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")
NO_PRINCIPAL_KINDS = frozenset(
    {PolicyKind.IDENTITY, PolicyKind.PERMISSIONS_BOUNDARY, PolicyKind.SESSION}
)
PRINCIPAL_REQUIRED_KINDS = frozenset({PolicyKind.TRUST, PolicyKind.RESOURCE, PolicyKind.RCP})
_ACCOUNT = re.compile(r"\d{12}")
_UNIQUE_ID = re.compile(r"A[A-Z]{3}[A-Z0-9]{12,}")
_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9][a-z0-9.-]*\.(amazonaws\.com(\.cn)?|amazon\.com)")


def check_principals(report: Report, path: Path, st: Mapping[str, Any], effect: str | None) -> None:
    raw, kind = report.raw, report.kind
    present = [e for e in ("Principal", "NotPrincipal") if e in st]
    if not present and kind in PRINCIPAL_REQUIRED_KINDS:
        report.add(
            ERROR,
            "MISSING_PRINCIPAL",
            "Add a Principal element to the policy statement.",
            raw.span(path),
        )
    for element in present:
        where = (*path, element)
        if kind in NO_PRINCIPAL_KINDS:
            report.add(
                ERROR,
                "UNSUPPORTED_PRINCIPAL",
                f"The policy type {kind.value.replace('_', ' ')} policy does not support the "
                f"{element} element. Remove the {element} element.",
                raw.key_span(where),
            )
            continue
        if kind is PolicyKind.SCP:
            report.add(
                ERROR,
                "SCP_SYNTAX_ERROR_PRINCIPAL",
                "SCPs do not support specifying principals. Remove the Principal or "
                "NotPrincipal element.",
                raw.key_span(where),
            )
            continue
        if element == "NotPrincipal" and effect == "Allow":
            report.add(
                SECURITY_WARNING,
                "ALLOW_WITH_NOT_PRINCIPAL",
                "Using Allow with NotPrincipal can be overly permissive. We recommend that you "
                "use Principal instead.",
                raw.key_span(where),
            )
        _check_principal_value(report, where, st[element])


def _check_principal_value(report: Report, path: Path, value: Any) -> None:
    raw = report.raw
    if isinstance(value, str):
        if value != "*":
            report.add(
                ERROR,
                "INVALID_PRINCIPAL_FORMAT",
                "The Principal element contents are not valid. Specify a key-value pair in the "
                'Principal element, e.g. {"AWS": "123456789012"}, or "*".',
                raw.span(path),
            )
        return
    if not isinstance(value, Mapping):
        type_mismatch(report, path, "Object", value)
        return
    if not value:
        report.add(
            SUGGESTION,
            "EMPTY_OBJECT_PRINCIPAL",
            "This statement includes no principals and does not affect the policy. "
            "Specify principals.",
            raw.span(path),
        )
    for key, entries in value.items():
        where = (*path, key)
        if key not in PRINCIPAL_KEYS:
            report.add(
                ERROR,
                "INVALID_PRINCIPAL_KEY",
                f"The principal key {key} is not valid. Use one of: {', '.join(PRINCIPAL_KEYS)}.",
                raw.key_span(where),
            )
            continue
        if isinstance(entries, list) and not entries:
            report.add(
                SUGGESTION,
                "EMPTY_ARRAY_PRINCIPAL",
                "This statement includes no principals and does not affect the policy. "
                "Specify principals.",
                raw.span(where),
            )
        for text, at in strings(report, where, entries):
            _check_principal_entry(report, key, text, at)


def _check_principal_entry(report: Report, key: str, text: str, path: Path) -> None:
    if text == "*" and key == "AWS":
        return
    if has_wildcard(text):
        report.add(
            ERROR,
            "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
            f"Wildcards (*, ?) are not supported with the principal key {key}. Replace the "
            "wildcard with a valid principal value.",
            report.raw.span(path),
        )
        return
    if key == "AWS":
        if _UNIQUE_ID.fullmatch(text):
            kind = {"AIDA": "user", "AROA": "role"}.get(text[:4])
            if kind is not None:
                report.add(
                    WARNING,
                    f"INVALID_{kind.upper()}_REFERENCE",
                    f"The Principal element includes the IAM {kind} ID {text}. We recommend "
                    f"that you use a {kind} ARN instead.",
                    report.raw.span(path),
                )
            return
        if not (_ACCOUNT.fullmatch(text) or text.startswith("arn:")):
            report.add(
                ERROR,
                "INVALID_PRINCIPAL_FORMAT",
                f"The AWS principal {text} is not valid. Use a 12-digit account ID or the ARN "
                "of an account root, user, role, or role session.",
                report.raw.span(path),
            )
        elif text.startswith("arn:"):
            parts = text.split(":", 5)
            if len(parts) < 6 or parts[2] not in ("iam", "sts"):
                report.add(
                    ERROR,
                    "INVALID_PRINCIPAL_FORMAT",
                    f"The AWS principal {text} is not a valid IAM or STS ARN.",
                    report.raw.span(path),
                )
    elif key == "Service" and not _SERVICE_PRINCIPAL.fullmatch(text):
        report.add(
            ERROR,
            "INVALID_SERVICE_PRINCIPAL_FORMAT",
            f"The service principal {text} is not valid. Service principals look like "
            "service-name.amazonaws.com.",
            report.raw.span(path),
        )
