"""Schema 2: what the access analyses keep between runs (``iamdesk.store.analysis``): imported
CloudTrail activity and archived external-access findings.

A file opened by an iamdesk between these tables' arrival and this revision may hold them
already (they were created on open then), hence the existence checks.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "activity" not in existing:
        op.create_table(
            "activity",
            sa.Column("pk", sa.Integer(), nullable=False),
            sa.Column("principal_arn", sa.String(), nullable=False),
            sa.Column("action", sa.String(), nullable=False),
            sa.Column("last_used", sa.String(), nullable=False),
            sa.Column("count", sa.Integer(), nullable=False),
            sa.Column("resources", sa.String(), nullable=False),
            sa.PrimaryKeyConstraint("pk"),
            sa.UniqueConstraint("principal_arn", "action"),
        )
        op.create_index(
            op.f("ix_activity_principal_arn"), "activity", ["principal_arn"], unique=False
        )
    if "archived_finding" not in existing:
        op.create_table(
            "archived_finding",
            sa.Column("finding_id", sa.String(), nullable=False),
            sa.Column("resource_arn", sa.String(), nullable=False),
            sa.Column("policy_hash", sa.String(), nullable=False),
            sa.Column("reason", sa.String(), nullable=False),
            sa.Column("archived_at", sa.String(), nullable=False),
            sa.Column("archived_by", sa.String(), nullable=False),
            sa.PrimaryKeyConstraint("finding_id"),
        )


def downgrade() -> None:
    raise NotImplementedError("iamdesk never downgrades a model")
