"""What the access analyses keep between runs: imported CloudTrail activity and archived
external-access findings.

Neither references another table: activity may name principals the model does not hold (yet),
and an archived finding is matched by its id and the hash of the policy it came from, so a
changed policy brings the finding back without anyone deleting the archive row.
"""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from iamdesk.store.columns import TableModel


class ActivityRecord(TableModel, table=True):
    """One principal's use of one action, summed over the imported CloudTrail events."""

    __tablename__ = "activity"
    __table_args__ = (UniqueConstraint("principal_arn", "action"),)

    pk: int | None = Field(default=None, primary_key=True)
    principal_arn: str = Field(index=True)  # the user or role (a session counts for its role)
    action: str  # service:Operation, e.g. s3:GetObject
    last_used: str  # ISO 8601 time of the latest event
    count: int = Field(default=0)
    resources: str = Field(default="[]")  # JSON list of the resource ARNs seen (bounded)


class ArchivedFinding(TableModel, table=True):
    __tablename__ = "archived_finding"

    finding_id: str = Field(primary_key=True)
    resource_arn: str
    policy_hash: str  # SHA-256 of the policy text when archived
    reason: str
    archived_at: str
    archived_by: str
