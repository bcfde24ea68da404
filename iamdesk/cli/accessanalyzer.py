"""``iamdesk accessanalyzer validate-policy``: IAM Access Analyzer's ValidatePolicy, offline.

The same findings the policy editor shows, in the AWS CLI's output shape::

    {"findings": [{"findingDetails": ..., "findingType": "ERROR", "issueCode": "MISSING_ACTION",
                   "learnMoreLink": ..., "locations": [{"path": [{"value": "Statement"},
                   {"index": 0}], "span": {"start": {"line": 3, "column": 8, "offset": 40},
                   "end": {...}}}]}]}

Access Analyzer counts lines from 1 and columns and offsets from 0; so does this output.
"""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Iterator
from typing import Any, NoReturn

from json_source_map import calculate

from iamdesk.cli.awsargs import (
    ServiceError,
    UsageError,
    load_text,
    print_json,
    print_service_error,
    print_usage_error,
)
from iamdesk.cli.options import GlobalOptions
from iamdesk.core import jsontext
from iamdesk.core.policy.document import PolicyKind, Position, Span
from iamdesk.core.policy.findings import Finding, end_of
from iamdesk.core.policy.validation import validate_policy

log = logging.getLogger(__name__)

POLICY_TYPES = (
    "IDENTITY_POLICY",
    "RESOURCE_POLICY",
    "SERVICE_CONTROL_POLICY",
    "RESOURCE_CONTROL_POLICY",
)
RESOURCE_TYPES = (
    "AWS::S3::Bucket",
    "AWS::S3::AccessPoint",
    "AWS::S3::MultiRegionAccessPoint",
    "AWS::S3ObjectLambda::AccessPoint",
    "AWS::IAM::AssumeRolePolicyDocument",
    "AWS::DynamoDB::Table",
)
# The service whose resource-policy size quota applies to each resource type.
_SERVICES = {
    "AWS::S3::Bucket": "s3",
    "AWS::S3::AccessPoint": "s3",
    "AWS::S3::MultiRegionAccessPoint": "s3",
    "AWS::S3ObjectLambda::AccessPoint": "s3",
    "AWS::DynamoDB::Table": "dynamodb",
}
_LINK = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
)
_SECTION = {
    "ERROR": "error",
    "SECURITY_WARNING": "security-warning",
    "WARNING": "general-warning",
    "SUGGESTION": "suggestion",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: error: {message}")


def _kind(policy_type: str, resource_type: str | None) -> PolicyKind:
    if policy_type not in POLICY_TYPES:
        raise ServiceError(
            "ValidationException",
            f"1 validation error detected: Value '{policy_type}' at 'policyType' failed to "
            f"satisfy constraint: Member must satisfy enum value set: [{', '.join(POLICY_TYPES)}]",
        )
    if resource_type is not None and resource_type not in RESOURCE_TYPES:
        raise ServiceError(
            "ValidationException",
            f"1 validation error detected: Value '{resource_type}' at "
            "'validatePolicyResourceType' failed to satisfy constraint: Member must satisfy enum "
            f"value set: [{', '.join(RESOURCE_TYPES)}]",
        )
    if resource_type is not None and policy_type != "RESOURCE_POLICY":
        raise ServiceError(
            "ValidationException",
            "validatePolicyResourceType can be specified only with policyType RESOURCE_POLICY.",
        )
    if policy_type == "IDENTITY_POLICY":
        return PolicyKind.IDENTITY
    if policy_type == "SERVICE_CONTROL_POLICY":
        return PolicyKind.SCP
    if policy_type == "RESOURCE_CONTROL_POLICY":
        return PolicyKind.RCP
    if resource_type == "AWS::IAM::AssumeRolePolicyDocument":
        return PolicyKind.TRUST
    return PolicyKind.RESOURCE


class _Locator:
    """Finds the JSON path of the element a finding's span covers, as Access Analyzer names it
    (``[{"value": "Statement"}, {"index": 0}, {"value": "Action"}]``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.data: Any = None
        self.values: dict[tuple[int, int, int, int], str] = {}
        self.keys: dict[tuple[int, int, int, int], str] = {}
        self._mapped = False

    def _map(self) -> None:
        """Decode the text and map JSON pointers to spans: only once a finding needs a path."""
        self._mapped = True
        text = self.text
        try:
            self.data = jsontext.loads(text)
        except ValueError:
            self.data = None
        try:
            entries = calculate(text)
        except Exception:  # not JSON: findings point at text, with no path
            entries = {}
        for pointer, entry in entries.items():
            start, end = entry.value_start, entry.value_end
            self.values.setdefault((start.line, start.column, end.line, end.column), pointer)
            if entry.key_start is not None and entry.key_end is not None:
                ks, ke = entry.key_start, entry.key_end
                self.keys.setdefault((ks.line, ks.column, ke.line, ke.column), pointer)

    def offset(self, line: int, column: int) -> int:
        """0-based offset of a 1-based line and column."""
        index = min(max(line, 1), len(self.line_starts)) - 1
        return min(self.line_starts[index] + column - 1, len(self.text))

    def path(self, span: Span) -> list[dict[str, Any]]:
        if span.start == Position(1, 1) and span.end == end_of(self.text):
            return []  # the whole document (a size finding): the root's path is empty
        if not self._mapped:
            self._map()
        key = (span.start.line - 1, span.start.column - 1, span.end.line - 1, span.end.column - 1)
        pointer = self.values.get(key)
        as_key = False
        if pointer is None:
            pointer = self.keys.get(key)
            as_key = pointer is not None
        if not pointer:
            return []
        elements = list(self._elements(pointer))
        if as_key and elements and "value" in elements[-1]:
            elements[-1] = {"key": elements[-1]["value"]}
        return elements

    def _elements(self, pointer: str) -> Iterator[dict[str, Any]]:
        # Pointers join keys with "/" unescaped, and keys may hold "/" (aws:PrincipalTag/team):
        # walk the decoded document to split them.
        node = self.data
        rest = pointer[1:]
        while rest:
            if isinstance(node, list):
                head, _, rest = rest.partition("/")
                if not head.isdigit() or int(head) >= len(node):
                    return
                yield {"index": int(head)}
                node = node[int(head)]
            elif isinstance(node, dict):
                key = max(
                    (k for k in node if rest == k or rest.startswith(k + "/")),
                    key=len,
                    default=None,
                )
                if key is None:
                    return
                yield {"value": key}
                node = node[key]
                rest = rest[len(key) + 1 :]
            else:
                return


def _finding(finding: Finding, locator: _Locator) -> dict[str, Any]:
    code = finding.code
    anchor = f"access-analyzer-reference-policy-checks-{_SECTION[finding.severity.value]}-"
    anchor += code.lower().replace("_", "-")
    start, end = finding.span.start, finding.span.end
    return {
        "findingDetails": finding.message,
        "findingType": finding.severity.value,
        "issueCode": code,
        "learnMoreLink": f"{_LINK}#{anchor}",
        "locations": [
            {
                "path": locator.path(finding.span),
                "span": {
                    "start": {
                        "line": start.line,
                        "column": start.column - 1,
                        "offset": locator.offset(start.line, start.column),
                    },
                    "end": {
                        "line": end.line,
                        "column": end.column - 1,
                        "offset": locator.offset(end.line, end.column),
                    },
                },
            }
        ],
    }


def validate(args: argparse.Namespace) -> dict[str, Any]:
    """The ValidatePolicy response for parsed command-line ``args``."""
    text = load_text("--policy-document", args.policy_document)
    kind = _kind(args.policy_type, args.validate_policy_resource_type)
    service = _SERVICES.get(args.validate_policy_resource_type or "")
    findings = validate_policy(text, kind, service)
    locator = _Locator(text)
    result = [_finding(f, locator) for f in findings]
    if args.max_items is not None:
        result = result[: max(args.max_items, 0)]
    return {"findings": result}


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="iamdesk accessanalyzer validate-policy")
    parser.add_argument("--policy-document", required=True, help="JSON text or file://path")
    parser.add_argument("--policy-type", required=True, help=", ".join(POLICY_TYPES))
    parser.add_argument("--validate-policy-resource-type", help=", ".join(RESOURCE_TYPES))
    parser.add_argument("--locale", help="accepted for compatibility; findings are in English")
    parser.add_argument("--max-items", type=int, help="show at most this many findings")
    return parser


def run(argv: list[str], options: GlobalOptions | None = None) -> int:
    if not argv or argv[0] in ("help", "-h", "--help"):
        print("usage: iamdesk accessanalyzer validate-policy --policy-document DOC --policy-type T")
        return 0
    if argv[0] != "validate-policy":
        return print_usage_error(
            UsageError(
                f"iamdesk accessanalyzer: error: argument operation: Invalid choice '{argv[0]}', "
                "valid choices are: validate-policy"
            )
        )
    try:
        result = validate(_parser().parse_args(argv[1:]))
    except UsageError as exc:
        return print_usage_error(exc)
    except ServiceError as exc:
        return print_service_error("ValidatePolicy", exc)
    print_json(result)
    return 0
