"""Schema 4: OIDC and SAML identity providers and what federated sessions came from
(``iamdesk.store.federation``)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iamdesk.store.citext import NoCaseText

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oidc_provider",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("arn", sa.String(), nullable=False),
        sa.Column("client_ids", sa.String(), nullable=False),
        sa.Column("thumbprints", sa.String(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("account_id", "url"),
        sa.UniqueConstraint("arn"),
    )
    op.create_table(
        "saml_provider",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column(
            "name",
            sa.String(length=128, collation="NOCASE").with_variant(NoCaseText(), "postgresql"),
            nullable=False,
        ),
        sa.Column("arn", sa.String(), nullable=False),
        sa.Column("uuid", sa.String(), nullable=False),
        sa.Column("metadata_document", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.String(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.Column("valid_until", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("account_id", "name"),
        sa.UniqueConstraint("arn"),
    )
    op.create_table(
        "federated_session",
        sa.Column("sts_session_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("provider_arn", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("audience", sa.String(), nullable=False),
        sa.Column("context", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["sts_session_pk"], ["sts_session.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("sts_session_pk"),
    )


def downgrade() -> None:
    raise NotImplementedError("iamdesk never downgrades a model")
