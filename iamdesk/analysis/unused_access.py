"""Unused access: roles, access keys and passwords not used in N days, and granted actions or
services that imported CloudTrail activity never shows used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from iamdesk.analysis.progress import Cancel, Progress
from iamdesk.analysis.refs import EntityRef, StatementRef


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
    db: Any,
    account_id: str | None,
    days: int = 90,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[UnusedAccessFinding]:
    raise NotImplementedError("unused access is being built")
