"""The append-only change log, tags, and the schema version row.

``record_change`` is called by every service operation inside its own transaction, so a change
and its log entry commit or roll back together.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import Index, UniqueConstraint, insert
from sqlmodel import Field, Session, SQLModel

from iamdesk.store.columns import name_field

log = logging.getLogger(__name__)


class ChangeLogEntry(SQLModel, table=True):
    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_account_at", "account_id", "at"),
        # The app's History tab asks for one entity's entries.
        Index("ix_change_log_entity", "account_id", "entity_type", "entity_name"),
    )

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str | None = None  # no foreign key: the log outlives what it describes
    at: str
    actor: str
    operation: str  # AWS's operation name, e.g. CreateUser
    entity_type: str  # user | group | role | policy | …
    entity_name: str
    before: str | None = None  # JSON
    after: str | None = None  # JSON


class Tag(SQLModel, table=True):
    """A tag on any taggable entity, named by ``entity_type`` and that table's ``pk``.

    IAM tag keys are case-insensitive for uniqueness (``CostCenter`` and ``costcenter`` are one
    key), hence the NOCASE key.
    """

    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("entity_type", "entity_pk", "key"),)

    pk: int | None = Field(default=None, primary_key=True)
    entity_type: str  # user | role | policy | instance-profile | mfa | resource | …
    entity_pk: int
    key: str = name_field(128)
    value: str = Field(default="")


class SchemaVersion(SQLModel, table=True):
    __tablename__ = "schema_version"

    id: int = Field(default=1, primary_key=True)
    version: int
    updated_at: str


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


def record_change(
    session: Session,
    *,
    at: str,
    actor: str,
    account_id: str | None,
    operation: str,
    entity_type: str,
    entity_name: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one entry (a Core insert: the log is written on every operation, keep it cheap)."""
    session.execute(
        insert(ChangeLogEntry.__table__),  # type: ignore[arg-type]
        {
            "account_id": account_id,
            "at": at,
            "actor": actor,
            "operation": operation,
            "entity_type": entity_type,
            "entity_name": entity_name,
            "before": _dump(before),
            "after": _dump(after),
        },
    )
    log.debug("%s %s %s in %s", operation, entity_type, entity_name, account_id)
