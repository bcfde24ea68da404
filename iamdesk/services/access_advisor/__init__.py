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

This module holds IAM's operations; ``targets`` finds what a report is about (its policies and
principals), ``grants`` which services a policy allows or denies, ``report`` builds the rows.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlmodel import Session

from iamdesk.services import entities, paging
from iamdesk.services.access_advisor.grants import allowed_services
from iamdesk.services.access_advisor.report import build_report
from iamdesk.services.access_advisor.targets import target
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database
from iamdesk.store.ids import random_uuid
from iamdesk.store.tables import AccessReportJob

log = logging.getLogger(__name__)

GRANULARITIES = ("SERVICE_LEVEL", "ACTION_LEVEL")


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
            job_id=random_uuid(db.rng),
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
    return entities.get_report_job(session, account, job_id, "service")


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
    page, tail = paging.page_of(rows, marker, max_items)
    return {
        "JobStatus": "COMPLETED",
        "JobType": job.granularity,
        "JobCreationDate": job.created,
        "ServicesLastAccessed": page,
        "JobCompletionDate": job.completed,
        **tail,
    }


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
    page, tail = paging.page_of(details, marker, max_items)
    return {
        "JobStatus": "COMPLETED",
        "JobCreationDate": job.created,
        "JobCompletionDate": job.completed,
        "EntityDetailsList": page,
        **tail,
    }


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
