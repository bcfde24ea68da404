"""Schema 7: a federated session names its role (``federated_session.role_pk``).

A web-identity or SAML session's provider link hung off its ``sts_session`` row only, so an
``import --replace`` of the account, which keeps every table hanging off a user or role for the
entities that stay (``services.refresh.snapshot``), lost it. With the role's key the link is one
of the role's credentials like the session itself. Existing rows take their session's role.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("federated_session")}
    if "role_pk" in columns:  # a model an iamdesk of schema 7 built and then stamped older
        return
    op.add_column("federated_session", sa.Column("role_pk", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE federated_session SET role_pk = (SELECT sts_session.role_pk FROM sts_session"
        " WHERE sts_session.pk = federated_session.sts_session_pk)"
    )
    # SQLite cannot add a key or NOT NULL to a column in place: batch mode rebuilds the table
    # there, and alters it in place on PostgreSQL.
    with op.batch_alter_table("federated_session") as batch:
        batch.alter_column("role_pk", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            "fk_federated_session_role_pk", "iam_role", ["role_pk"], ["pk"], ondelete="CASCADE"
        )
    op.create_index(
        op.f("ix_federated_session_role_pk"), "federated_session", ["role_pk"], unique=False
    )


def downgrade() -> None:
    raise NotImplementedError("iamdesk never downgrades a model")
