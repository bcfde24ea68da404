"""Policy validation: Access Analyzer-style findings for a policy document of a given kind.

``validate_policy`` never raises for a bad document: broken JSON, missing or mistyped elements
and unknown names all come back as findings with the span to highlight. It works on the decoded
JSON (with a source map) rather than on the parser's ``PolicyDocument`` so that one broken
statement does not hide the findings of the others; the parser is still consulted, and anything
it rejects that no check explains becomes an ERROR finding with its message.

The editor calls this on every keystroke, so checks stay cheap: catalog lookups are cached and
nothing here is quadratic in the document's size except the (small) per-statement comparisons.
"""

from __future__ import annotations

import difflib
import functools
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from iamdesk.core import catalog
from iamdesk.core.policy import conditions, redundancy
from iamdesk.core.policy.document import PolicyKind, PolicyParseError, Position, Span
from iamdesk.core.policy.findings import (
    ERROR,
    SECURITY_WARNING,
    SUGGESTION,
    WARNING,
    Finding,
    Path,
    RawDocument,
    Report,
    sort_findings,
)
from iamdesk.core.policy.quotas import size_finding
from iamdesk.core.policy.variables import check_variables

log = logging.getLogger(__name__)

__all__ = ["Finding", "validate_policy"]

VERSIONS = ("2012-10-17", "2008-10-17")
TOP_LEVEL = ("Version", "Id", "Statement")
ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")
PARTITIONS = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)
IAM_KINDS = frozenset(
    {PolicyKind.IDENTITY, PolicyKind.PERMISSIONS_BOUNDARY, PolicyKind.SESSION, PolicyKind.TRUST}
)
NO_PRINCIPAL_KINDS = frozenset(
    {PolicyKind.IDENTITY, PolicyKind.PERMISSIONS_BOUNDARY, PolicyKind.SESSION}
)
PRINCIPAL_REQUIRED_KINDS = frozenset({PolicyKind.TRUST, PolicyKind.RESOURCE, PolicyKind.RCP})
UNIQUE_SID_KINDS = frozenset(
    {
        PolicyKind.IDENTITY,
        PolicyKind.PERMISSIONS_BOUNDARY,
        PolicyKind.TRUST,
        PolicyKind.SCP,
        PolicyKind.RCP,
    }
)

_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
_ACCOUNT = re.compile(r"\d{12}")
_SID = re.compile(r"[A-Za-z0-9]*")
_UNIQUE_ID = re.compile(r"A[A-Z]{3}[A-Z0-9]{12,}")
_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9][a-z0-9.-]*\.(amazonaws\.com(\.cn)?|amazon\.com)")
_JSON_TYPES = {str: "String", bool: "Boolean", int: "Number", float: "Number", list: "Array"}


def _json_type(value: Any) -> str:
    if value is None:
        return "Null"
    if isinstance(value, Mapping):
        return "Object"
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _render(source: str | Mapping[str, Any]) -> str | Finding:
    if isinstance(source, str):
        return source
    if isinstance(source, Mapping):
        try:
            return json.dumps(source, indent=4)
        except (TypeError, ValueError, RecursionError) as exc:
            here = Span(Position(1, 1), Position(1, 1))
            return Finding(ERROR, "DATA_TYPE_MISMATCH", f"The policy is not JSON: {exc}", here)
    raise TypeError(f"source must be policy text or a mapping, not {type(source).__name__}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _decode(text: str) -> Any | Finding:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        at = Position(exc.lineno, exc.colno)
        message = f"Fix the JSON syntax error at index {exc.pos} line {exc.lineno} column "
        message += f"{exc.colno}: {exc.msg}."
        return Finding(
            ERROR, "JSON_SYNTAX_ERROR", message, Span(at, Position(at.line, at.column + 1))
        )
    except (ValueError, RecursionError) as exc:
        here = Span(Position(1, 1), Position(1, 1))
        return Finding(ERROR, "JSON_SYNTAX_ERROR", f"Fix the JSON syntax error: {exc}.", here)


def validate_policy(
    source: str | Mapping[str, Any], kind: PolicyKind = PolicyKind.IDENTITY
) -> list[Finding]:
    """Findings for ``source`` used as a policy of ``kind``, in document order.

    ``source`` is the policy text or a JSON object (validated as ``json.dumps(obj, indent=4)``,
    which is what the spans then refer to). Raises only ``TypeError`` for a source that is
    neither.
    """
    text = _render(source)
    if isinstance(text, Finding):
        return [text]
    data = _decode(text)
    if isinstance(data, Finding):
        return [data]
    raw = RawDocument(text, data)
    report = Report(raw, kind, None)
    if not isinstance(data, Mapping):
        report.add(
            ERROR,
            "DATA_TYPE_MISMATCH",
            "The text does not match the expected JSON data type Object "
            f"(found {_json_type(data)}).",
            raw.whole,
        )
        return report.findings
    _check_document(report, data)
    if not any(f.severity is ERROR for f in report.findings):
        _cross_check_with_parser(report, text)
    found = size_finding(text, kind, raw.whole)
    if found is not None:
        report.add(found.severity, found.code, found.message, found.span)
    return sort_findings(report.findings)


def _cross_check_with_parser(report: Report, text: str) -> None:
    try:
        from iamdesk.core.policy.parser import parse_policy
    except ImportError:  # the parser ships separately; validation stands without it
        return
    try:
        parse_policy(text)
    except PolicyParseError as exc:
        line = exc.line or 1
        column = exc.column or 1
        at = Position(line, column)
        report.add(ERROR, "MALFORMED_POLICY_DOCUMENT", exc.message, Span(at, at))


def _check_document(report: Report, data: Mapping[str, Any]) -> None:
    raw = report.raw
    for key in data:
        if key not in TOP_LEVEL:
            report.add(
                ERROR,
                "INVALID_POLICY_ELEMENT",
                f"The policy element {key} is not valid.",
                raw.key_span((key,)),
            )
    version = data.get("Version")
    if "Version" not in data:
        report.add(
            WARNING,
            "MISSING_VERSION",
            "We recommend that you specify the Version element to help you with debugging "
            "permission issues.",
            Span(raw.whole.start, raw.whole.start),
        )
    elif not isinstance(version, str):
        _type_mismatch(report, ("Version",), "String", version)
    elif version not in VERSIONS:
        report.add(
            ERROR,
            "INVALID_VERSION",
            f"The version {version} is not valid. Use one of the following versions: "
            + ", ".join(VERSIONS),
            raw.span(("Version",)),
        )
    else:
        report.version = version
    if "Id" in data and not isinstance(data["Id"], str):
        _type_mismatch(report, ("Id",), "String", data["Id"])
    statements = data.get("Statement")
    if "Statement" not in data:
        report.add(ERROR, "MISSING_STATEMENT", "Add a statement to the policy", raw.whole)
        return
    if isinstance(statements, Mapping):
        items: list[tuple[Path, Any]] = [(("Statement",), statements)]
    elif isinstance(statements, list):
        items = [(("Statement", i), s) for i, s in enumerate(statements)]
        if not items:
            report.add(
                ERROR,
                "MISSING_STATEMENT",
                "Add a statement to the policy",
                raw.span(("Statement",)),
            )
    else:
        _type_mismatch(report, ("Statement",), "Array", statements)
        return
    valid: list[tuple[Path, Mapping[str, Any]]] = []
    for path, statement in items:
        if not isinstance(statement, Mapping):
            _type_mismatch(report, path, "Object", statement)
            continue
        _check_statement(report, path, statement)
        valid.append((path, statement))
    _check_sids(report, valid)
    redundancy.check_statements(report, valid)


def _type_mismatch(report: Report, path: Path, expected: str, value: Any) -> None:
    report.add(
        ERROR,
        "DATA_TYPE_MISMATCH",
        f"The text does not match the expected JSON data type {expected} "
        f"(found {_json_type(value)}).",
        report.raw.span(path),
    )


def strings(report: Report, path: Path, value: Any) -> list[tuple[str, Path]]:
    """A string-or-list element as (text, path) pairs; non-strings reported and skipped."""
    if isinstance(value, str):
        return [(value, path)]
    if isinstance(value, list):
        found = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                found.append((item, (*path, i)))
            else:
                _type_mismatch(report, (*path, i), "String", item)
        return found
    _type_mismatch(report, path, "Array", value)
    return []


def _check_statement(report: Report, path: Path, st: Mapping[str, Any]) -> None:
    raw, kind = report.raw, report.kind
    for key in st:
        if key not in ELEMENTS:
            report.add(
                ERROR,
                "INVALID_POLICY_ELEMENT",
                f"The policy element {key} is not valid.",
                raw.key_span((*path, key)),
            )
    for a, b in (("Action", "NotAction"), ("Resource", "NotResource")):
        if a in st and b in st:
            report.add(
                ERROR,
                "UNSUPPORTED_ELEMENT_COMBINATION",
                f"The policy elements {a} and {b} can not be used in the same statement. "
                "Remove one of these elements.",
                raw.key_span((*path, b)),
            )
    if "Principal" in st and "NotPrincipal" in st:
        report.add(
            ERROR,
            "UNSUPPORTED_ELEMENT_COMBINATION",
            "The policy elements Principal and NotPrincipal can not be used in the same "
            "statement. Remove one of these elements.",
            raw.key_span((*path, "NotPrincipal")),
        )
    effect = _check_effect(report, path, st)
    if "Action" not in st and "NotAction" not in st:
        report.add(
            ERROR,
            "MISSING_ACTION",
            "Add an Action or NotAction element to the policy statement.",
            raw.span(path),
        )
    for element in ("Action", "NotAction"):
        if element in st:
            _check_actions(report, (*path, element), st[element])
    if kind is PolicyKind.TRUST:
        for element in ("Resource", "NotResource"):
            if element in st:
                report.add(
                    ERROR,
                    "INVALID_POLICY_ELEMENT",
                    f"The policy element {element} is not valid in a role trust policy: the "
                    "role itself is the resource.",
                    raw.key_span((*path, element)),
                )
    elif "Resource" not in st and "NotResource" not in st:
        report.add(
            ERROR,
            "MISSING_RESOURCE",
            "Add a Resource or NotResource element to the policy statement.",
            raw.span(path),
        )
    else:
        for element in ("Resource", "NotResource"):
            if element in st:
                _check_resources(report, (*path, element), st[element])
    _check_principals(report, path, st, effect)
    if kind is PolicyKind.RCP:
        _check_rcp_statement(report, path, st, effect)
    if "Condition" in st:
        conditions.check_condition_block(report, (*path, "Condition"), st["Condition"])
    check_variables(report, path, st)
    redundancy.check_sensitive_actions(report, path, st, effect)


def _check_rcp_statement(
    report: Report, path: Path, st: Mapping[str, Any], effect: str | None
) -> None:
    """RCPs (AWS Organizations "RCP syntax"): Deny only, Principal "*", no NotAction or
    NotPrincipal. The one Allow RCP is AWS's own RCPFullAWSAccess."""
    raw = report.raw
    full_access = all(st.get(e) == "*" for e in ("Principal", "Action", "Resource"))
    if effect == "Allow" and not (full_access and "Condition" not in st):
        report.add(
            ERROR,
            "RCP_SYNTAX_ERROR_ALLOW",
            "RCPs support only the Deny effect; Allow is reserved for AWS's RCPFullAWSAccess "
            "policy. Update the effect.",
            raw.span((*path, "Effect")),
        )
    for element in ("NotAction", "NotPrincipal"):
        if element in st:
            report.add(
                ERROR,
                f"RCP_SYNTAX_ERROR_{element.upper()}",
                f"RCPs do not support the {element} element.",
                raw.key_span((*path, element)),
            )
    if "Principal" in st and st["Principal"] != "*":
        report.add(
            ERROR,
            "RCP_SYNTAX_ERROR_PRINCIPAL",
            'RCPs support only "Principal": "*". Use the aws:PrincipalArn or '
            "aws:PrincipalAccount condition keys to narrow the principals.",
            raw.span((*path, "Principal")),
        )


def _check_effect(report: Report, path: Path, st: Mapping[str, Any]) -> str | None:
    if "Effect" not in st:
        report.add(
            ERROR,
            "MISSING_EFFECT",
            "Add an Effect element to the policy statement with a value of Allow or Deny.",
            report.raw.span(path),
        )
        return None
    effect = st["Effect"]
    if not isinstance(effect, str):
        _type_mismatch(report, (*path, "Effect"), "String", effect)
        return None
    if effect not in ("Allow", "Deny"):
        report.add(
            ERROR,
            "INVALID_EFFECT",
            f"The effect {effect} is not valid. Use Allow or Deny.",
            report.raw.span((*path, "Effect")),
        )
        return None
    return effect


def _check_actions(report: Report, path: Path, value: Any) -> None:
    items = strings(report, path, value)
    if isinstance(value, list) and not value:
        report.add(
            SUGGESTION,
            "EMPTY_ARRAY_ACTION",
            "This statement includes no actions and does not affect the policy. Specify actions.",
            report.raw.span(path),
        )
    for text, where in items:
        _check_action(report, where, text)
    redundancy.check_actions(report, items)


def _check_action(report: Report, path: Path, text: str) -> None:
    if text == "*":
        return
    prefix, sep, name = text.partition(":")
    if not sep or not prefix or not name:
        report.add(
            ERROR,
            "INVALID_ACTION",
            f"The action {text} is not valid. Use the format service:action, e.g. s3:GetObject.",
            report.raw.span(path),
        )
        return
    if _has_wildcard(prefix):
        report.add(
            SUGGESTION,
            "WILDCARD_IN_SERVICE_NAME",
            "Avoid using wildcards (*, ?) in the service name because it might grant "
            "unintended access to other AWS services with similar names.",
            report.raw.span(path),
        )
        if not catalog.expand_action(text):
            report.add(
                ERROR,
                "INVALID_ACTION",
                f"The action {text} matches no action.",
                report.raw.span(path),
            )
        return
    if prefix.lower() in catalog.RETIRED_SERVICES:
        report.add(
            WARNING,
            "RETIRED_SERVICE_IN_ACTION",
            f"The service {prefix} ({catalog.RETIRED_SERVICES[prefix.lower()]}) has been "
            f"retired; {text} no longer grants or denies anything. Remove the action.",
            report.raw.span(path),
        )
        return
    if not catalog.service_exists(prefix):
        guess = _suggest_service(prefix.lower())
        hint = f" Did you mean {guess}?" if guess else ""
        report.add(
            ERROR,
            "INVALID_SERVICE_IN_ACTION",
            f"The service {prefix} specified in the action does not exist.{hint}",
            report.raw.span(path),
        )
        return
    if _has_wildcard(name):
        if not catalog.expand_action(text):
            report.add(
                ERROR,
                "INVALID_ACTION",
                f"The action {text} matches no action of the service {prefix}.",
                report.raw.span(path),
            )
        return
    if catalog.action(text) is None:
        guess = _suggest_action(prefix.lower(), name.lower())
        hint = f" Did you mean {guess}?" if guess else ""
        report.add(
            ERROR,
            "INVALID_ACTION",
            f"The action {text} does not exist.{hint}",
            report.raw.span(path),
        )


@functools.lru_cache(maxsize=1024)
def _suggest_service(prefix: str) -> str | None:
    # Cached: the editor re-validates the same misspelling on every keystroke.
    return _closest(prefix, catalog.services())


@functools.lru_cache(maxsize=1024)
def _suggest_action(prefix: str, name: str) -> str | None:
    names = {info.name.lower(): info.full_name for info in catalog.actions(prefix)}
    guess = _closest(name, list(names))
    return names[guess] if guess else None


def _closest(word: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    """The likeliest intended name: most similar, then same first letter, then same length."""
    close = difflib.get_close_matches(word, candidates, n=5, cutoff=0.5)
    if not close:
        return None

    def rank(candidate: str) -> tuple[float, bool, int, str]:
        ratio = difflib.SequenceMatcher(None, word, candidate).ratio()
        return (-ratio, candidate[:1] != word[:1], abs(len(candidate) - len(word)), candidate)

    return min(close, key=rank)


def _check_resources(report: Report, path: Path, value: Any) -> None:
    items = strings(report, path, value)
    if isinstance(value, list) and not value:
        report.add(
            SUGGESTION,
            "EMPTY_ARRAY_RESOURCE",
            "This statement includes no resources and does not affect the policy. "
            "Specify resources.",
            report.raw.span(path),
        )
    for text, where in items:
        _check_arn(report, where, text)
    redundancy.check_resources(report, items)


def _fixed(part: str) -> bool:
    """A literal ARN field: no wildcard and no policy variable."""
    return not _has_wildcard(part) and "${" not in part


def _check_arn(report: Report, path: Path, text: str) -> None:
    if text == "*" or text.startswith("${"):
        return
    if not text.startswith("arn:"):
        if _fixed(text.partition(":")[0]):
            report.add(
                ERROR,
                "INVALID_ARN_PREFIX",
                f"Add the required prefix (arn) to the resource ARN {text}.",
                report.raw.span(path),
            )
        return
    parts = text.split(":", 5)
    if len(parts) < 6:
        if _fixed(text):
            report.add(
                ERROR,
                "MISSING_ARN_FIELD",
                "Resource ARNs must include at least 6 fields in the following structure: "
                "arn:partition:service:region:account:resource",
                report.raw.span(path),
            )
        return
    _, partition, service, region, account, resource = parts
    if _fixed(partition) and partition not in PARTITIONS:
        report.add(
            ERROR,
            "INVALID_PARTITION",
            f"The resource ARN for the service {service} does not support the partition "
            f"{partition}. Use the supported values: {', '.join(sorted(PARTITIONS))}",
            report.raw.span(path),
        )
    if not _fixed(service):
        return
    if service != service.lower():
        report.add(
            ERROR,
            "INVALID_ARN_SERVICE_CASE",
            f"Update the service name {service} in the resource ARN to use all lowercase letters.",
            report.raw.span(path),
        )
        return
    formats = catalog.arn_namespaces()
    if service not in formats and not catalog.service_exists(service):
        report.add(
            ERROR,
            "INVALID_SERVICE",
            f"The service {service} in the resource ARN does not exist. Use a valid service name.",
            report.raw.span(path),
        )
        return
    takes_region, takes_account = formats.get(service, (True, True))
    if region and _fixed(region):
        if not takes_region:
            report.add(
                ERROR,
                "ARN_REGION_NOT_ALLOWED",
                f"The service {service} does not support specifying a Region in the resource ARN.",
                report.raw.span(path),
            )
        elif not _REGION.fullmatch(region):
            report.add(
                ERROR,
                "INVALID_ARN_REGION",
                f"The Region {region} is not valid for this resource. Update the resource ARN "
                "to include a supported Region.",
                report.raw.span(path),
            )
    if account and _fixed(account):
        if not takes_account:
            report.add(
                ERROR,
                "ARN_ACCOUNT_NOT_ALLOWED",
                f"The service {service} does not support specifying an account ID in the "
                "resource ARN.",
                report.raw.span(path),
            )
        elif not _ACCOUNT.fullmatch(account) and account != "aws":
            report.add(
                ERROR,
                "INVALID_ARN_ACCOUNT",
                f"The resource ARN account ID {account} is not valid. Provide a 12-digit "
                "account ID.",
                report.raw.span(path),
            )
    if not resource:
        report.add(
            ERROR,
            "INVALID_ARN_RESOURCE",
            "Resource ARN does not match the expected ARN format. Update the resource portion "
            "of the ARN.",
            report.raw.span(path),
        )


def _check_principals(
    report: Report, path: Path, st: Mapping[str, Any], effect: str | None
) -> None:
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
        _type_mismatch(report, path, "Object", value)
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
    if _has_wildcard(text):
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


def _check_sids(report: Report, statements: list[tuple[Path, Mapping[str, Any]]]) -> None:
    seen: set[str] = set()
    for path, st in statements:
        if "Sid" not in st:
            continue
        sid = st["Sid"]
        where = (*path, "Sid")
        if not isinstance(sid, str):
            _type_mismatch(report, where, "String", sid)
            continue
        if sid == "":
            report.add(
                SUGGESTION,
                "EMPTY_SID_VALUE",
                "Add a value to the empty string in the Sid element.",
                report.raw.span(where),
            )
            continue
        if report.kind in IAM_KINDS and not _SID.fullmatch(sid):
            report.add(
                ERROR,
                "UNSUPPORTED_SID",
                "Update the characters in the Sid element to use one of the following character "
                "types: [a-z, A-Z, 0-9]",
                report.raw.span(where),
            )
        if sid in seen:
            if report.kind in UNIQUE_SID_KINDS:
                report.add(
                    ERROR,
                    "UNIQUE_SIDS_REQUIRED",
                    f"Duplicate statement IDs are not supported for this policy type. Update "
                    f"the Sid value {sid}.",
                    report.raw.span(where),
                )
            else:
                report.add(
                    WARNING,
                    "UNIQUE_SIDS_RECOMMENDED",
                    f"We recommend that you use statement IDs that are unique to your policy. "
                    f"Update the Sid value {sid}.",
                    report.raw.span(where),
                )
        seen.add(sid)
