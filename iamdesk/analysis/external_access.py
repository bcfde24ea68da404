"""External access findings: what role trust policies and resource policies grant to principals
outside the zone of trust (the account or its organization), or to everyone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iamdesk.analysis.progress import Cancel, Progress
from iamdesk.analysis.refs import EntityRef, StatementRef


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
    db: Any,
    account_id: str | None,
    zone: str = "account",
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[ExternalAccessFinding]:
    raise NotImplementedError("external access is being built")


def archive_finding(db: Any, finding: ExternalAccessFinding, reason: str) -> None:
    raise NotImplementedError("external access is being built")


def unarchive_finding(db: Any, finding: ExternalAccessFinding) -> None:
    raise NotImplementedError("external access is being built")
