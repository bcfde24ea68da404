"""Access Advisor: when a user, group, role or managed policy last used each service it allows
(IAM's GenerateServiceLastAccessedDetails / GetServiceLastAccessedDetails[WithEntities]), and
which of an entity's policies grant a service (ListPoliciesGrantingServiceAccess).

The services listed are those the entity's policies allow at least one action of (an Allow
statement's ``Action`` patterns matched against the catalog's service prefixes; ``*`` is every
service; ``NotAction`` allows every service it does not exclude whole). Use comes from the
activity ``iamdesk activity import`` keeps (CloudTrail events per principal and action): a
service never used has no ``LastAuthenticated`` and ``TotalAuthenticatedEntities`` 0, as IAM
shows it. For a group the entities are its members; for a policy, the users and roles it is
attached to (directly or through a group). ``ACTION_LEVEL`` reports add
``TrackedActionsLastAccessed`` for the services IAM tracks actions of (S3, EC2, IAM, Lambda:
their management actions seen in the activity). The activity holds no Region, so
``LastAuthenticatedRegion`` is left out.

A report is computed when generated and kept (``access_report_job``), so ``get-*`` reads what
``generate-*`` saw, as IAM's job does.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.core import catalog
from iamdesk.core.policy.document import PolicyParseError, Statement
from iamdesk.core.policy.parser import parse_policy
from iamdesk.services import entities
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database
from iamdesk.store.tables import (
    AccessReportJob,
    ActivityRecord,
    Group,
    GroupMembership,
    InlinePolicy,
    ManagedPolicy,
    PolicyAttachment,
    PolicyVersion,
    Role,
    User,
)

log = logging.getLogger(__name__)

TRACKED_SERVICES = ("s3", "ec2", "iam", "lambda")  # IAM's action-level tracking
GRANULARITIES = ("SERVICE_LEVEL", "ACTION_LEVEL")


@dataclass(frozen=True)
class GrantingPolicy:
    name: str
    policy_type: str  # INLINE | MANAGED
    arn: str | None
    entity_type: str | None  # USER | GROUP | ROLE, for inline policies
    entity_name: str | None
    text: str

    def to_aws(self) -> dict[str, Any]:
        out: dict[str, Any] = {"PolicyName": self.name, "PolicyType": self.policy_type}
        if self.arn:
            out["PolicyArn"] = self.arn
        if self.entity_type:
            out["EntityType"] = self.entity_type
            out["EntityName"] = self.entity_name
        return out


@dataclass(frozen=True)
class Target:
    """What a report is about: its policies and the principals whose use counts."""

    arn: str
    kind: str  # user | group | role | policy
    policies: list[GrantingPolicy]
    principals: list[tuple[str, str, str, str, str]]  # (arn, name, USER|ROLE, id, path)


# --- which services a policy allows -------------------------------------------------------------


def _statements(text: str) -> tuple[Statement, ...]:
    try:
        return parse_policy(text).statements
    except PolicyParseError:
        return ()


def denied_services(text: str) -> set[str]:
    """Services an unconditional Deny of ``service:*`` (or ``*``) on every resource takes away
    whole (what an SCP's deny list does)."""
    every = catalog.services()
    found: set[str] = set()
    for st in _statements(text):
        if st.effect != "Deny" or st.conditions or not st.action:
            continue
        if st.resource is not None and all(v.text != "*" for v in st.resource):
            continue
        for value in st.action:
            if value.text == "*":
                found.update(every)
            elif value.text.endswith(":*"):
                prefix = value.text.partition(":")[0].lower()
                found.update(s for s in every if s.lower() == prefix)
    return found


def allowed_services(text: str) -> set[str]:
    every = catalog.services()
    found: set[str] = set()
    for st in _statements(text):
        if st.effect != "Allow":
            continue
        if st.action:
            for value in st.action:
                service = value.text.partition(":")[0].lower() if value.text != "*" else "*"
                found.update(s for s in every if fnmatch.fnmatchcase(s.lower(), service))
        elif st.not_action:
            excluded = {
                v.text.partition(":")[0].lower() for v in st.not_action if v.text.endswith(":*")
            }
            found.update(s for s in every if s.lower() not in excluded)
    return found


# --- gathering the entity -----------------------------------------------------------------------


def _default_document(session: Session, policy_pk: int) -> str:
    return str(
        session.scalars(
            select(PolicyVersion.document).where(
                PolicyVersion.policy_pk == policy_pk,
                PolicyVersion.is_default == True,  # noqa: E712
            )
        ).first()
        or "{}"
    )


def _owned_policies(
    session: Session, column: str, pk: int, entity_type: str, entity_name: str
) -> list[GrantingPolicy]:
    out = [
        GrantingPolicy(row.name, "INLINE", None, entity_type, entity_name, row.document)
        for row in session.scalars(
            select(InlinePolicy)
            .where(getattr(InlinePolicy, column) == pk)
            .order_by(InlinePolicy.name)
        )
    ]
    for policy in session.scalars(
        select(ManagedPolicy)
        .join(PolicyAttachment, PolicyAttachment.policy_pk == ManagedPolicy.pk)
        .where(getattr(PolicyAttachment, column) == pk)
        .order_by(ManagedPolicy.name)
    ):
        out.append(
            GrantingPolicy(
                policy.name,
                "MANAGED",
                policy.arn,
                None,
                None,
                _default_document(session, int(policy.pk or 0)),
            )
        )
    return out


def _user_row(user: User) -> tuple[str, str, str, str, str]:
    return (user.arn, user.name, "USER", user.user_id, user.path)


def _role_row(role: Role) -> tuple[str, str, str, str, str]:
    return (role.arn, role.name, "ROLE", role.role_id, role.path)


def _groups_of(session: Session, user: User) -> list[Group]:
    return list(
        session.scalars(
            select(Group)
            .join(GroupMembership, GroupMembership.group_pk == Group.pk)
            .where(GroupMembership.user_pk == user.pk)
            .order_by(Group.name)
        )
    )


def _members(session: Session, group: Group) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(GroupMembership, GroupMembership.user_pk == User.pk)
            .where(GroupMembership.group_pk == group.pk)
            .order_by(User.name)
        )
    )


def target(session: Session, account: str, arn: str) -> Target:
    """The user, group, role or managed policy named by ``arn`` (IAM's NoSuchEntity else)."""
    resource = arn.split(":", 5)[-1] if arn.count(":") >= 5 else ""
    kind = resource.partition("/")[0]
    if kind == "user":
        user = session.scalars(select(User).where(User.arn == arn)).first()
        if user is None:
            raise IamError("NoSuchEntity", f"The user with ARN {arn} cannot be found.")
        policies = _owned_policies(session, "user_pk", int(user.pk or 0), "USER", user.name)
        for group in _groups_of(session, user):
            policies += _owned_policies(
                session, "group_pk", int(group.pk or 0), "GROUP", group.name
            )
        return Target(arn, "user", policies, [_user_row(user)])
    if kind == "role":
        role = session.scalars(select(Role).where(Role.arn == arn)).first()
        if role is None:
            raise IamError("NoSuchEntity", f"The role with ARN {arn} cannot be found.")
        policies = _owned_policies(session, "role_pk", int(role.pk or 0), "ROLE", role.name)
        return Target(arn, "role", policies, [_role_row(role)])
    if kind == "group":
        group = session.scalars(select(Group).where(Group.arn == arn)).first()
        if group is None:
            raise IamError("NoSuchEntity", f"The group with ARN {arn} cannot be found.")
        policies = _owned_policies(session, "group_pk", int(group.pk or 0), "GROUP", group.name)
        return Target(arn, "group", policies, [_user_row(u) for u in _members(session, group)])
    if kind == "policy":
        policy = entities.find_policy(session, account, arn)
        if policy is None:
            raise IamError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")
        granting = GrantingPolicy(
            policy.name,
            "MANAGED",
            policy.arn,
            None,
            None,
            _default_document(session, int(policy.pk or 0)),
        )
        principals: dict[str, tuple[str, str, str, str, str]] = {}
        for attachment in session.scalars(
            select(PolicyAttachment).where(PolicyAttachment.policy_pk == policy.pk)
        ):
            if attachment.user_pk:
                user = session.get(User, attachment.user_pk)
                if user is not None and user.account_id == account:
                    principals[user.arn] = _user_row(user)
            elif attachment.role_pk:
                role = session.get(Role, attachment.role_pk)
                if role is not None and role.account_id == account:
                    principals[role.arn] = _role_row(role)
            elif attachment.group_pk:
                group = session.get(Group, attachment.group_pk)
                if group is not None and group.account_id == account:
                    for user in _members(session, group):
                        principals[user.arn] = _user_row(user)
        return Target(arn, "policy", [granting], sorted(principals.values()))
    raise IamError("InvalidInput", f"ARN {arn[:300]} is not a user, group, role or policy ARN.")


# --- the report ---------------------------------------------------------------------------------


def _uses(session: Session, principals: list[str]) -> list[tuple[str, str, str]]:
    """(principal ARN, action, last used) of the principals' recorded activity."""
    if not principals:
        return []
    rows = session.execute(
        select(ActivityRecord.principal_arn, ActivityRecord.action, ActivityRecord.last_used).where(
            ActivityRecord.principal_arn.in_(principals)  # type: ignore[attr-defined]
        )
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _later(a: str | None, b: str) -> bool:
    return a is None or datetime.fromisoformat(b) > datetime.fromisoformat(a)


def build_report(session: Session, found: Target, granularity: str) -> dict[str, Any]:
    services: set[str] = set()
    for policy in found.policies:
        services |= allowed_services(policy.text)
    by_service: dict[str, dict[str, str]] = {}  # service -> principal -> last use
    actions: dict[str, dict[str, tuple[str, str]]] = {}  # service -> action -> (last, who)
    for principal, action, when in _uses(session, [p[0] for p in found.principals]):
        service, _, name = action.partition(":")
        key = next((s for s in services if s.lower() == service.lower()), None)
        if key is None:
            continue  # used, but not allowed by these policies: not in this report
        last = by_service.setdefault(key, {})
        if _later(last.get(principal), when):
            last[principal] = when
        seen = actions.setdefault(key, {}).get(name)
        if seen is None or _later(seen[0], when):
            actions[key][name] = (when, principal)
    rows: list[dict[str, Any]] = []
    for service in sorted(services, key=lambda s: (catalog.service_name(s) or s).lower()):
        used = by_service.get(service, {})
        row: dict[str, Any] = {
            "ServiceName": catalog.service_name(service) or service,
            "ServiceNamespace": service,
        }
        if used:
            who, when = max(used.items(), key=lambda item: datetime.fromisoformat(item[1]))
            row["LastAuthenticated"] = when
            row["LastAuthenticatedEntity"] = who
        row["TotalAuthenticatedEntities"] = len(used)
        row["EntitiesLastUsed"] = used  # kept for the with-entities report; dropped on output
        if granularity == "ACTION_LEVEL" and service in TRACKED_SERVICES:
            row["TrackedActionsLastAccessed"] = [
                {"ActionName": name, "LastAccessedEntity": who, "LastAccessedTime": when}
                for name, (when, who) in sorted(actions.get(service, {}).items())
            ]
        rows.append(row)
    return {"services": rows, "principals": found.principals}


def generate_service_last_accessed_details(
    db: Database, account_id: str | None, arn: str, *, granularity: str | None = None
) -> dict[str, Any]:
    granularity = granularity or "SERVICE_LEVEL"
    if granularity not in GRANULARITIES:
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value '{granularity[:300]}' at 'granularity' failed to"
            " satisfy constraint: Member must satisfy enum value set: [SERVICE_LEVEL,"
            " ACTION_LEVEL]",
        )
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        report = build_report(session, target(session, account, arn), granularity)
        now = db.now()
        job = AccessReportJob(
            job_id=str(uuid.UUID(int=db.rng.getrandbits(128), version=4))
            if db.rng is not None
            else str(uuid.uuid4()),
            account_id=account,
            kind="service",
            arn=arn,
            granularity=granularity,
            created=now,
            completed=now,
            result=json.dumps(report),
        )
        session.add(job)
    return {"JobId": job.job_id}


def _job(session: Session, db: Database, account_id: str | None, job_id: str) -> AccessReportJob:
    account = entities.resolve_account(session, db, account_id)
    row = session.get(AccessReportJob, job_id)
    if row is None or row.account_id != account or row.kind != "service":
        raise IamError("NoSuchEntity", f"Job with ID {str(job_id)[:300]} cannot be found.")
    return row


def page_of(
    items: list[Any], marker: str | None, max_items: int | None
) -> tuple[list[Any], str | None]:
    start = int(marker) if marker and marker.isdigit() else 0
    end = len(items) if max_items is None else start + max_items
    return items[start:end], (str(end) if end < len(items) else None)


def get_service_last_accessed_details(
    db: Database,
    account_id: str | None,
    job_id: str,
    *,
    marker: str | None = None,
    max_items: int | None = None,
) -> dict[str, Any]:
    with db.read() as session:
        job = _job(session, db, account_id, job_id)
    report = json.loads(job.result)
    rows = [{k: v for k, v in r.items() if k != "EntitiesLastUsed"} for r in report["services"]]
    page, next_marker = page_of(rows, marker, max_items)
    out: dict[str, Any] = {
        "JobStatus": "COMPLETED",
        "JobType": job.granularity,
        "JobCreationDate": job.created,
        "ServicesLastAccessed": page,
        "JobCompletionDate": job.completed,
        "IsTruncated": next_marker is not None,
    }
    if next_marker is not None:
        out["Marker"] = next_marker
    return out


def get_service_last_accessed_details_with_entities(
    db: Database,
    account_id: str | None,
    job_id: str,
    service_namespace: str,
    *,
    marker: str | None = None,
    max_items: int | None = None,
) -> dict[str, Any]:
    """The users and roles of the report that used ``service_namespace``, latest first; those
    that did not use it follow, without a date."""
    with db.read() as session:
        job = _job(session, db, account_id, job_id)
    report = json.loads(job.result)
    row = next(
        (
            r
            for r in report["services"]
            if r["ServiceNamespace"].lower() == service_namespace.lower()
        ),
        None,
    )
    if row is None:
        raise IamError(
            "InvalidInput",
            f"The service namespace {service_namespace[:300]} is not in the report of job"
            f" {job_id}.",
        )
    used: dict[str, str] = row.get("EntitiesLastUsed", {})
    details = []
    for arn, name, kind, unique, path in report["principals"]:
        entry: dict[str, Any] = {
            "EntityInfo": {"Arn": arn, "Name": name, "Type": kind, "Id": unique, "Path": path}
        }
        if arn in used:
            entry["LastAuthenticated"] = used[arn]
        details.append(entry)
    details.sort(key=lambda d: d.get("LastAuthenticated", ""), reverse=True)
    page, next_marker = page_of(details, marker, max_items)
    out: dict[str, Any] = {
        "JobStatus": "COMPLETED",
        "JobCreationDate": job.created,
        "JobCompletionDate": job.completed,
        "EntityDetailsList": page,
        "IsTruncated": next_marker is not None,
    }
    if next_marker is not None:
        out["Marker"] = next_marker
    return out


def list_policies_granting_service_access(
    db: Database,
    account_id: str | None,
    arn: str,
    service_namespaces: list[str],
    *,
    marker: str | None = None,
) -> dict[str, Any]:
    if not 1 <= len(service_namespaces) <= 200:
        raise IamError(
            "ValidationError",
            "1 validation error detected: Value at 'serviceNamespaces' failed to satisfy"
            " constraint: Member must have length between 1 and 200",
        )
    del marker  # one page holds every policy of one entity
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        found = target(session, account, arn)
        if found.kind == "policy":
            raise IamError("InvalidInput", "Arn must be a user, group or role ARN.")
        grants = [(p, {s.lower() for s in allowed_services(p.text)}) for p in found.policies]
    out = []
    for namespace in service_namespaces:
        policies = [p.to_aws() for p, services in grants if namespace.lower() in services]
        out.append({"ServiceNamespace": namespace, "Policies": policies})
    return {"PoliciesGrantingServiceAccess": out, "IsTruncated": False}


def service_usage(db: Database, account_id: str | None, arn: str) -> list[dict[str, Any]]:
    """The report's service rows, computed without keeping a job (what the app's Access
    Advisor tab shows): ``ServiceName``, ``ServiceNamespace``, ``LastAuthenticated`` (absent
    when never used), ``LastAuthenticatedEntity``, ``TotalAuthenticatedEntities``."""
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        report = build_report(session, target(session, account, arn), "SERVICE_LEVEL")
    return [{k: v for k, v in r.items() if k != "EntitiesLastUsed"} for r in report["services"]]
