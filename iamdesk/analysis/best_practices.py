"""Best-practice findings: credentials (console without MFA, old or unused keys, unused roles)
and policies (administrator-equivalent principals, wildcards on sensitive services, inline
policies, risky trust, policies with validation findings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iamdesk.analysis.admin import admins
from iamdesk.analysis.policy.findings import findings_of, stored_policies
from iamdesk.analysis.progress import Cancel, Progress, check, report
from iamdesk.analysis.refs import EntityRef, StatementRef
from iamdesk.analysis.snapshot import Snapshot, snapshot
from iamdesk.core.policy.document import PolicyDocument, PolicyParseError, Statement
from iamdesk.core.policy.parser import parse_policy
from iamdesk.core.timestamps import age_days
from iamdesk.services.model_rows import PrincipalRow
from iamdesk.store.db import Database

SEVERITIES = ("high", "medium", "low")
STALE_DAYS = 90  # AWS's guidance for unused credentials and key rotation
SENSITIVE_SERVICES = frozenset({"iam", "sts", "kms", "organizations", "secretsmanager", "s3"})
TITLES = {
    "console-without-mfa": "Console access without MFA",
    "old-access-key": f"Access key older than {STALE_DAYS} days",
    "unused-credentials": "Unused credentials",
    "unused-role": "Unused role",
    "admin-equivalent": "Administrator-equivalent access",
    "sensitive-wildcard": "Wildcard actions on a sensitive service",
    "inline-policy": "Inline policy",
    "cross-account-trust": "Cross-account trust without ExternalId or MFA",
    "public-trust": "Role trusts every AWS account",
    "policy-findings": "Policy with validation findings",
}


@dataclass(frozen=True)
class BestPracticeFinding:
    check_id: str  # "console-without-mfa", "admin-equivalent", "inline-policy", ...
    severity: str  # one of SEVERITIES
    entity: EntityRef
    detail: str
    statement: StatementRef | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check_id,
            "severity": self.severity,
            "entity": self.entity.arn,
            "entityType": self.entity.kind,
            "title": TITLES.get(self.check_id, self.check_id),
            "detail": self.detail,
            "statement": self.statement.to_json() if self.statement else None,
        }


def find_best_practice_issues(
    db: Database,
    account_id: str | None,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[BestPracticeFinding]:
    """Every best-practice finding of the model (of ``account_id``'s entities when given),
    most severe first."""
    return find_in(snapshot(db), account_id, progress=progress, cancel=cancel)


def find_in(
    snap: Snapshot,
    account_id: str | None,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[BestPracticeFinding]:
    out: list[BestPracticeFinding] = []
    steps = (_credentials, _roles, _admins, _wildcards, _inline, _trust, _policy_findings)
    for done, step in enumerate(steps):
        check(cancel)
        report(progress, done, len(steps))
        out.extend(step(snap, account_id))
    report(progress, len(steps), len(steps))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(out, key=lambda f: order[f.severity])


def _mine(row_account: str | None, account_id: str | None) -> bool:
    return account_id is None or row_account == account_id


def _age(snap: Snapshot, value: str | None) -> int | None:
    return age_days(value, snap.now)


def entity(row: PrincipalRow) -> EntityRef:
    return EntityRef(row.kind, row.arn, row.name, row.account_id)


def _credentials(snap: Snapshot, account_id: str | None) -> list[BestPracticeFinding]:
    out = []
    for user in snap.rows.users:
        if not _mine(user.account_id, account_id):
            continue
        ref = entity(user)
        console = user.login_profile_date is not None
        active = [k for k in user.keys if k.status == "Active"]
        if console and not user.mfa_devices:
            out.append(
                BestPracticeFinding(
                    "console-without-mfa", "high", ref, "Assign a virtual MFA device"
                )
            )
        oldest = _age(snap, min((k.create_date for k in active), default=None))
        if oldest is not None and oldest > STALE_DAYS:
            out.append(
                BestPracticeFinding("old-access-key", "medium", ref, f"{oldest} days; rotate it")
            )
        used = [d for d in (user.password_last_used, *(k.last_used_date for k in user.keys)) if d]
        idle = _age(snap, max(used) if used else user.create_date)
        if idle is not None and idle > STALE_DAYS and (console or active):
            out.append(
                BestPracticeFinding(
                    "unused-credentials", "medium", ref, f"no activity for {idle} days"
                )
            )
    return out


def _roles(snap: Snapshot, account_id: str | None) -> list[BestPracticeFinding]:
    out = []
    for role in snap.rows.roles:
        if not _mine(role.account_id, account_id) or role.service_linked:
            continue
        idle = _age(snap, role.last_used_date or role.create_date)
        if idle is not None and idle > STALE_DAYS:
            out.append(
                BestPracticeFinding("unused-role", "low", entity(role), f"not used for {idle} days")
            )
    return out


def _admins(snap: Snapshot, account_id: str | None) -> list[BestPracticeFinding]:
    out = []
    for actor, access in admins(snap):
        if actor.ref.kind == "session" or not _mine(actor.account_id, account_id):
            continue
        via = ", ".join(
            dict.fromkeys(
                s.policy_label for s in access.statements if s.policy_kind not in ("scp", "rcp")
            )
        )
        detail = f"can do anything through {via}"
        if access.conditional:
            detail += f" (if {'; '.join(access.conditions)})"
        first = next((s for s in access.statements if s.policy_kind not in ("scp", "rcp")), None)
        out.append(BestPracticeFinding("admin-equivalent", "high", actor.ref, detail, first))
    return out


def _wildcards(snap: Snapshot, account_id: str | None) -> list[BestPracticeFinding]:
    """Allow statements granting every action of a sensitive service (``iam:*``, ``kms:*``,
    ``*``...) in the policies people write (customer managed and inline)."""
    out = []
    for policy in stored_policies(snap, account_id):
        if policy.kind not in ("managed", "inline"):
            continue
        document = _parsed(policy.text)
        if document is None:
            continue
        for st in document.statements:
            if st.effect != "Allow" or not st.action:
                continue
            wild = [v.text for v in st.action if _sensitive_wildcard(v.text)]
            if not wild:
                continue
            ref = StatementRef.of(
                st,
                policy_label=policy.label,
                policy_kind=policy.kind,
                policy_arn=policy.arn,
                owner=policy.owner,
                policy_name=policy.name,
            )
            who = policy.owner or EntityRef("policy", policy.arn or "", policy.label, None)
            out.append(
                BestPracticeFinding(
                    "sensitive-wildcard",
                    "medium",
                    who,
                    f"{', '.join(wild)} in {ref.display}; list the actions needed",
                    ref,
                )
            )
    return out


def _sensitive_wildcard(action: str) -> bool:
    service, _, name = action.lower().partition(":")
    if action == "*":
        return True
    return service in SENSITIVE_SERVICES and "*" in name


def _inline(snap: Snapshot, account_id: str | None) -> list[BestPracticeFinding]:
    out = []
    for row in [*snap.rows.users, *snap.rows.groups.values(), *snap.rows.roles]:
        if not _mine(row.account_id, account_id) or row.service_linked:
            continue
        for inline in row.inline:
            out.append(
                BestPracticeFinding(
                    "inline-policy",
                    "low",
                    entity(row),
                    f"inline policy {inline.name}; prefer a managed policy, reusable and versioned",
                )
            )
    return out


def _trust(snap: Snapshot, account_id: str | None) -> list[BestPracticeFinding]:
    out = []
    for role in snap.rows.roles:
        if not _mine(role.account_id, account_id) or role.trust_policy is None:
            continue
        document = _parsed(role.trust_policy)
        if document is None:
            continue
        for st in document.statements:
            if st.effect != "Allow":
                continue
            keys = {c.key.lower() for c in st.conditions}
            for principal in _aws_principals(st):
                if principal == "*":
                    out.append(
                        BestPracticeFinding(
                            "public-trust",
                            "high",
                            entity(role),
                            'trusts "AWS": "*": any AWS account may assume it'
                            + (" (conditions limit it)" if keys else ""),
                            _trust_ref(role, st),
                        )
                    )
                    continue
                other = _account_of(principal)
                if other is None or other == role.account_id:
                    continue
                if keys & {
                    "sts:externalid",
                    "aws:multifactorauthpresent",
                    "aws:multifactorauthage",
                }:
                    continue
                out.append(
                    BestPracticeFinding(
                        "cross-account-trust",
                        "medium",
                        entity(role),
                        f"account {other} may assume it without an ExternalId or MFA condition",
                        _trust_ref(role, st),
                    )
                )
    return out


def _trust_ref(role: PrincipalRow, st: Statement) -> StatementRef:
    return StatementRef.of(
        st,
        policy_label=f"trust policy of role/{role.name}",
        policy_kind="trust",
        owner=entity(role),
    )


def _aws_principals(st: Statement) -> list[str]:
    block = st.principal
    if block is None:
        return []
    if block.wildcard:
        return ["*"]
    return [v.text for kind, values in block.entries if kind == "AWS" for v in values]


def _account_of(principal: str) -> str | None:
    if principal.isdigit() and len(principal) == 12:
        return principal
    parts = principal.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4].isdigit() else None


def _policy_findings(snap: Snapshot, account_id: str | None) -> list[BestPracticeFinding]:
    out = []
    for policy in stored_policies(snap, account_id):
        serious = [f for f in findings_of(policy) if f.severity in ("ERROR", "SECURITY_WARNING")]
        if not serious:
            continue
        who = policy.owner or EntityRef("policy", policy.arn or "", policy.label, None)
        first = serious[0]
        out.append(
            BestPracticeFinding(
                "policy-findings",
                "medium",
                who,
                f"{policy.label}: {len(serious)} error/security finding"
                f"{'s' if len(serious) != 1 else ''}, first {first.code} (line {first.start_line})",
            )
        )
    return out


def _parsed(text: str) -> PolicyDocument | None:
    try:
        return parse_policy(text)
    except PolicyParseError:
        return None
