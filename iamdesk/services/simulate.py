"""Simulation of a modelled principal: ``iam simulate-principal-policy`` and the test-access panel.

Gathers every policy that applies to the principal and the resource (identity: inline, attached
and the groups'; permissions boundary; session policy of an assumed-role session; the SCPs of the
principal's organization path; the RCPs of the resource's account; the resource's own policy, or
a role's trust policy for ``sts:AssumeRole``), fills the request context keys AWS fills from the
principal, without overriding what the caller gave, and asks ``core.evaluator``. Compiled
policies are cached by document text, so repeated simulations only read rows and evaluate.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.core.evaluator import (
    CompiledPolicy,
    Decision,
    PolicyRef,
    PolicySet,
    Principal,
    Request,
    compile_policy,
    evaluate,
)
from iamdesk.core.evaluator.compiled import resource_policy_must_allow
from iamdesk.core.policy.document import PolicyParseError
from iamdesk.services import organizations
from iamdesk.services.errors import IamError, invalid_input, malformed_policy
from iamdesk.services.resources import resource_for_arn
from iamdesk.services.simulation_cache import cached
from iamdesk.store.db import Database
from iamdesk.store.tables import (
    Group,
    GroupMembership,
    InlinePolicy,
    ManagedPolicy,
    PolicyAttachment,
    PolicyVersion,
    Role,
    StsSession,
    Tag,
    User,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


@functools.lru_cache(maxsize=4096)
def compiled(text: str) -> CompiledPolicy:
    """Compile a document once per distinct text (stored documents rarely change)."""
    return compile_policy(text)


@dataclass(frozen=True)
class InvolvedPolicy:
    """A policy that took part, so the GUI can show and highlight it by ``label``."""

    label: str
    name: str
    policy_type: str  # AWS's SourcePolicyType: user, group, role, aws-managed, user-managed, ...
    text: str


@dataclass
class SimulationResult:
    evaluation_results: list[dict[str, Any]]
    decisions: list[Decision]
    policies: dict[str, InvolvedPolicy]
    context: dict[str, Any]

    def to_aws(self) -> dict[str, Any]:
        return {"EvaluationResults": self.evaluation_results, "IsTruncated": False}


@dataclass
class _Gathered:
    principal: Principal
    account_id: str
    identity: list[PolicyRef] = field(default_factory=list)
    boundary: PolicyRef | None = None
    session_policy: PolicyRef | None = None
    context: dict[str, Any] = field(default_factory=dict)
    involved: dict[str, InvolvedPolicy] = field(default_factory=dict)
    mfa_issued: datetime | None = None  # an MFA session's start: its MultiFactorAuthAge

    def copy(self) -> _Gathered:
        """A copy a simulation may add to without touching the cached original."""
        return replace(
            self,
            identity=list(self.identity),
            context=dict(self.context),
            involved=dict(self.involved),
        )

    def add(self, label: str, name: str, policy_type: str, text: str) -> PolicyRef:
        try:
            ref = PolicyRef(label, compiled(text), name)
        except PolicyParseError as exc:
            raise malformed_policy(f"Policy {name} is not valid: {exc}") from None
        self.involved[label] = InvolvedPolicy(label, name, policy_type, text)
        return ref


def _default_text(session: Session, policy_pk: int) -> tuple[ManagedPolicy, str]:
    row = session.execute(
        select(ManagedPolicy, PolicyVersion.document)
        .join(PolicyVersion, PolicyVersion.policy_pk == ManagedPolicy.pk)
        .where(ManagedPolicy.pk == policy_pk, PolicyVersion.is_default == True)  # noqa: E712
    ).one()
    return row[0], row[1]


def _identity_policies(session: Session, found: _Gathered, owner: str, pks: Sequence[int]) -> None:
    """Inline then attached policies of users/groups/roles with these pks (``owner`` column)."""
    column = getattr(InlinePolicy, f"{owner}_pk")
    for row in session.scalars(
        select(InlinePolicy).where(column.in_(pks)).order_by(InlinePolicy.pk)
    ):
        label = f"identity[{len(found.identity)}]"
        found.identity.append(found.add(label, row.name, owner, row.document))
    attach_column = getattr(PolicyAttachment, f"{owner}_pk")
    rows = session.execute(
        select(ManagedPolicy.name, ManagedPolicy.aws_managed, PolicyVersion.document)
        .join(PolicyAttachment, PolicyAttachment.policy_pk == ManagedPolicy.pk)
        .join(PolicyVersion, PolicyVersion.policy_pk == ManagedPolicy.pk)
        .where(attach_column.in_(pks), PolicyVersion.is_default == True)  # noqa: E712
        .order_by(PolicyAttachment.pk)
    )
    for name, aws_managed, text in rows:
        label = f"identity[{len(found.identity)}]"
        kind = "aws-managed" if aws_managed else "user-managed"
        found.identity.append(found.add(label, name, kind, text))


def _boundary(session: Session, found: _Gathered, policy_pk: int | None) -> None:
    if policy_pk is not None:
        policy, text = _default_text(session, policy_pk)
        found.boundary = found.add(
            "permissions_boundary", policy.name, "permissions-boundary", text
        )


def _tags(session: Session, entity_type: str, pk: int) -> dict[str, str]:
    rows = session.execute(
        select(Tag.key, Tag.value).where(Tag.entity_type == entity_type, Tag.entity_pk == pk)
    )
    return {key: value for key, value in rows}


def _gather_user(session: Session, user: User) -> _Gathered:
    found = _Gathered(Principal(user.arn, user.account_id), user.account_id)
    assert user.pk is not None
    _identity_policies(session, found, "user", [user.pk])
    groups = list(
        session.scalars(
            select(GroupMembership.group_pk)
            .where(GroupMembership.user_pk == user.pk)
            .order_by(GroupMembership.pk)
        )
    )
    if groups:
        _identity_policies(session, found, "group", groups)
    _boundary(session, found, user.permissions_boundary_pk)
    found.context.update(
        {
            "aws:username": user.name,
            "aws:userid": user.user_id,
            "aws:PrincipalArn": user.arn,
            "aws:PrincipalType": "User",
        }
    )
    for key, value in _tags(session, "user", user.pk).items():
        found.context[f"aws:PrincipalTag/{key}"] = value
    return found


def _gather_role(session: Session, role: Role, arn: str | None = None) -> _Gathered:
    found = _Gathered(Principal(arn or role.arn, role.account_id), role.account_id)
    assert role.pk is not None
    _identity_policies(session, found, "role", [role.pk])
    _boundary(session, found, role.permissions_boundary_pk)
    found.context.update(
        {
            "aws:PrincipalArn": role.arn,
            "aws:userid": role.role_id,
            "aws:PrincipalType": "AssumedRole",
        }
    )
    for key, value in _tags(session, "role", role.pk).items():
        found.context[f"aws:PrincipalTag/{key}"] = value
    return found


def _gather_session(session: Session, sts: StsSession) -> _Gathered:
    role = session.get(Role, sts.role_pk)
    assert role is not None
    found = _gather_role(session, role, sts.arn)
    if sts.session_policy:
        found.session_policy = found.add(
            "session_policy", f"{sts.session_name} session policy", "session", sts.session_policy
        )
    found.context["aws:userid"] = sts.assumed_role_id
    found.context["aws:TokenIssueTime"] = sts.create_date
    if sts.mfa_authenticated:
        found.context["aws:MultiFactorAuthPresent"] = "true"
        found.mfa_issued = datetime.fromisoformat(sts.create_date)
    else:
        found.context["aws:MultiFactorAuthPresent"] = "false"
    if sts.source_identity:
        found.context["aws:SourceIdentity"] = sts.source_identity
    for tag in json.loads(sts.session_tags or "[]"):
        found.context[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
    return found


def gather_principal(session: Session, arn: str) -> _Gathered:
    """The principal's policies and AWS-filled context; IAM's errors for unknown principals."""
    if ":assumed-role/" in arn:
        sts = session.scalars(
            select(StsSession).where(StsSession.arn == arn).order_by(StsSession.pk.desc())  # type: ignore[union-attr]
        ).first()
        if sts is None:
            raise IamError("NoSuchEntity", f"The session {arn} cannot be found in the model.")
        return _gather_session(session, sts)
    if ":user/" in arn:
        user = session.scalars(select(User).where(User.arn == arn)).first()
        if user is None:
            raise IamError("NoSuchEntity", f"The user with ARN {arn} cannot be found.")
        return _gather_user(session, user)
    if ":role/" in arn:
        role = session.scalars(select(Role).where(Role.arn == arn)).first()
        if role is None:
            raise IamError("NoSuchEntity", f"The role with ARN {arn} cannot be found.")
        return _gather_role(session, role)
    if ":group/" in arn and session.scalars(select(Group).where(Group.arn == arn)).first():
        raise invalid_input("Simulating a group is not supported; simulate one of its users.")
    raise invalid_input(f"Invalid ARN for PolicySourceArn: {arn}")


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


def _position(span: Any, which: str) -> dict[str, int]:
    point = getattr(span, which)
    return {"Line": point.line, "Column": point.column}


def _result(
    decision: Decision, action: str, resource: str, involved: Mapping[str, InvolvedPolicy]
) -> dict[str, Any]:
    matched = []
    for m in decision.matched_statements:
        policy = involved.get(m.label)
        matched.append(
            {
                "SourcePolicyId": policy.name if policy else m.name or m.label,
                "SourcePolicyType": policy.policy_type if policy else m.policy_type,
                "StartPosition": _position(m.span, "start"),
                "EndPosition": _position(m.span, "end"),
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
    scp = details.get("scp")
    if scp is not None and scp.applies:
        out["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": bool(scp.allowed)}
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
    explain: bool = True,
) -> SimulationResult:
    """AWS's SimulatePrincipalPolicy over the model. ``context_entries`` is AWS's list of
    ``ContextEntries`` or a plain mapping of key -> value(s). ``caller_arn`` is accepted for
    AWS's signature; the principal is always ``policy_source_arn``."""
    if not action_names:
        raise invalid_input("ActionNames must contain at least one action.")
    given = (
        dict(context_entries)
        if isinstance(context_entries, Mapping)
        else context_from_entries(context_entries)
    )
    now = db.clock()
    found = _cached(db, ("principal", policy_source_arn), gather_principal, policy_source_arn)
    found = found.copy()
    if found.mfa_issued is not None:
        age = int((now - found.mfa_issued).total_seconds())
        found.context["aws:MultiFactorAuthAge"] = str(max(0, age))
    if account_id is not None and account_id != found.account_id:
        log.debug("simulating %s from account %s", policy_source_arn, account_id)
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
            )
            request = Request(found.principal, action, resource, raccount, context)
            decision = evaluate(request, policy_set, explain=explain)
            decisions.append(decision)
            results.append(_result(decision, action, resource, found.involved))
    return SimulationResult(results, decisions, found.involved, _fill(given, filled))


def _cached(db: Database, key: tuple[str, str], read: Callable[[Session, str], T], arg: str) -> T:
    """``read(session, arg)`` from the model, reused until the model file changes."""

    def compute() -> T:
        with db.read() as session:
            return read(session, arg)

    return cached(db.path, key, compute)


def _org_levels(db: Database, account: str, kind: str) -> list[list[organizations.OrgPolicyRef]]:
    return _cached(
        db,
        (kind, account),
        lambda session, a: organizations.policy_levels(session, a, kind),
        account,
    )


def _levels(
    found: _Gathered, levels: list[list[organizations.OrgPolicyRef]], prefix: str
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
