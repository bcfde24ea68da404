"""Simulation of a modelled principal: ``iam simulate-principal-policy`` and the test-access panel.

Gathers every policy that applies to the principal and the resource (identity: inline, attached
and the groups'; permissions boundary; session policy of an assumed-role session; the SCPs of the
principal's organization path; the RCPs of the resource's account; the resource's own policy, or
a role's trust policy for ``sts:AssumeRole``), fills the request context keys AWS fills from the
principal, without overriding what the caller gave, and asks ``core.evaluator``. Compiled
policies are cached by document text, so repeated simulations only read rows and evaluate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.core.evaluator import Decision, PolicyRef, PolicySet, Principal, Request, evaluate
from iamdesk.core.evaluator.compiled import resource_policy_must_allow
from iamdesk.core.evaluator.decision import SCP
from iamdesk.core.policy.document import Position
from iamdesk.services import organizations
from iamdesk.services.entities import resolve_account
from iamdesk.services.errors import IamError, invalid_input
from iamdesk.services.principal_policies import GatheredPrincipal, InvolvedPolicy, gather_principal
from iamdesk.services.resources import resource_for_arn
from iamdesk.services.simulation_cache import model_cached
from iamdesk.store.db import Database
from iamdesk.store.tables import Role

log = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = [
    "InvolvedPolicy",
    "SimulationResult",
    "context_from_entries",
    "gather_principal",
    "simulate_principal_policy",
]


@dataclass
class SimulationResult:
    evaluation_results: list[dict[str, Any]]
    decisions: list[Decision]
    policies: dict[str, InvolvedPolicy]
    context: dict[str, Any]

    def to_aws(self) -> dict[str, Any]:
        return {"EvaluationResults": self.evaluation_results, "IsTruncated": False}


def context_from_entries(entries: Sequence[Mapping[str, Any]] | None) -> dict[str, Any]:
    """AWS's ``ContextEntries`` list -> the evaluator's context mapping."""
    context: dict[str, Any] = {}
    for index, entry in enumerate(entries or [], start=1):
        name = entry.get("ContextKeyName")
        values = entry.get("ContextKeyValues")
        if isinstance(values, str):  # the CLI's shorthand gives a one-item list as a string
            values = [values]
        if not isinstance(name, str) or not isinstance(values, list) or not values:
            raise invalid_input(f"Context entry {index} needs ContextKeyName and ContextKeyValues.")
        kind = str(entry.get("ContextKeyType", "string"))
        context[name] = [str(v) for v in values] if kind.endswith("List") else str(values[0])
    return context


def _fill(context: dict[str, Any], filled: Mapping[str, Any]) -> dict[str, Any]:
    """AWS-filled keys under the caller's: a key the caller gave (in any case) wins."""
    given = {key.lower() for key in context}
    merged = dict(context)
    for key, value in filled.items():
        if key.lower() not in given:
            merged[key] = value
    return merged


def _position(point: Position) -> dict[str, int]:
    return {"Line": point.line, "Column": point.column}


# IAM's PolicySourceType values; the model's other kinds of policy (boundary, session, SCP,
# RCP, endpoint) are reported as AWS reports what is not one of these: "none".
SOURCE_POLICY_TYPES = frozenset(
    {"user", "group", "role", "aws-managed", "user-managed", "resource", "none"}
)


def source_policy_type(kind: str) -> str:
    return kind if kind in SOURCE_POLICY_TYPES else "none"


def _result(
    decision: Decision, action: str, resource: str, involved: Mapping[str, InvolvedPolicy]
) -> dict[str, Any]:
    matched = []
    for m in decision.matched_statements:
        policy = involved.get(m.label)
        matched.append(
            {
                "SourcePolicyId": policy.name if policy else m.name or m.label,
                "SourcePolicyType": source_policy_type(
                    policy.policy_type if policy else m.policy_type
                ),
                "StartPosition": _position(m.start_position),
                "EndPosition": _position(m.end_position),
            }
        )
    out: dict[str, Any] = {
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": decision.decision,
        "MatchedStatements": matched,
        "MissingContextValues": list(decision.missing_context_values),
    }
    details = decision.details
    scp = details.get(SCP)
    if scp is not None and scp.applies:
        # An SCP's Deny outranks its Allows: Organizations did not allow the request.
        allowed = bool(scp.allowed) and not scp.denied
        out["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": allowed}
    boundary = details.get("permissions_boundary")
    if boundary is not None and boundary.applies:
        out["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": bool(boundary.allowed) and not boundary.denied
        }
    return out


def simulate_principal_policy(
    db: Database,
    *,
    account_id: str | None = None,
    policy_source_arn: str,
    action_names: Sequence[str],
    resource_arns: Sequence[str] | None = None,
    context_entries: Sequence[Mapping[str, Any]] | Mapping[str, Any] | None = None,
    resource_policy: str | None = None,
    resource_owner: str | None = None,
    caller_arn: str | None = None,
    permissions_boundary_policy_input_list: Sequence[str] | None = None,
    policy_input_list: Sequence[str] | None = None,
    explain: bool = True,
    endpoint_policy: str | None = None,
    endpoint_id: str | None = None,
) -> SimulationResult:
    """AWS's SimulatePrincipalPolicy over the model. ``context_entries`` is AWS's list of
    ``ContextEntries`` or a plain mapping of key -> value(s). ``caller_arn``, as in AWS, makes
    the request come from that IAM user with ``policy_source_arn``'s policies ("as Bob, as if Bob
    had David's policies"): it is the principal resource policies and ``aws:`` keys see.
    ``endpoint_policy``: the request goes through a VPC endpoint with this policy (which must
    allow it too); ``endpoint_id`` (``vpce-...``) fills ``aws:SourceVpce``."""
    if not action_names:
        raise invalid_input("ActionNames must contain at least one action.")
    given = (
        dict(context_entries)
        if isinstance(context_entries, Mapping)
        else context_from_entries(context_entries)
    )
    if account_id is not None:
        with db.read() as session:
            resolve_account(session, db, account_id)
    now = db.clock()
    found = _cached(db, ("principal", policy_source_arn), gather_principal, policy_source_arn)
    found = found.copy()
    if found.mfa_issued is not None:
        age = int((now - found.mfa_issued).total_seconds())
        found.context["aws:MultiFactorAuthAge"] = str(max(0, age))
    if caller_arn is not None and caller_arn != found.principal.arn:
        _act_as(db, found, caller_arn)
    if account_id is not None and account_id != found.account_id:
        # A modelled principal of another account (cross-account what-if) is fine; only an
        # account the model lacks is an error.
        log.debug("simulating %s from account %s", policy_source_arn, account_id)
    for index, text in enumerate(policy_input_list or [], start=1):
        # AWS's "additional policy documents to include": more identity policies.
        label = f"identity[{len(found.identity)}]"
        found.identity.append(found.add(label, f"PolicyInputList.{index}", "IAM Policy", text))
    if permissions_boundary_policy_input_list:
        found.boundary = found.add(
            "permissions_boundary",
            "PermissionsBoundaryPolicyInputList.1",
            "permissions-boundary",
            permissions_boundary_policy_input_list[0],
        )
    scps = _levels(found, _org_levels(db, found.account_id, "SERVICE_CONTROL_POLICY"), "scps")
    org = _cached(db, ("org", found.account_id), organizations.organization_path, found.account_id)
    filled = {
        **found.context,
        "aws:PrincipalAccount": found.account_id,
        "aws:CurrentTime": now.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SecureTransport": "true",
        "aws:PrincipalIsAWSService": "false",
    }
    if org is not None:
        filled["aws:PrincipalOrgID"], path = org
        filled["aws:PrincipalOrgPaths"] = [path]
    endpoint = (
        found.add("endpoint_policy", endpoint_id or "endpoint", "endpoint", endpoint_policy)
        if endpoint_policy is not None
        else None
    )
    if endpoint is not None and endpoint_id:
        filled["aws:SourceVpce"] = endpoint_id
    results, decisions = [], []
    for resource in resource_arns or ["*"]:
        if resource_policy is not None:
            rpolicy, owner, rpolicy_name = resource_policy, None, "ResourcePolicy"
        else:
            rpolicy, owner, rpolicy_name = _cached(
                db, ("resource", resource), _modelled_resource, resource
            )
        raccount = resource_owner or owner or _arn_account(resource) or found.account_id
        rcps = _levels(found, _org_levels(db, raccount, "RESOURCE_CONTROL_POLICY"), "rcps")
        resource_ref = (
            found.add("resource_policy", rpolicy_name, "resource", rpolicy) if rpolicy else None
        )
        trust = resource_ref is not None and rpolicy_name.endswith(" trust policy")
        resource_keys: dict[str, Any] = {"aws:ResourceAccount": raccount}
        resource_org = _cached(db, ("org", raccount), organizations.organization_path, raccount)
        if resource_org is not None:
            resource_keys["aws:ResourceOrgID"], path = resource_org
            resource_keys["aws:ResourceOrgPaths"] = [path]
        context = _fill(given, {**filled, **resource_keys})
        for action in action_names:
            # A role's trust policy governs only STS's operations on the role.
            applies = resource_ref if not trust or action.lower().startswith("sts:") else None
            policy_set = PolicySet(
                identity=found.identity,
                permissions_boundary=found.boundary,
                session_policy=found.session_policy,
                scps=scps,
                rcps=rcps,
                resource_policy=applies,
                resource_policy_must_allow=applies is not None
                and resource_policy_must_allow(action),
                endpoint_policy=endpoint,
            )
            request = Request(found.principal, action, resource, raccount, context)
            decision = evaluate(request, policy_set, explain=explain)
            decisions.append(decision)
            results.append(_result(decision, action, resource, found.involved))
    return SimulationResult(results, decisions, found.involved, _fill(given, filled))


def _act_as(db: Database, found: GatheredPrincipal, caller_arn: str) -> None:
    """Make ``caller_arn`` (an IAM user) the principal of a simulation with ``found``'s policies;
    the principal's tags are the caller's when the model has the caller."""
    parts = caller_arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("user/"):
        raise invalid_input(f"CallerArn must be the ARN of an IAM user: {caller_arn}")
    found.principal = Principal(caller_arn, parts[4])
    found.context.update(
        {
            "aws:PrincipalArn": caller_arn,
            "aws:PrincipalType": "User",
            "aws:username": parts[5].rsplit("/", 1)[-1],
        }
    )
    for key in [k for k in found.context if k.startswith(("aws:PrincipalTag/", "aws:userid"))]:
        del found.context[key]
    try:
        caller = _cached(db, ("principal", caller_arn), gather_principal, caller_arn)
    except IamError:
        return  # a caller outside the model: no tags, no id to fill
    for key in ("aws:userid", *(k for k in caller.context if k.startswith("aws:PrincipalTag/"))):
        if key in caller.context:
            found.context[key] = caller.context[key]


def _cached(db: Database, key: tuple[str, str], read: Callable[[Session, str], T], arg: str) -> T:
    """``read(session, arg)`` from the model, reused until the model file changes."""

    def compute() -> T:
        with db.read() as session:
            return read(session, arg)

    return model_cached(db, key, compute)


def _org_levels(db: Database, account: str, kind: str) -> list[list[organizations.OrgPolicyRef]]:
    return _cached(
        db,
        (kind, account),
        lambda session, a: organizations.policy_levels(session, a, kind),
        account,
    )


def _levels(
    found: GatheredPrincipal, levels: list[list[organizations.OrgPolicyRef]], prefix: str
) -> list[list[PolicyRef]]:
    kind = prefix[:-1]
    return [
        [found.add(f"{prefix}[{i}][{j}]", p.name, kind, p.content) for j, p in enumerate(level)]
        for i, level in enumerate(levels)
    ]


def _modelled_resource(session: Session, resource: str) -> tuple[str | None, str | None, str]:
    """(policy text, owner account, policy name) of the modelled resource a request names: a
    resource with a resource policy, or a role (its trust policy); (None, None, "") otherwise."""
    row = resource_for_arn(session, resource) if resource != "*" else None
    if row is not None:
        return row.policy, row.account_id, row.name
    role = (
        session.scalars(select(Role).where(Role.arn == resource)).first()
        if ":role/" in resource
        else None
    )
    if role is not None:
        return role.assume_role_policy, role.account_id, f"{role.name} trust policy"
    return None, None, ""


def _arn_account(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4].isdigit() else None
