"""The Organizations access report (IAM's GenerateOrganizationsAccessReport and
GetOrganizationsAccessReport): for a root, OU or account of the organization, the services the
SCPs allow there and when the accounts below it last used each one.

IAM's rules (API reference, GenerateOrganizationsAccessReport), as the model applies them:
- only the organization's management account may ask (AccessDenied otherwise), and the entity
  path ``o-…/r-…[/ou-…]…[/ACCOUNT]`` must name an entity of its organization, each OU under the
  one before it and the account under the last;
- without a policy ID the services are those the SCPs attached to the entity and its parents
  allow (every level must allow, as SCPs are evaluated); the data is that of every account in
  the entity or its children except the management account, which SCPs do not limit;
- the management account itself: every service, with its own data only (a policy ID is
  ignored);
- with a policy ID (an SCP of the organization) the services are those that SCP allows, and the
  data that of the entity's accounts the SCP applies to through the entity or its children (an
  account: only if attached to it); attached nowhere there, the services come without data.
A service "allowed" by a set of SCPs is one an Allow statement names an action of (``*``
patterns against the catalog's prefixes, as Access Advisor reads identity policies) and no Deny
statement takes away whole (``service:*`` or ``*`` without a condition). Only SCPs count: IAM
uses no other policy type for this report.

Use comes from the activity ``iamdesk activity import`` keeps, counted per account (IAM's
``TotalAuthenticatedEntities`` counts accounts); the entity path of a service's last access is
its account's. The activity has no Region, so ``Region`` is left out. The report is computed
when generated and kept (``access_report_job``, kind ``organizations``), as IAM's job is.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.core import catalog
from iamdesk.services import paging
from iamdesk.services.access_advisor.grants import allowed_services, denied_services
from iamdesk.services.entities import get_report_job, resolve_account
from iamdesk.services.errors import IamError
from iamdesk.services.organizations.base import SCP, organization_of, root_of
from iamdesk.services.organizations.policies import attached_policies
from iamdesk.services.validation import failed_constraint
from iamdesk.store.db import Database
from iamdesk.store.ids import random_uuid
from iamdesk.store.tables import (
    AccessReportJob,
    Account,
    ActivityRecord,
    Organization,
    OrgNode,
    OrgPolicy,
    OrgPolicyAttachment,
)

log = logging.getLogger(__name__)

KIND = "organizations"
_ENTITY_PATH = re.compile(r"o-[0-9a-z]{10,32}/r-[0-9a-z]{4,32}[0-9a-z\-/]*")
_POLICY_ID = re.compile(r"p-[0-9a-zA-Z_]{8,128}")
SORT_KEYS = (
    "SERVICE_NAMESPACE_ASCENDING",
    "SERVICE_NAMESPACE_DESCENDING",
    "LAST_AUTHENTICATED_TIME_ASCENDING",
    "LAST_AUTHENTICATED_TIME_DESCENDING",
)


def _not_in_organization(path: str, org: Organization) -> IamError:
    return IamError(
        "InvalidInput", f"The entity path {path[:300]} names no entity of organization {org.id}."
    )


# --- the entity and its accounts -----------------------------------------------------------


def _entity(session: Session, org: Organization, path: str) -> tuple[list[str], str | None]:
    """(the chain of root and OU ids the path names, the account it ends in or None)."""
    if not 19 <= len(path) <= 427 or not _ENTITY_PATH.fullmatch(path):
        raise failed_constraint(
            path,
            "entityPath",
            r"must satisfy regular expression pattern: ^o-[0-9a-z]{10,32}\/r-[0-9a-z]{4,32}"
            r"[0-9a-z-\/]* and have length between 19 and 427",
        )
    parts = path.rstrip("/").split("/")
    if parts[0] != org.id or parts[1] != root_of(session, org).id:
        raise _not_in_organization(path, org)
    chain = [parts[1]]
    account = None
    for position, part in enumerate(parts[2:], start=2):
        if part.isdigit() and position == len(parts) - 1:
            row = session.get(Account, part)
            if row is None or row.organization_id != org.id or row.parent_id != chain[-1]:
                raise _not_in_organization(path, org)
            account = part
            continue
        node = session.get(OrgNode, part)
        if node is None or node.organization_id != org.id or node.parent_id != chain[-1]:
            raise _not_in_organization(path, org)
        chain.append(part)
    return chain, account


def _paths(session: Session, org: Organization) -> dict[str, list[str]]:
    """Each member account -> its targets from the root down (node ids, then the account)."""
    parents = {
        node.id: node.parent_id
        for node in session.scalars(select(OrgNode).where(OrgNode.organization_id == org.id))
    }
    out: dict[str, list[str]] = {}
    for account in session.scalars(select(Account).where(Account.organization_id == org.id)):
        chain: list[str] = [account.account_id]
        node_id = account.parent_id
        while node_id is not None:
            chain.append(node_id)
            node_id = parents.get(node_id)
        out[account.account_id] = list(reversed(chain))
    return out


# --- services the SCPs allow -----------------------------------------------------------------


def _allowed(levels: list[list[OrgPolicy]]) -> set[str]:
    """What SCPs at every level of ``levels`` allow: each level must allow a service."""
    allowed: set[str] | None = None
    denied: set[str] = set()
    for level in levels:
        here: set[str] = set()
        for policy in level:
            here |= allowed_services(policy.content)
            denied |= denied_services(policy.content)
        allowed = here if allowed is None else allowed & here
    return (allowed or set()) - denied


# --- the report ----------------------------------------------------------------------------


def _last_uses(session: Session, accounts: set[str]) -> dict[str, dict[str, str]]:
    """service (lower case) -> account -> the last time one of its principals used it."""
    uses: dict[str, dict[str, str]] = {}
    if not accounts:
        return uses
    for principal, action, when in session.execute(
        select(ActivityRecord.principal_arn, ActivityRecord.action, ActivityRecord.last_used)
    ).all():
        parts = principal.split(":")
        account = parts[4] if len(parts) > 5 else ""
        if account not in accounts:
            continue
        service = action.partition(":")[0].lower()
        seen = uses.setdefault(service, {}).get(account)
        if seen is None or datetime.fromisoformat(when) > datetime.fromisoformat(seen):
            uses[service][account] = when
    return uses


def _rows(
    session: Session, org: Organization, services: set[str], accounts: set[str]
) -> list[dict[str, Any]]:
    uses = _last_uses(session, accounts)
    paths = _paths(session, org)
    rows = []
    for service in sorted(services, key=str.lower):
        row: dict[str, Any] = {
            "ServiceName": catalog.service_name(service) or service,
            "ServiceNamespace": service,
        }
        used = uses.get(service.lower(), {})
        if used:
            account, when = max(used.items(), key=lambda item: datetime.fromisoformat(item[1]))
            row["EntityPath"] = "/".join([org.id, *paths.get(account, [account])])
            row["LastAuthenticatedTime"] = when
        row["TotalAuthenticatedEntities"] = len(used)
        rows.append(row)
    return rows


def _report(
    session: Session, org: Organization, path: str, policy_id: str | None
) -> list[dict[str, Any]]:
    chain, account = _entity(session, org, path)
    if account == org.management_account_id:  # not limited by SCPs: every service
        return _rows(session, org, set(catalog.services()), {account})
    paths = _paths(session, org)
    entity = account or chain[-1]
    below = {
        a for a, targets in paths.items() if entity in targets and a != org.management_account_id
    }
    if policy_id is None:
        levels = [
            attached_policies(session, target, SCP)
            for target in [*chain, *([account] if account else [])]
        ]
        return _rows(session, org, _allowed(levels), below)
    policy = session.get(OrgPolicy, policy_id)
    if policy is None or policy.organization_id != org.id or policy.type != SCP:
        raise IamError(
            "InvalidInput",
            f"The policy {policy_id[:300]} is not a service control policy of organization"
            f" {org.id}.",
        )
    targets = set(
        session.scalars(
            select(OrgPolicyAttachment.target_id).where(OrgPolicyAttachment.policy_id == policy.id)
        )
    )

    def applies(targets_of_account: list[str]) -> bool:
        # Attached at the entity or under it, on this account's way down.
        from_entity = targets_of_account[targets_of_account.index(entity) :]
        return any(t in targets for t in from_entity)

    reached = {a for a in below if applies(paths[a])}
    return _rows(session, org, _allowed([[policy]]), reached)


def generate_organizations_access_report(
    db: Database,
    account_id: str | None,
    entity_path: str,
    *,
    organizations_policy_id: str | None = None,
) -> dict[str, Any]:
    """IAM's GenerateOrganizationsAccessReport, called from ``account_id`` (the management
    account); the report is computed now and kept for GetOrganizationsAccessReport."""
    if organizations_policy_id is not None and not _POLICY_ID.fullmatch(organizations_policy_id):
        raise failed_constraint(
            organizations_policy_id,
            "organizationsPolicyId",
            r"must satisfy regular expression pattern: ^p-[0-9a-zA-Z_]{8,128}$",
        )
    with db.transaction() as session:
        caller = resolve_account(session, db, account_id)
        org = organization_of(session, caller)
        if org.management_account_id != caller:
            raise IamError(
                "AccessDenied",
                "Organizations access reports can be generated only from the organization's"
                f" management account ({org.management_account_id}).",
            )
        rows = _report(session, org, entity_path, organizations_policy_id)
        now = db.now()
        job = AccessReportJob(
            job_id=random_uuid(db.rng),
            account_id=caller,
            kind=KIND,
            arn=entity_path,
            created=now,
            completed=now,
            result=json.dumps({"services": rows}),
        )
        session.add(job)
    log.info("organizations access report %s: %d services", entity_path, len(rows))
    return {"JobId": job.job_id}


def _sorted(rows: list[dict[str, Any]], sort_key: str) -> list[dict[str, Any]]:
    descending = sort_key.endswith("_DESCENDING")
    if sort_key.startswith("SERVICE_NAMESPACE"):
        return sorted(rows, key=lambda r: r["ServiceNamespace"].lower(), reverse=descending)
    # Never used sorts as the earliest; ties by namespace, ascending either way.
    by_name = sorted(rows, key=lambda r: r["ServiceNamespace"].lower())
    return sorted(
        by_name,
        key=lambda r: (
            datetime.fromisoformat(r["LastAuthenticatedTime"]).timestamp()
            if "LastAuthenticatedTime" in r
            else float("-inf")
        ),
        reverse=descending,
    )


def get_organizations_access_report(
    db: Database,
    account_id: str | None,
    job_id: str,
    *,
    marker: str | None = None,
    max_items: int | None = None,
    sort_key: str | None = None,
) -> dict[str, Any]:
    """IAM's GetOrganizationsAccessReport of a job the caller's account generated."""
    sort_key = sort_key or "SERVICE_NAMESPACE_ASCENDING"
    if sort_key not in SORT_KEYS:
        raise failed_constraint(
            sort_key, "sortKey", f"must satisfy enum value set: [{', '.join(SORT_KEYS)}]"
        )
    with db.read() as session:
        job = get_report_job(session, resolve_account(session, db, account_id), job_id, KIND)
    rows = _sorted(json.loads(job.result)["services"], sort_key)
    page, tail = paging.page_of(rows, marker, 100 if max_items is None else max_items)
    return {
        "JobStatus": "COMPLETED",
        "JobCreationDate": job.created,
        "JobCompletionDate": job.completed,
        "NumberOfServicesAccessible": len(rows),
        "NumberOfServicesNotAccessed": sum(1 for r in rows if not r["TotalAuthenticatedEntities"]),
        "AccessDetails": page,
        **tail,
    }
