"""External access findings: what role trust policies and resource policies grant to principals
outside the zone of trust (the account or its organization), or to everyone."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iamdesk.analysis.progress import Cancel, Progress, check, report
from iamdesk.analysis.refs import EntityRef, StatementRef
from iamdesk.analysis.snapshot import Snapshot, Target, snapshot
from iamdesk.core import catalog
from iamdesk.core.catalog import ACCESS_LEVELS
from iamdesk.core.policy.document import Statement
from iamdesk.core.policy.wording import condition_phrase
from iamdesk.services import finding_archive as archive
from iamdesk.services.errors import IamError, invalid_input
from iamdesk.services.model_rows import PrincipalRow
from iamdesk.store.db import Database
from iamdesk.store.tables import ArchivedFinding

ZONES = ("account", "organization")


@dataclass(frozen=True)
class ExternalAccessFinding:
    finding_id: str  # stable: the resource, the statement and the principal
    resource: EntityRef  # the role, bucket, key, function, queue, topic or secret
    resource_type: str  # "AWS::IAM::Role", "AWS::S3::Bucket", "AWS::KMS::Key", ...
    principal: str  # "*", an account ID, an ARN, a service or federated provider
    is_public: bool
    actions: tuple[str, ...]
    access_levels: tuple[str, ...]
    conditions: tuple[str, ...]  # the conditions that limit it, as text
    statement: StatementRef
    status: str = "active"  # "active" | "archived"
    archive_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.finding_id,
            "resource": self.resource.arn,
            "resourceType": self.resource_type,
            "principal": self.principal,
            "isPublic": self.is_public,
            "actions": list(self.actions),
            "accessLevels": list(self.access_levels),
            "conditions": list(self.conditions),
            "statement": self.statement.to_json(),
            "status": self.status,
            "archiveReason": self.archive_reason,
        }


def find_external_access(
    db: Database,
    account_id: str | None,
    zone: str = "account",
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[ExternalAccessFinding]:
    """Every Allow statement of a role trust policy or a resource policy (of ``account_id``'s
    roles and resources, or every account's) that grants a principal outside the zone of trust
    (``account``: the resource's account; ``organization``: every account of its organization)
    or everyone. Archived findings come back with ``status`` "archived" until the policy
    changes."""
    if zone not in ZONES:
        raise invalid_input(f"Unknown zone of trust {zone!r}: choose account or organization.")
    snap = snapshot(db)
    archived = _archived(db)
    return find_in(snap, account_id, zone, archived, progress=progress, cancel=cancel)


def find_in(
    snap: Snapshot,
    account_id: str | None,
    zone: str,
    archived: Mapping[str, ArchivedFinding] | None = None,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[ExternalAccessFinding]:
    targets = [
        t
        for t in snap.targets.values()
        if t.policy is not None and (account_id is None or t.account_id == account_id)
    ]
    out: list[ExternalAccessFinding] = []
    for done, target in enumerate(targets):
        if done % 256 == 0:
            check(cancel)
            report(progress, done, len(targets))
        if isinstance(target.row, PrincipalRow) and target.row.service_linked:
            continue  # AWS owns service-linked roles' trust
        out.extend(_findings(snap, target, _zone(snap, target.account_id, zone), archived or {}))
    report(progress, len(targets), len(targets))
    return out


def _zone(snap: Snapshot, account_id: str, zone: str) -> Zone:
    account = snap.accounts.get(account_id)
    org = account.organization_id if account is not None else None
    if zone == "organization" and org:
        members = frozenset(
            a.account_id for a in snap.accounts.values() if a.organization_id == org
        )
        return Zone(members, org)
    return Zone(frozenset({account_id}), None)


@dataclass(frozen=True)
class Zone:
    accounts: frozenset[str]
    organization_id: str | None

    def holds(self, account: str) -> bool:
        return account in self.accounts


def _findings(
    snap: Snapshot, target: Target, zone: Zone, archived: Mapping[str, ArchivedFinding]
) -> list[ExternalAccessFinding]:
    assert target.policy is not None
    source = target.policy.source
    digest = policy_hash(source.text)
    out = []
    for st in source.document.statements:
        if st.effect != "Allow":
            continue
        if _limited_to_zone(st, zone):
            continue
        conditions = tuple(
            condition_phrase(c.operator, c.key, [v.text for v in c.values]) for c in st.conditions
        )
        actions, levels = _actions(st)
        for principal, public in _outside(st, zone):
            ref = source.ref(st.index)
            fid = _finding_id(target.ref.arn, st.index, principal)
            kept = archived.get(fid)
            status, reason = "active", None
            if kept is not None and kept.policy_hash == digest:
                status, reason = "archived", kept.reason
            out.append(
                ExternalAccessFinding(
                    fid,
                    target.ref,
                    target.resource_type,
                    principal,
                    public and not st.conditions,
                    actions,
                    levels,
                    conditions,
                    ref,
                    status,
                    reason,
                )
            )
    return out


def _outside(st: Statement, zone: Zone) -> list[tuple[str, bool]]:
    """(principal, whether it is everyone) for each principal of ``st`` outside ``zone``."""
    if st.not_principal is not None:
        return [("*", True)]  # Allow with NotPrincipal: everyone but a few
    block = st.principal
    if block is None:
        return []
    if block.wildcard:
        return [("*", True)]
    out = []
    for kind, values in block.entries:
        for value in values:
            text = value.text
            if kind == "Service":
                continue  # an AWS service acting for the account (SourceArn/Account limit it)
            if text == "*":
                out.append(("*", True))
            elif kind == "AWS":
                account = _account_of(text)
                if account is None or not zone.holds(account):
                    out.append((text, False))
            else:  # Federated identity providers, CanonicalUser: outside any account's zone
                out.append((text, False))
    return out


# Condition keys that, compared for equality with values inside the zone, keep a statement's
# grant inside it (as IAM Access Analyzer treats them).
_ACCOUNT_KEYS = frozenset(
    {"aws:principalaccount", "aws:sourceaccount", "aws:sourceowner", "aws:resourceaccount"}
)
_EQUALS = frozenset({"StringEquals", "StringLike", "ArnEquals", "ArnLike"})


def _limited_to_zone(st: Statement, zone: Zone) -> bool:
    for c in st.conditions:
        if c.operator.removesuffix("IfExists") not in _EQUALS or c.operator.endswith("IfExists"):
            continue
        key = c.key.lower()
        values = [v.text for v in c.values]
        if key in _ACCOUNT_KEYS and values and all(zone.holds(v) for v in values):
            return True
        if (
            key == "aws:principalorgid"
            and zone.organization_id
            and values == [zone.organization_id]
        ):
            return True
        if key in ("aws:principalarn", "aws:sourcearn") and values:
            accounts = [_account_of(v) for v in values]
            if all(a is not None and zone.holds(a) for a in accounts):
                return True
    return False


def _account_of(principal: str) -> str | None:
    if principal.isdigit() and len(principal) == 12:
        return principal
    parts = principal.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4].isdigit() else None


def _actions(st: Statement) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if st.action is None:  # NotAction: everything but the listed ones
        names = tuple(f"NotAction {v.text}" for v in st.not_action or ())
        return names, tuple(ACCESS_LEVELS)
    names = tuple(v.text for v in st.action)
    levels: set[str] = set()
    for pattern in names:
        for action in catalog.expand_action(pattern):
            info = catalog.action(action)
            if info is not None:
                levels.add(info.access_level)
    return names, tuple(level for level in ACCESS_LEVELS if level in levels)


def _finding_id(resource: str, index: int, principal: str) -> str:
    return hashlib.sha256(f"{resource}|{index}|{principal}".encode()).hexdigest()[:24]


def policy_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _archived(db: Database) -> dict[str, ArchivedFinding]:
    return {row.finding_id: row for row in archive.archived_findings(db)}


def archive_finding(db: Database, finding: ExternalAccessFinding, reason: str) -> None:
    """Archive ``finding`` with ``reason``; it stays archived while its policy is unchanged."""
    snap = snapshot(db)
    target = snap.targets.get(finding.resource.arn)
    if target is None or target.policy is None:
        raise IamError("NoSuchEntity", f"No policy of {finding.resource.arn} is in the model.")
    archive.archive_finding(
        db, finding.finding_id, finding.resource.arn, policy_hash(target.policy.source.text), reason
    )


def unarchive_finding(db: Database, finding: ExternalAccessFinding) -> None:
    archive.unarchive_finding(db, finding.finding_id)
