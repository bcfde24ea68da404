"""Schema 5: sessions of IAM users (``iamdesk.store.credentials.UserSession``): what
GetSessionToken and GetFederationToken hand out, so they can be used and simulated."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("federated_name", sa.String(), nullable=True),
        sa.Column("arn", sa.String(), nullable=False),
        sa.Column("access_key_id", sa.String(), nullable=False),
        sa.Column("secret_hash", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("session_policy", sa.String(), nullable=True),
        sa.Column("policy_arns", sa.String(), nullable=False),
        sa.Column("session_tags", sa.String(), nullable=False),
        sa.Column("mfa_authenticated", sa.Boolean(), nullable=False),
        sa.Column("mfa_serial", sa.String(), nullable=True),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.Column("expiration", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_pk"], ["iam_user.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("access_key_id"),
    )
    op.create_index(
        op.f("ix_user_session_account_id"), "user_session", ["account_id"], unique=False
    )
    op.create_index(op.f("ix_user_session_arn"), "user_session", ["arn"], unique=False)
    op.create_index(op.f("ix_user_session_user_pk"), "user_session", ["user_pk"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("iamdesk never downgrades a model")
