"""An Access Advisor report: for each service a target's policies allow, when its users and
roles last used it (from the activity ``iamdesk activity import`` keeps), and at ``ACTION_LEVEL``
the tracked services' actions."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.core import catalog
from iamdesk.services.access_advisor.grants import allowed_services
from iamdesk.services.access_advisor.targets import Target
from iamdesk.store.tables import ActivityRecord

log = logging.getLogger(__name__)

TRACKED_SERVICES = ("s3", "ec2", "iam", "lambda")  # IAM's action-level tracking


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
