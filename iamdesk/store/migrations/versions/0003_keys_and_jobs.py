"""Schema 3: the rest of IAM (``iamdesk.store.keys``): SSH public keys, signing certificates,
service-specific credentials, server certificates, Access Advisor report jobs, service-linked
role deletion tasks and the account's STS token preference."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iamdesk.store.citext import NoCaseText

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _account(ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete=ondelete)


def _user() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["user_pk"], ["iam_user.pk"], ondelete="RESTRICT")


def upgrade() -> None:
    op.create_table(
        "ssh_public_key",
        sa.Column("key_id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("upload_date", sa.String(), nullable=False),
        _account("RESTRICT"),
        _user(),
        sa.PrimaryKeyConstraint("key_id"),
    )
    op.create_index(op.f("ix_ssh_public_key_user_pk"), "ssh_public_key", ["user_pk"])
    op.create_table(
        "signing_certificate",
        sa.Column("certificate_id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("upload_date", sa.String(), nullable=False),
        _account("RESTRICT"),
        _user(),
        sa.PrimaryKeyConstraint("certificate_id"),
    )
    op.create_index(op.f("ix_signing_certificate_user_pk"), "signing_certificate", ["user_pk"])
    op.create_table(
        "service_specific_credential",
        sa.Column("credential_id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("service_name", sa.String(), nullable=False),
        sa.Column("service_user_name", sa.String(), nullable=True),
        sa.Column("credential_alias", sa.String(), nullable=True),
        sa.Column("secret_hash", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.Column("expiration_date", sa.String(), nullable=True),
        _account("RESTRICT"),
        _user(),
        sa.PrimaryKeyConstraint("credential_id"),
    )
    op.create_index(
        op.f("ix_service_specific_credential_user_pk"), "service_specific_credential", ["user_pk"]
    )
    op.create_table(
        "server_certificate",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column(
            "name",
            sa.String(length=128, collation="NOCASE").with_variant(NoCaseText(), "postgresql"),
            nullable=False,
        ),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("certificate_id", sa.String(), nullable=False),
        sa.Column("arn", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("chain", sa.String(), nullable=True),
        sa.Column("private_key_sha256", sa.String(), nullable=False),
        sa.Column("upload_date", sa.String(), nullable=False),
        sa.Column("expiration", sa.String(), nullable=False),
        _account("RESTRICT"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("account_id", "name"),
        sa.UniqueConstraint("arn"),
        sa.UniqueConstraint("certificate_id"),
    )
    op.create_table(
        "access_report_job",
        sa.Column("job_id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("arn", sa.String(), nullable=False),
        sa.Column("granularity", sa.String(), nullable=False),
        sa.Column("created", sa.String(), nullable=False),
        sa.Column("completed", sa.String(), nullable=False),
        sa.Column("result", sa.String(), nullable=False),
        _account("CASCADE"),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.create_index(op.f("ix_access_report_job_account_id"), "access_report_job", ["account_id"])
    op.create_table(
        "role_deletion_task",
        sa.Column("task_id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("role_name", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("created", sa.String(), nullable=False),
        _account("CASCADE"),
        sa.PrimaryKeyConstraint("task_id"),
    )
    op.create_index(op.f("ix_role_deletion_task_account_id"), "role_deletion_task", ["account_id"])
    op.create_table(
        "sts_preference",
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("global_endpoint_token_version", sa.Integer(), nullable=False),
        _account("CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
    )


def downgrade() -> None:
    raise NotImplementedError("iamdesk never downgrades a model")
