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

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from iamdesk.core import catalog
from iamdesk.core.policy import (
    actions,
    applicability,
    conditions,
    duplicates,
    principals,
    redundancy,
    resources,
)
from iamdesk.core.policy.document import PolicyKind, PolicyParseError, Position, Span
from iamdesk.core.policy.findings import (
    ERROR,
    SUGGESTION,
    WARNING,
    Finding,
    Path,
    RawDocument,
    Report,
    end_of,
    json_type,
    sort_findings,
    type_mismatch,
)
from iamdesk.core.policy.quotas import early_size_finding, size_finding
from iamdesk.core.policy.variables import check_variables

log = logging.getLogger(__name__)

__all__ = ["Finding", "validate_policy", "warm_caches"]

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
IAM_KINDS = frozenset(
    {PolicyKind.IDENTITY, PolicyKind.PERMISSIONS_BOUNDARY, PolicyKind.SESSION, PolicyKind.TRUST}
)
# Policies that grant access. The others (SCPs, RCPs, boundaries, session policies) only cap what
# an identity or resource policy grants, so an Allow of iam:PassRole on "*" in them (AWS's own
# FullAWSAccess SCP) widens nothing, and Access Analyzer raises no pass-role or service-linked-role
# finding for them.
GRANTING_KINDS = frozenset({PolicyKind.IDENTITY, PolicyKind.RESOURCE})
UNIQUE_SID_KINDS = frozenset(
    {
        PolicyKind.IDENTITY,
        PolicyKind.PERMISSIONS_BOUNDARY,
        PolicyKind.TRUST,
        PolicyKind.SCP,
        PolicyKind.RCP,
    }
)

_SID = re.compile(r"[A-Za-z0-9]*")


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


def _decode(text: str) -> tuple[Any, dict[int, list[str]]] | Finding:
    try:
        return duplicates.decode(text, _reject_constant)
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
    source: str | Mapping[str, Any],
    kind: PolicyKind | str = PolicyKind.IDENTITY,
    service: str | None = None,
) -> list[Finding]:
    """Findings for ``source`` used as a policy of ``kind``, in document order.

    ``source`` is the policy text or a JSON object (validated as ``json.dumps(obj, indent=4)``,
    which is what the spans then refer to). ``kind`` may also be its value ("trust");
    ``service`` names a resource policy's service, for its size quota. Raises
    only ``TypeError`` for a source that is neither and ``ValueError`` for an unknown kind.
    """
    if not isinstance(kind, PolicyKind):
        kind = PolicyKind(kind)  # "identity", "trust", ...; anything else is a ValueError
    text = _render(source)
    if isinstance(text, Finding):
        return [text]
    # A document beyond its quota is refused before anything costly (parsing, the catalog).
    early = early_size_finding(text, kind, Span(Position(1, 1), end_of(text)), service)
    if early is not None:
        return [early]
    decoded = _decode(text)
    if isinstance(decoded, Finding):
        return [decoded]
    data, repeated = decoded
    raw = RawDocument(text, data)
    report = Report(raw, kind, None)
    if not isinstance(data, Mapping):
        report.add(
            ERROR,
            "DATA_TYPE_MISMATCH",
            "The text does not match the expected JSON data type Object "
            f"(found {json_type(data)}).",
            raw.whole,
        )
        return report.findings
    _check_document(report, data)
    duplicates.check_repeated_keys(report, data, repeated)
    if not any(f.severity is ERROR for f in report.findings):
        _cross_check_with_parser(report, text)
    found = size_finding(text, kind, raw.whole)
    if found is not None:
        report.add(found.severity, found.code, found.message, found.span)
    return sort_findings(report.findings)


def warm_caches() -> None:
    """Read the catalog tables the first validation would read (services, ARN formats, global
    keys, a common service), so that the editor's first keystroke does not wait ~100 ms for
    them. Safe to call from a worker thread; the tables are immutable once built."""
    catalog.arn_namespaces()
    validate_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "iam:PassRole"],
                    "Resource": "arn:aws:s3:::warm-up/*",
                    "Condition": {"Bool": {"aws:SecureTransport": "true"}},
                }
            ],
        }
    )


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
        type_mismatch(report, ("Version",), "String", version)
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
        type_mismatch(report, ("Id",), "String", data["Id"])
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
        type_mismatch(report, ("Statement",), "Array", statements)
        return
    valid: list[tuple[Path, Mapping[str, Any]]] = []
    for path, statement in items:
        if not isinstance(statement, Mapping):
            type_mismatch(report, path, "Object", statement)
            continue
        _check_statement(report, path, statement)
        valid.append((path, statement))
    _check_sids(report, valid)
    redundancy.check_statements(report, valid)


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
            actions.check_actions(report, (*path, element), st[element])
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
                resources.check_resources(report, (*path, element), st[element])
    principals.check_principals(report, path, st, effect)
    if kind is PolicyKind.RCP:
        _check_rcp_statement(report, path, st, effect)
    if "Condition" in st:
        conditions.check_condition_block(report, (*path, "Condition"), st["Condition"])
    check_variables(report, path, st)
    applicability.check_statement(report, path, st)
    if kind in GRANTING_KINDS:
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
        type_mismatch(report, (*path, "Effect"), "String", effect)
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


def _check_sids(report: Report, statements: list[tuple[Path, Mapping[str, Any]]]) -> None:
    seen: set[str] = set()
    for path, st in statements:
        if "Sid" not in st:
            continue
        sid = st["Sid"]
        where = (*path, "Sid")
        if not isinstance(sid, str):
            type_mismatch(report, where, "String", sid)
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
