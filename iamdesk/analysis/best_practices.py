"""Best-practice findings: credentials (console without MFA, old or unused keys, unused roles)
and policies (administrator-equivalent principals, wildcards on sensitive services, inline
policies, risky trust, policies with validation findings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iamdesk.analysis.progress import Cancel, Progress
from iamdesk.analysis.refs import EntityRef, StatementRef

SEVERITIES = ("high", "medium", "low")


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
            "detail": self.detail,
            "statement": self.statement.to_json() if self.statement else None,
        }


def find_best_practice_issues(
    db: Any,
    account_id: str | None,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[BestPracticeFinding]:
    raise NotImplementedError("best practices are being moved here")
