"""Unused access: roles, access keys and passwords not used in N days, and granted actions or
services that imported CloudTrail activity never shows used."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from iamdesk.analysis.progress import Cancel, Progress, check, report
from iamdesk.analysis.refs import EntityRef, StatementRef
from iamdesk.analysis.snapshot import Actor, Snapshot, snapshot
from iamdesk.core import catalog
from iamdesk.core.timestamps import parse as parse_time
from iamdesk.services import activity
from iamdesk.services.errors import invalid_input
from iamdesk.services.model_rows import PrincipalRow
from iamdesk.store.db import Database


@dataclass(frozen=True)
class UnusedAccessFinding:
    kind: str  # "role" | "access_key" | "password" | "service" | "action"
    entity: EntityRef
    detail: str  # "access key AKIA... not used for 200 days"
    last_used: datetime | None  # None: never used (or no data)
    days_unused: int | None
    items: tuple[str, ...] = ()  # the unused services or actions, or the key ID
    statements: tuple[StatementRef, ...] = ()  # where the unused grant comes from

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "entity": self.entity.arn,
            "detail": self.detail,
            "lastUsed": self.last_used.isoformat() if self.last_used else None,
            "daysUnused": self.days_unused,
            "items": list(self.items),
            "statements": [s.to_json() for s in self.statements],
        }


def find_unused_access(
    db: Database,
    account_id: str | None,
    days: int = 90,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[UnusedAccessFinding]:
    """Roles, access keys and console passwords not used in ``days`` days (from the model's
    last-used data and imported CloudTrail activity), and, for each principal with imported
    activity, the granted services it never used in that time and the unused actions of the
    services it did use."""
    if days < 1:
        raise invalid_input("--days must be at least 1.")
    snap = snapshot(db)
    uses = activity.activity(db)
    return find_in(snap, uses, account_id, days, progress=progress, cancel=cancel)


def find_in(
    snap: Snapshot,
    uses: list[activity.ActionUse],
    account_id: str | None,
    days: int,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[UnusedAccessFinding]:
    by_principal: dict[str, list[activity.ActionUse]] = {}
    for use in uses:
        by_principal.setdefault(use.principal_arn, []).append(use)
    out: list[UnusedAccessFinding] = []
    users = [u for u in snap.rows.users if account_id is None or u.account_id == account_id]
    roles = [r for r in snap.rows.roles if account_id is None or r.account_id == account_id]
    for user in users:
        out.extend(_user_credentials(snap, user, days))
    for role in roles:
        if role.service_linked:
            continue
        latest = _latest(role.last_used_date, by_principal.get(role.arn, ()))
        found = _stale(snap, latest, role.create_date, days)
        if found is not None:
            idle, when = found
            what = f"not used for {idle} days" if when else f"never used (created {idle} days ago)"
            out.append(UnusedAccessFinding("role", entity(role), f"role {what}", when, idle))
    actors = [a for a in snap.actors_of(account_id) if a.ref.kind in ("user", "role")]
    for done, actor in enumerate(actors):
        if done % 256 == 0:
            check(cancel)
            report(progress, done, len(actors))
        used = by_principal.get(actor.arn)
        if used:
            out.extend(_unused_grants(snap, actor, used, days))
    report(progress, len(actors), len(actors))
    return out


def entity(row: PrincipalRow) -> EntityRef:
    return EntityRef(row.kind, row.arn, row.name, row.account_id)


def _latest(recorded: str | None, uses: Iterable[activity.ActionUse]) -> str | None:
    dates = [d for d in (recorded, *(u.last_used for u in uses)) if d]
    return (
        max(dates, key=lambda d: parse_time(d) or datetime.min.replace(tzinfo=UTC))
        if dates
        else None
    )


def _stale(
    snap: Snapshot, last_used: str | None, created: str, days: int
) -> tuple[int, datetime | None] | None:
    """(days idle, last use) when unused for more than ``days`` days, else None. Never used
    counts from the creation date: a credential made yesterday is not stale."""
    when = parse_time(last_used)
    since = when or parse_time(created)
    if since is None:
        return None
    idle = (snap.now - since).days
    return (idle, when) if idle > days else None


def _user_credentials(snap: Snapshot, user: PrincipalRow, days: int) -> list[UnusedAccessFinding]:
    out = []
    ref = entity(user)
    for key in user.keys:
        if key.status != "Active":
            continue
        found = _stale(snap, key.last_used_date, key.create_date, days)
        if found is not None:
            idle, when = found
            what = f"not used for {idle} days" if when else f"never used (created {idle} days ago)"
            out.append(
                UnusedAccessFinding(
                    "access_key",
                    ref,
                    f"access key {key.access_key_id} {what}",
                    when,
                    idle,
                    (key.access_key_id,),
                )
            )
    if user.login_profile_date is not None:
        found = _stale(snap, user.password_last_used, user.login_profile_date, days)
        if found is not None:
            idle, when = found
            what = f"not used for {idle} days" if when else f"never used (set {idle} days ago)"
            out.append(UnusedAccessFinding("password", ref, f"console password {what}", when, idle))
    return out


def _granted(actor: Actor) -> dict[str, tuple[set[str], list[StatementRef]]]:
    """service -> (the action patterns its Allow statements name, those statements)."""
    out: dict[str, tuple[set[str], list[StatementRef]]] = {}
    for compiled in actor.identity:
        source = compiled.source
        for st in source.document.statements:
            if st.effect != "Allow" or not st.action:
                continue
            for value in st.action:
                pattern = value.text.lower()
                services = catalog.services() if pattern == "*" else (pattern.partition(":")[0],)
                for service in services:
                    if "*" in service or "?" in service:
                        continue
                    patterns, refs = out.setdefault(service, (set(), []))
                    patterns.add("*" if pattern == "*" else pattern)
                    ref = source.ref(st.index)
                    if ref not in refs:
                        refs.append(ref)
    return out


def _unused_grants(
    snap: Snapshot, actor: Actor, uses: list[activity.ActionUse], days: int
) -> list[UnusedAccessFinding]:
    horizon = snap.now - timedelta(days=days)
    recent = {u.action.lower() for u in uses if (parse_time(u.last_used) or horizon) > horizon}
    used_services = {a.partition(":")[0] for a in recent}
    granted = _granted(actor)
    out = []
    unused_services = sorted(s for s in granted if s not in used_services)
    if unused_services:
        refs = tuple(r for s in unused_services for r in granted[s][1])
        shown = ", ".join(unused_services[:12]) + (" ..." if len(unused_services) > 12 else "")
        out.append(
            UnusedAccessFinding(
                "service",
                actor.ref,
                f"{len(unused_services)} granted service{'s' if len(unused_services) != 1 else ''}"
                f" not used in {days} days: {shown}",
                None,
                None,
                tuple(unused_services),
                tuple(dict.fromkeys(refs)),
            )
        )
    for service in sorted(used_services & set(granted)):
        patterns, refs = granted[service]
        actions: set[str] = set()
        for pattern in patterns:
            actions.update(catalog.expand_action(f"{service}:*" if pattern == "*" else pattern))
        unused = sorted(a for a in actions if a.lower() not in recent)
        if unused:
            out.append(
                UnusedAccessFinding(
                    "action",
                    actor.ref,
                    f"{len(unused)} granted {service} action{'s' if len(unused) != 1 else ''}"
                    f" not used in {days} days",
                    None,
                    None,
                    tuple(unused),
                    tuple(refs),
                )
            )
    return out
