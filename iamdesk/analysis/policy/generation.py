"""A least-privilege policy for a principal from its imported activity, resources generalised the
way IAM Access Analyzer does, checked by our validator."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from iamdesk.analysis.policy.findings import PolicyValidationFinding, StoredPolicy, findings_of
from iamdesk.analysis.progress import Cancel, Progress, check, report
from iamdesk.analysis.refs import EntityRef
from iamdesk.analysis.snapshot import snapshot
from iamdesk.core import catalog
from iamdesk.core.timestamps import parse as parse_time
from iamdesk.services import activity
from iamdesk.services.errors import IamError, invalid_input
from iamdesk.store.db import Database


@dataclass(frozen=True)
class GeneratedPolicy:
    principal: EntityRef
    document: str  # the policy text, ready for the editor
    actions: tuple[str, ...]  # the used actions it allows
    days: int
    findings: tuple[PolicyValidationFinding, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "principal": self.principal.arn,
            "days": self.days,
            "actions": list(self.actions),
            "policyDocument": json.loads(self.document),
            "findings": [f.to_json() for f in self.findings],
        }


def generate_policy(
    db: Database,
    account_id: str | None,
    principal_arn: str,
    days: int = 90,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> GeneratedPolicy:
    """A policy allowing exactly the actions ``principal_arn`` used in the last ``days`` days
    of imported activity, on the resources it used them on, generalised: an S3 object becomes
    its bucket's ``/*``; actions whose calls named no resource get ``*``. Statements group a
    service's actions that share resources. Checked by the validator (``findings``)."""
    if days < 1:
        raise invalid_input("--days must be at least 1.")
    snap = snapshot(db)
    actor = snap.by_arn.get(principal_arn)
    if actor is None:
        raise IamError(
            "NoSuchEntity", f"The principal {principal_arn} cannot be found in the model."
        )
    check(cancel)
    horizon = snap.now - timedelta(days=days)
    uses = [
        u
        for u in activity.activity(db)
        if u.principal_arn == principal_arn and (parse_time(u.last_used) or horizon) > horizon
    ]
    if not uses:
        raise IamError(
            "NoSuchEntity",
            f"No activity of {principal_arn} in the last {days} days: import CloudTrail logs "
            "with 'iamdesk activity import' first.",
        )
    report(progress, 1, 2)
    document = build_document(uses)
    text = json.dumps(document, indent=4)
    policy = StoredPolicy(f"generated for {actor.ref.name}", "managed", None, actor.ref, text)
    findings = tuple(findings_of(policy))
    report(progress, 2, 2)
    actions = tuple(sorted({_spelled(u.action) for u in uses}))
    return GeneratedPolicy(actor.ref, text, actions, days, findings)


def _spelled(action: str) -> str:
    """The catalog's spelling of an action (CloudTrail's eventName may differ in case)."""
    info = catalog.action(action)
    return info.full_name if info is not None else action


def generalise(arn: str) -> str:
    """A resource ARN as the generated policy names it: S3 objects by their bucket's ``/*``."""
    if arn.startswith("arn:aws:s3:::") and "/" in arn:
        return arn.split("/", 1)[0] + "/*"
    return arn


def build_document(uses: list[activity.ActionUse]) -> dict[str, Any]:
    resources_of: dict[str, set[str]] = {}
    for use in uses:
        action = _spelled(use.action)
        found = {generalise(r) for r in use.resources} or {"*"}
        resources_of.setdefault(action, set()).update(found)
    by_key: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for action, found in resources_of.items():
        resources = ("*",) if "*" in found else tuple(sorted(found))
        by_key.setdefault((action.partition(":")[0], resources), []).append(action)
    statements = []
    counts: dict[str, int] = {}
    for (service, resources), actions in sorted(by_key.items()):
        counts[service] = counts.get(service, 0) + 1
        sid = "".join(part.capitalize() for part in service.replace("-", " ").split())
        statements.append(
            {
                "Sid": f"{sid}{counts[service]}",
                "Effect": "Allow",
                "Action": sorted(actions),
                "Resource": list(resources) if len(resources) > 1 else resources[0],
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}
