"""Archived external-access findings: the rows behind "archive with a reason".

A finding is archived together with the hash of the policy it came from; the analysis shows it
archived only while the policy hashes the same, so an edited policy brings it back.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from iamdesk.services.errors import IamError, invalid_input
from iamdesk.store.db import Database
from iamdesk.store.tables import ArchivedFinding

MAX_REASON = 1024


def archived_findings(db: Database) -> list[ArchivedFinding]:
    with db.read() as session:
        return list(session.scalars(select(ArchivedFinding)))


def archive_finding(
    db: Database, finding_id: str, resource_arn: str, policy_hash: str, reason: str
) -> None:
    reason = reason.strip()
    if not reason:
        raise invalid_input("Give a reason to archive a finding.")
    if len(reason) > MAX_REASON:
        raise invalid_input(f"The reason is longer than {MAX_REASON} characters.")
    with db.transaction() as session:
        row = session.get(ArchivedFinding, finding_id) or ArchivedFinding(
            finding_id=finding_id,
            resource_arn=resource_arn,
            policy_hash=policy_hash,
            reason=reason,
            archived_at=db.now(),
            archived_by=db.actor,
        )
        row.policy_hash, row.reason = policy_hash, reason
        row.archived_at, row.archived_by = db.now(), db.actor
        session.add(row)


def unarchive_finding(db: Database, finding_id: str) -> None:
    with db.transaction() as session:
        if session.get(ArchivedFinding, finding_id) is None:
            raise IamError("NoSuchEntity", f"The finding {finding_id} is not archived.")
        session.execute(delete(ArchivedFinding).where(ArchivedFinding.finding_id == finding_id))  # type: ignore[arg-type]
