"""``iamdesk iam simulate-custom-policy``: IAM's SimulateCustomPolicy, offline.

Takes the AWS CLI's options (``file://`` values, shorthand or JSON ``--context-entries``) and
prints AWS's output shape: one ``EvaluationResults`` entry per action and resource, with the
deciding statements' ``SourcePolicyId`` and positions in the text given. Errors print as the AWS
CLI prints them (``An error occurred (MalformedPolicyDocument) when calling the
SimulateCustomPolicy operation: ...``) and exit 254; a command line that cannot be parsed exits
252.

As in AWS, the request context holds only what ``--context-entries`` supplies: nothing is added.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import ipaddress
import logging
import re
from typing import Any

from iamdesk.cli.awsargs import (
    ServiceError,
    UsageError,
    load_text,
    string_list,
    structure_list,
)
from iamdesk.cli.options import GlobalOptions
from iamdesk.core.evaluator import (
    Decision,
    MatchedStatement,
    PolicyRef,
    PolicySet,
    Principal,
    Request,
    compile_policy,
    evaluate,
)
from iamdesk.core.evaluator.compiled import resource_policy_must_allow
from iamdesk.core.policy.condition_values import valid_date
from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.parser import parse_policy
from iamdesk.services.documents import MAX_DOCUMENT_LENGTH

log = logging.getLogger(__name__)

OPERATION = "SimulateCustomPolicy"
COMMAND = "simulate-custom-policy"
RESOURCE_HANDLING_OPTIONS = (
    "EC2-VPC-InstanceStore",
    "EC2-VPC-InstanceStore-Subnet",
    "EC2-VPC-EBS",
    "EC2-VPC-EBS-Subnet",
)
CONTEXT_KEY_TYPES = (
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
    "date",
    "dateList",
)
# With no --caller-arn the policies are tried for an IAM user that AWS does not name; this one
# stands in for it (in the resource owner's account when one is given).
DEFAULT_ACCOUNT = "123456789012"
SIMULATED_USER = "IAMDeskSimulatedUser"

_USER_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):user/.+")
_ACCOUNT_IN_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12})(:.*)?")
_ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9-]+")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy-input-list", nargs="+", required=True, metavar="POLICY",
        help="identity policy documents (JSON text or file://path)",
    )  # fmt: skip
    parser.add_argument(
        "--permissions-boundary-policy-input-list", nargs="+", metavar="POLICY",
        help="a permissions boundary document (JSON text or file://path)",
    )  # fmt: skip
    parser.add_argument(
        "--action-names", nargs="+", required=True, metavar="ACTION",
        help="actions to simulate, e.g. s3:GetObject (no wildcards)",
    )  # fmt: skip
    parser.add_argument("--resource-arns", nargs="+", metavar="ARN", help="resources (default *)")
    parser.add_argument("--resource-policy", help="resource-based policy (JSON or file://path)")
    parser.add_argument("--resource-owner", help="ARN of the account that owns the resources")
    parser.add_argument("--caller-arn", help="ARN of the IAM user making the simulated calls")
    parser.add_argument(
        "--context-entries", nargs="+", metavar="ENTRY",
        help="ContextKeyName=...,ContextKeyValues=...,ContextKeyType=... or JSON",
    )  # fmt: skip
    parser.add_argument("--resource-handling-option", help="EC2 scenario, e.g. EC2-VPC-EBS")
    parser.add_argument("--max-items", type=int, help="show at most this many results")
    parser.add_argument("--starting-token", help="NextToken from an earlier call")


def register_iam_commands(register: Any) -> None:
    """Hook for ``iamdesk.cli.iam``: adds ``simulate-custom-policy`` and
    ``get-context-keys-for-custom-policy``. Neither needs the model file: everything they read
    is on the command line."""
    register(
        COMMAND,
        OPERATION,
        add_arguments,
        lambda _context, args: simulate_custom_policy(args),
        "simulate custom identity policies against actions and resources",
    )
    register(
        "get-context-keys-for-custom-policy",
        "GetContextKeysForCustomPolicy",
        _context_key_arguments,
        lambda _context, args: context_keys_for_custom_policy(args),
        "list the context keys the given policies use",
    )


def _context_key_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy-input-list", nargs="+", required=True, metavar="POLICY",
        help="policy documents (JSON text or file://path)",
    )  # fmt: skip


_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _variables(text: str) -> list[str]:
    """Context keys a policy variable reads: ``${aws:username, 'x'}`` -> ``aws:username``."""
    names = []
    for body in _VARIABLE.findall(text):
        name = body.split(",", 1)[0].strip()
        if name and name not in ("*", "?", "$"):
            names.append(name)
    return names


def context_keys_for_custom_policy(args: argparse.Namespace) -> dict[str, Any]:
    """IAM's GetContextKeysForCustomPolicy: every context key the policies' conditions and
    policy variables read, in document order, each once (keys compare case-insensitively)."""
    policies = string_list("--policy-input-list", args.policy_input_list)
    found: dict[str, str] = {}
    for i, text in enumerate(policies, 1):
        try:
            doc = parse_policy(text)
        except PolicyParseError as exc:
            raise ServiceError("MalformedPolicyDocument", f"PolicyInputList.{i}: {exc}") from None
        variables = doc.version == "2012-10-17"
        for st in doc.statements:
            for element in st.element_spans:
                names: list[str] = []
                if element in ("Resource", "NotResource") and variables:
                    values = st.resource if element == "Resource" else st.not_resource
                    names = [n for v in values or () for n in _variables(v.text)]
                elif element == "Condition":
                    for entry in st.conditions:
                        names.append(entry.key)
                        if variables:
                            names.extend(n for v in entry.values for n in _variables(v.text))
                for name in names:
                    found.setdefault(name.lower(), name)
    return {"ContextKeyNames": list(found.values())}


def run(argv: list[str], options: GlobalOptions | None = None) -> int:
    """``iamdesk iam simulate-custom-policy ARGS``: the same path as through ``iamdesk iam``
    (AWS CLI output, NextToken for --max-items, exit codes)."""
    from iamdesk.cli import iam

    return iam.run([COMMAND, *argv], options or GlobalOptions())


def _invalid(message: str) -> ServiceError:
    return ServiceError("InvalidInput", message)


def _check_lengths(values: list[tuple[str, str]]) -> None:
    """IAM refuses a policy parameter longer than the API allows before reading any of it."""
    for field, text in values:
        if len(text) > MAX_DOCUMENT_LENGTH:
            raise ServiceError(
                "ValidationError",
                f"1 validation error detected: Value at '{field}' failed to satisfy constraint:"
                f" Member must have length less than or equal to {MAX_DOCUMENT_LENGTH}",
            )


def _compile(text: str, label: str, *, identity: bool) -> PolicyRef:
    try:
        doc = parse_policy(text)
    except PolicyParseError as exc:
        raise ServiceError("MalformedPolicyDocument", f"{label}: {exc}") from None
    if identity and any(s.principal or s.not_principal for s in doc.statements):
        raise ServiceError(
            "MalformedPolicyDocument", f"{label}: Policy document should not specify a principal."
        )
    return PolicyRef(label, compile_policy(doc))


def _context_value(entry: dict[str, Any], index: int) -> tuple[str, Any]:
    where = f"ContextEntries.member.{index}"
    name = entry.get("ContextKeyName")
    kind = entry.get("ContextKeyType")
    values = entry.get("ContextKeyValues", [])
    if not isinstance(name, str) or not 5 <= len(name) <= 256:
        raise _invalid(f"{where}.ContextKeyName must be a string of 5 to 256 characters.")
    if kind not in CONTEXT_KEY_TYPES:
        raise _invalid(
            f"{where}.ContextKeyType {kind!r} is not valid; use one of "
            + ", ".join(CONTEXT_KEY_TYPES)
        )
    items = values if isinstance(values, list) else [values]
    texts = [str(v).lower() if isinstance(v, bool) else str(v) for v in items]
    scalar = kind.removesuffix("List")
    for text in texts:
        if not _valid_context_value(scalar, text):
            raise _invalid(f"{where}: {text!r} is not a valid {scalar} value for {name}.")
    if kind.endswith("List"):
        return name, texts
    if len(texts) != 1:
        raise _invalid(f"{where}: a {kind} context key takes exactly one value.")
    return name, texts[0]


def _valid_context_value(kind: str, text: str) -> bool:
    if kind == "numeric":
        try:
            float(text)
        except ValueError:
            return False
        return True
    if kind == "boolean":
        return text.lower() in ("true", "false")
    if kind == "ip":
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            return False
        return True
    if kind == "binary":
        try:
            base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return False
        return True
    if kind == "date":
        return valid_date(text)
    return True


def _account_of(arn: str | None) -> str | None:
    if not arn:
        return None
    found = _ACCOUNT_IN_ARN.fullmatch(arn)
    return found.group(1) if found else None


def _statement(m: MatchedStatement, types: dict[str, str]) -> dict[str, Any]:
    return {
        "SourcePolicyId": m.label,
        "SourcePolicyType": types.get(m.label, "IAM Policy"),
        "StartPosition": {"Line": m.start_position.line, "Column": m.start_position.column},
        "EndPosition": {"Line": m.end_position.line, "Column": m.end_position.column},
    }


def _side(decision: Decision, policy_type: str) -> str:
    """One policy type's own verdict, for EvalDecisionDetails."""
    detail = decision.details.get(policy_type)
    if detail is None:
        return "implicitDeny"
    if detail.denied:
        return "explicitDeny"
    return "allowed" if detail.allowed else "implicitDeny"


def simulate_custom_policy(args: argparse.Namespace) -> dict[str, Any]:
    """AWS's SimulateCustomPolicy response for parsed command-line ``args``.

    Raises ``UsageError`` for unreadable values and ``ServiceError`` (InvalidInput,
    MalformedPolicyDocument) for what IAM would reject.
    """
    policies = string_list("--policy-input-list", args.policy_input_list)
    boundaries = string_list(
        "--permissions-boundary-policy-input-list",
        getattr(args, "permissions_boundary_policy_input_list", None),
    )
    actions = string_list("--action-names", args.action_names)
    resources = string_list("--resource-arns", getattr(args, "resource_arns", None))
    entries = structure_list("--context-entries", getattr(args, "context_entries", None))
    resource_policy_text = getattr(args, "resource_policy", None)
    caller = getattr(args, "caller_arn", None)
    owner = getattr(args, "resource_owner", None)
    handling = getattr(args, "resource_handling_option", None)

    if not policies:
        raise _invalid("PolicyInputList must contain at least one policy.")
    _check_lengths(
        [(f"policyInputList.{i}.member", p) for i, p in enumerate(policies, start=1)]
        + [
            (f"permissionsBoundaryPolicyInputList.{i}.member", p)
            for i, p in enumerate(boundaries, 1)
        ]
        + (
            [("resourcePolicy", load_text("--resource-policy", resource_policy_text))]
            if resource_policy_text
            else []
        )
    )
    if len(boundaries) > 1:
        raise _invalid("PermissionsBoundaryPolicyInputList can contain only one policy.")
    for action in actions:
        if not _ACTION.fullmatch(action):
            raise _invalid(
                f"Invalid action name {action}: use service:Action without wildcards "
                "(e.g. s3:GetObject)."
            )
    if handling is not None and handling not in RESOURCE_HANDLING_OPTIONS:
        raise _invalid(
            f"ResourceHandlingOption {handling} is not valid; use one of "
            + ", ".join(RESOURCE_HANDLING_OPTIONS)
        )
    if caller is not None and not _USER_ARN.fullmatch(caller):
        raise _invalid(f"CallerArn {caller} is not valid: it must be the ARN of an IAM user.")
    if owner is not None and _account_of(owner) is None:
        raise _invalid(f"ResourceOwner {owner} is not valid: give an account or user ARN.")
    if resource_policy_text is not None and caller is None:
        raise _invalid("CallerArn is required when ResourcePolicy is specified.")

    identity = [
        _compile(p, f"PolicyInputList.{i}", identity=True) for i, p in enumerate(policies, 1)
    ]
    boundary = (
        _compile(boundaries[0], "PermissionsBoundaryPolicyInputList.1", identity=True)
        if boundaries
        else None
    )
    resource_ref = (
        _compile(
            load_text("--resource-policy", resource_policy_text), "ResourcePolicy", identity=False
        )
        if resource_policy_text is not None
        else None
    )
    context = dict(_context_value(e, i) for i, e in enumerate(entries, 1))
    caller_account = _account_of(caller)
    owner_account = _account_of(owner) or caller_account
    account = caller_account or owner_account or DEFAULT_ACCOUNT
    principal = Principal(caller or f"arn:aws:iam::{account}:user/{SIMULATED_USER}", account)
    types = {"ResourcePolicy": "Resource Policy"}

    results = []
    for action in actions:
        policy_set = PolicySet(
            identity=identity,
            permissions_boundary=boundary,
            resource_policy=resource_ref,
            resource_policy_must_allow=(
                resource_ref is not None and resource_policy_must_allow(action)
            ),
        )
        decisions = [
            (
                resource,
                evaluate(
                    Request(principal, action, resource, owner_account or account, context),
                    policy_set,
                    explain=False,
                ),
            )
            for resource in resources or ["*"]
        ]
        results.append(_result(action, decisions, types, bool(resources), boundary))
    return _page(results, getattr(args, "max_items", None), getattr(args, "marker", None))


def _page(results: list[Any], max_items: int | None, token: str | None) -> dict[str, Any]:
    """IAM's paging: ``IsTruncated`` and ``Marker`` (the CLI shows the marker as NextToken)."""
    start = 0
    if token is not None:
        if not token.isdigit() or int(token) > len(results):
            raise _invalid(f"Invalid starting token {token!r}.")
        start = int(token)
    if max_items is not None and max_items < 1:
        raise UsageError("argument --max-items: must be at least 1")
    end = len(results) if max_items is None else min(len(results), start + max_items)
    page: dict[str, Any] = {"EvaluationResults": results[start:end]}
    if end < len(results):
        page.update(IsTruncated=True, Marker=str(end))
    return page


# Most restrictive first: the aggregate decision over several resources is the first of these
# that any resource produced.
_SEVERITY = ("explicitDeny", "implicitDeny", "allowed")


def _details(decision: Decision, boundary: PolicyRef | None, per_resource: bool) -> dict[str, Any]:
    """EvalDecisionDetails (cross-account: each side's verdict; same account with resource
    ARNs: present but empty; same account with "*": absent) and the boundary's verdict."""
    extra: dict[str, Any] = {}
    resource_side = decision.details.get("resource_policy")
    if decision.cross_account and resource_side is not None and resource_side.applies:
        extra["EvalDecisionDetails"] = {
            "IAM Policy": _side(decision, "identity"),
            "Resource Policy": _side(decision, "resource_policy"),
        }
    elif per_resource:
        extra["EvalDecisionDetails"] = {}
    if boundary is not None:
        detail = decision.details.get("permissions_boundary")
        allowed = bool(detail is not None and detail.allowed and not detail.denied)
        extra["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": allowed}
    return extra


def _result(
    action: str,
    decisions: list[tuple[str, Decision]],
    types: dict[str, str],
    per_resource: bool,
    boundary: PolicyRef | None,
) -> dict[str, Any]:
    """One EvaluationResult per action, as IAM now returns: the top level is the aggregate over
    the resources (the most restrictive decision, with the statements and missing keys of the
    resources that produced it); ResourceSpecificResults has each resource's own result."""
    aggregate = min((d.decision for _, d in decisions), key=_SEVERITY.index)
    deciding = [(r, d) for r, d in decisions if d.decision == aggregate]
    matched: list[dict[str, Any]] = []
    for _, decision in deciding:
        for statement in (_statement(m, types) for m in decision.matched_statements):
            if statement not in matched:
                matched.append(statement)
    missing = sorted({key for _, d in decisions for key in d.missing_context_values})
    result: dict[str, Any] = {
        "EvalActionName": action,
        "EvalResourceName": deciding[0][0],
        "EvalDecision": aggregate,
        "MatchedStatements": matched,
        "MissingContextValues": missing,
    }
    result.update(_details(deciding[0][1], boundary, per_resource))
    if per_resource:
        result["ResourceSpecificResults"] = [
            {
                "EvalResourceName": resource,
                "EvalResourceDecision": decision.decision,
                "MatchedStatements": [_statement(m, types) for m in decision.matched_statements],
                "MissingContextValues": sorted(set(decision.missing_context_values)),
                **_details(decision, boundary, per_resource),
            }
            for resource, decision in decisions
        ]
    return result
