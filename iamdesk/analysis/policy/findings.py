"""Every policy in the model checked by core's validator: one row per finding."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from iamdesk.analysis.progress import Cancel, Progress, check, report
from iamdesk.analysis.refs import EntityRef
from iamdesk.analysis.snapshot import Snapshot, snapshot
from iamdesk.core.policy.document import PolicyKind
from iamdesk.core.policy.findings import Finding
from iamdesk.core.policy.validation import validate_policy
from iamdesk.store.db import Database


@dataclass(frozen=True)
class PolicyValidationFinding:
    policy_label: str  # "PowerUserAccess", "inline AllowS3 on user/alice", "bucket policy of b"
    policy_kind: str  # as StatementRef.policy_kind
    policy_arn: str | None  # managed policy ARN, else None
    owner: EntityRef | None  # the entity carrying an inline/trust/resource policy
    severity: str  # "ERROR" | "SECURITY_WARNING" | "WARNING" | "SUGGESTION"
    code: str  # Access Analyzer's issue code
    message: str
    start_line: int
    start_column: int
    end_line: int
    end_column: int

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy_label,
            "policyKind": self.policy_kind,
            "policyArn": self.policy_arn,
            "owner": self.owner.arn if self.owner else None,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "start": {"line": self.start_line, "column": self.start_column},
            "end": {"line": self.end_line, "column": self.end_column},
        }


@dataclass(frozen=True)
class StoredPolicy:
    """One policy document of the model, named as the analyses name it."""

    label: str
    kind: str  # StatementRef.policy_kind
    arn: str | None
    owner: EntityRef | None
    text: str
    name: str | None = None


def stored_policies(snap: Snapshot, account_id: str | None) -> list[StoredPolicy]:
    """Every policy the model's users write: customer managed, inline, trust, resource policies
    and the organization's SCPs/RCPs (AWS managed policies are AWS's to fix)."""
    rows = snap.rows

    def mine(account: str | None) -> bool:
        return account_id is None or account == account_id

    found = [
        StoredPolicy(p.name, "managed", p.arn, None, p.document, p.name)
        for p in rows.policies.values()
        if not p.aws_managed and mine(p.account_id)
    ]
    for row in [*rows.users, *rows.groups.values(), *rows.roles]:
        if not mine(row.account_id):
            continue
        owner = EntityRef(row.kind, row.arn, row.name, row.account_id)
        for inline in row.inline:
            label = f"inline {inline.name} on {row.kind}/{row.name}"
            found.append(StoredPolicy(label, "inline", None, owner, inline.document, inline.name))
        if row.trust_policy is not None:
            label = f"trust policy of role/{row.name}"
            found.append(StoredPolicy(label, "trust", None, owner, row.trust_policy))
    for res in rows.resources:
        if res.policy is not None and mine(res.account_id):
            owner = EntityRef("resource", res.arn, res.name, res.account_id)
            label = f"{res.resource_type} policy of {res.name}"
            found.append(StoredPolicy(label, "resource", None, owner, res.policy))
    seen: set[str] = set()
    for account in rows.accounts.values():
        if not mine(account.account_id):
            continue
        for kind, levels in (("scp", account.scps), ("rcp", account.rcps)):
            for level in levels:
                for p in level:
                    if p.policy_id not in seen:
                        seen.add(p.policy_id)
                        found.append(StoredPolicy(p.name, kind, None, None, p.content, p.name))
    return found


_KINDS = {
    "managed": PolicyKind.IDENTITY,
    "inline": PolicyKind.IDENTITY,
    "boundary": PolicyKind.PERMISSIONS_BOUNDARY,
    "session": PolicyKind.SESSION,
    "trust": PolicyKind.TRUST,
    "resource": PolicyKind.RESOURCE,
    "scp": PolicyKind.SCP,
    "rcp": PolicyKind.RCP,
}


@functools.lru_cache(maxsize=16384)
def _findings(text: str, kind: PolicyKind) -> tuple[Finding, ...]:
    return tuple(validate_policy(text, kind))


def findings_of(policy: StoredPolicy) -> list[PolicyValidationFinding]:
    return [
        PolicyValidationFinding(
            policy.label,
            policy.kind,
            policy.arn,
            policy.owner,
            f.severity.value,
            f.code,
            f.message,
            f.span.start.line,
            f.span.start.column,
            f.span.end.line,
            f.span.end.column,
        )
        for f in _findings(policy.text, _KINDS[policy.kind])
    ]


def validate_all(
    db: Database,
    account_id: str | None,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[PolicyValidationFinding]:
    """Every finding of core's validator on every policy of the model (of ``account_id``)."""
    return validate_all_in(snapshot(db), account_id, progress=progress, cancel=cancel)


def validate_all_in(
    snap: Snapshot,
    account_id: str | None,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[PolicyValidationFinding]:
    policies = stored_policies(snap, account_id)
    out: list[PolicyValidationFinding] = []
    for done, policy in enumerate(policies):
        if done % 64 == 0:
            check(cancel)
            report(progress, done, len(policies))
        out.extend(findings_of(policy))
    report(progress, len(policies), len(policies))
    return out
