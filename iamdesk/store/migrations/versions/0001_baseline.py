"""Baseline: the schema of iamdesk 0.1 (schema version 1), as both backends create it.

Generated from the tables by Alembic's autogenerate, then frozen: later changes to the tables come
as new revisions, never as edits here (a file made by this revision must stay what it is). The
change log's append-only triggers follow the tables, written in each backend's own dialect.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from iamdesk.store.citext import NoCaseText
from iamdesk.store.schema import APPEND_ONLY, prepare

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    prepare(bind)
    _create_tables()
    if bind.dialect.name == "postgresql":
        op.create_foreign_key(
            "fk_organization_management_account",
            "organization",
            "account",
            ["management_account_id"],
            ["account_id"],
            ondelete="RESTRICT",
            deferrable=True,
            initially="IMMEDIATE",
        )
    for statement in APPEND_ONLY[bind.dialect.name]:
        op.execute(statement)


def _management_account_key() -> list[sa.ForeignKeyConstraint]:
    """organization -> account closes a cycle (account -> organization). SQLite writes the key
    inside CREATE TABLE (it has no ALTER ADD CONSTRAINT); PostgreSQL adds it once both tables
    exist. Deferrable, so a whole-model copy may insert both sides in one transaction."""
    if op.get_bind().dialect.name == "postgresql":
        return []
    return [
        sa.ForeignKeyConstraint(
            ["management_account_id"],
            ["account.account_id"],
            name="fk_organization_management_account",
            ondelete="RESTRICT",
            deferrable=True,
            initially="IMMEDIATE",
        )
    ]


def _one_owner(name: str) -> sa.CheckConstraint:
    """Exactly one of user/group/role owns the row (PostgreSQL does not add booleans)."""
    if op.get_bind().dialect.name == "postgresql":
        return sa.CheckConstraint("num_nonnulls(user_pk, group_pk, role_pk) = 1", name=name)
    return sa.CheckConstraint(
        "(user_pk IS NOT NULL) + (group_pk IS NOT NULL) + (role_pk IS NOT NULL) = 1", name=name
    )


def downgrade() -> None:
    raise NotImplementedError("iamdesk never downgrades a model")


def _create_tables() -> None:
    op.create_table(
        "change_log",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=True),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("operation", sa.String(), nullable=False),
        sa.Column("entity_type", sa.String(), nullable=False),
        sa.Column("entity_name", sa.String(), nullable=False),
        sa.Column("before", sa.String(), nullable=True),
        sa.Column("after", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_change_log_account_at", "change_log", ["account_id", "at"], unique=False)
    op.create_index(
        "ix_change_log_entity",
        "change_log",
        ["account_id", "entity_type", "entity_name"],
        unique=False,
    )
    op.create_table(
        "organization",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("arn", sa.String(), nullable=False),
        sa.Column("management_account_id", sa.String(), nullable=False),
        sa.Column("feature_set", sa.String(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        *_management_account_key(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "schema_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "tag",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.String(), nullable=False),
        sa.Column("entity_pk", sa.Integer(), nullable=False),
        sa.Column(
            "key",
            sa.String(length=128, collation="NOCASE").with_variant(NoCaseText(), "postgresql"),
            nullable=False,
        ),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("entity_type", "entity_pk", "key"),
    )
    op.create_table(
        "org_node",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("organization_id", sa.String(), nullable=False),
        sa.Column("parent_id", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("arn", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["org_node.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_org_node_organization_id"), "org_node", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_org_node_parent_id"), "org_node", ["parent_id"], unique=False)
    op.create_table(
        "org_policy",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("organization_id", sa.String(), nullable=False),
        sa.Column("arn", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("aws_managed", sa.Boolean(), nullable=False),
        sa.Column("content", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "type", "name"),
    )
    op.create_index(
        op.f("ix_org_policy_organization_id"), "org_policy", ["organization_id"], unique=False
    )
    op.create_table(
        "account",
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("alias", sa.String(), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("organization_id", sa.String(), nullable=True),
        sa.Column("parent_id", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("joined_method", sa.String(), nullable=True),
        sa.Column("joined_timestamp", sa.String(), nullable=True),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["parent_id"], ["org_node.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("account_id"),
        sa.UniqueConstraint("alias"),
    )
    op.create_index(
        op.f("ix_account_organization_id"), "account", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_account_parent_id"), "account", ["parent_id"], unique=False)
    op.create_table(
        "org_policy_attachment",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.String(), nullable=False),
        sa.Column("target_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["policy_id"], ["org_policy.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("policy_id", "target_id"),
    )
    op.create_index(
        op.f("ix_org_policy_attachment_policy_id"),
        "org_policy_attachment",
        ["policy_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_org_policy_attachment_target_id"),
        "org_policy_attachment",
        ["target_id"],
        unique=False,
    )
    op.create_table(
        "credential_report",
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("generated_time", sa.String(), nullable=False),
        sa.Column("content", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "iam_group",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column(
            "name",
            sa.String(length=128, collation="NOCASE").with_variant(NoCaseText(), "postgresql"),
            nullable=False,
        ),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("group_id", sa.String(), nullable=False),
        sa.Column("arn", sa.String(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("account_id", "name"),
        sa.UniqueConstraint("arn"),
        sa.UniqueConstraint("group_id"),
    )
    op.create_table(
        "instance_profile",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column(
            "name",
            sa.String(length=128, collation="NOCASE").with_variant(NoCaseText(), "postgresql"),
            nullable=False,
        ),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("instance_profile_id", sa.String(), nullable=False),
        sa.Column("arn", sa.String(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("account_id", "name"),
        sa.UniqueConstraint("arn"),
        sa.UniqueConstraint("instance_profile_id"),
    )
    op.create_table(
        "managed_policy",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=True),
        sa.Column(
            "name",
            sa.String(length=128, collation="NOCASE").with_variant(NoCaseText(), "postgresql"),
            nullable=False,
        ),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("policy_id", sa.String(), nullable=False),
        sa.Column("arn", sa.String(), nullable=False),
        sa.Column("default_version_id", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("is_attachable", sa.Boolean(), nullable=False),
        sa.Column("aws_managed", sa.Boolean(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.Column("update_date", sa.String(), nullable=False),
        sa.Column("next_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("account_id", "name"),
        sa.UniqueConstraint("arn"),
        sa.UniqueConstraint("policy_id"),
    )
    op.create_index(
        op.f("ix_managed_policy_account_id"), "managed_policy", ["account_id"], unique=False
    )
    op.create_table(
        "password_policy",
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("minimum_password_length", sa.Integer(), nullable=False),
        sa.Column("require_symbols", sa.Boolean(), nullable=False),
        sa.Column("require_numbers", sa.Boolean(), nullable=False),
        sa.Column("require_uppercase_characters", sa.Boolean(), nullable=False),
        sa.Column("require_lowercase_characters", sa.Boolean(), nullable=False),
        sa.Column("allow_users_to_change_password", sa.Boolean(), nullable=False),
        sa.Column("max_password_age", sa.Integer(), nullable=True),
        sa.Column("password_reuse_prevention", sa.Integer(), nullable=True),
        sa.Column("hard_expiry", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "resource",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("service", sa.String(), nullable=False),
        sa.Column("resource_type", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("arn", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=True),
        sa.Column("policy", sa.String(), nullable=True),
        sa.Column("attributes", sa.String(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("account_id", "service", "resource_type", "name"),
        sa.UniqueConstraint("arn"),
    )
    op.create_table(
        "scenario",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("principal_arn", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("resource_arn", sa.String(), nullable=False),
        sa.Column("context", sa.String(), nullable=False),
        sa.Column("expected", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("account_id", "name"),
    )
    op.create_table(
        "iam_role",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column(
            "name",
            sa.String(length=64, collation="NOCASE").with_variant(NoCaseText(), "postgresql"),
            nullable=False,
        ),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("role_id", sa.String(), nullable=False),
        sa.Column("arn", sa.String(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.Column("assume_role_policy", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("max_session_duration", sa.Integer(), nullable=False),
        sa.Column("permissions_boundary_pk", sa.Integer(), nullable=True),
        sa.Column("last_used_date", sa.String(), nullable=True),
        sa.Column("last_used_region", sa.String(), nullable=True),
        sa.Column("service_linked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(
            ["permissions_boundary_pk"], ["managed_policy.pk"], ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("account_id", "name"),
        sa.UniqueConstraint("arn"),
        sa.UniqueConstraint("role_id"),
    )
    op.create_index(
        op.f("ix_iam_role_permissions_boundary_pk"),
        "iam_role",
        ["permissions_boundary_pk"],
        unique=False,
    )
    op.create_table(
        "iam_user",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column(
            "name",
            sa.String(length=64, collation="NOCASE").with_variant(NoCaseText(), "postgresql"),
            nullable=False,
        ),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("arn", sa.String(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.Column("password_last_used", sa.String(), nullable=True),
        sa.Column("permissions_boundary_pk", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(
            ["permissions_boundary_pk"], ["managed_policy.pk"], ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("account_id", "name"),
        sa.UniqueConstraint("arn"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_index("ix_iam_user_account_path", "iam_user", ["account_id", "path"], unique=False)
    op.create_index(
        op.f("ix_iam_user_permissions_boundary_pk"),
        "iam_user",
        ["permissions_boundary_pk"],
        unique=False,
    )
    op.create_table(
        "policy_version",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("policy_pk", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.String(), nullable=False),
        sa.Column("document", sa.String(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["policy_pk"], ["managed_policy.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("policy_pk", "version_id"),
    )
    op.create_index(
        op.f("ix_policy_version_policy_pk"), "policy_version", ["policy_pk"], unique=False
    )
    op.create_table(
        "access_key",
        sa.Column("access_key_id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.Column("last_used_date", sa.String(), nullable=True),
        sa.Column("last_used_service", sa.String(), nullable=True),
        sa.Column("last_used_region", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_pk"], ["iam_user.pk"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("access_key_id"),
    )
    op.create_index(op.f("ix_access_key_account_id"), "access_key", ["account_id"], unique=False)
    op.create_index(op.f("ix_access_key_user_pk"), "access_key", ["user_pk"], unique=False)
    op.create_table(
        "group_membership",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("group_pk", sa.Integer(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_pk"], ["iam_group.pk"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_pk"], ["iam_user.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("group_pk", "user_pk"),
    )
    op.create_index(
        op.f("ix_group_membership_group_pk"), "group_membership", ["group_pk"], unique=False
    )
    op.create_index(
        op.f("ix_group_membership_user_pk"), "group_membership", ["user_pk"], unique=False
    )
    op.create_table(
        "inline_policy",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=True),
        sa.Column("group_pk", sa.Integer(), nullable=True),
        sa.Column("role_pk", sa.Integer(), nullable=True),
        sa.Column(
            "name",
            sa.String(length=128, collation="NOCASE").with_variant(NoCaseText(), "postgresql"),
            nullable=False,
        ),
        sa.Column("document", sa.String(), nullable=False),
        _one_owner("ck_inline_policy_one_owner"),
        sa.ForeignKeyConstraint(["group_pk"], ["iam_group.pk"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["role_pk"], ["iam_role.pk"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_pk"], ["iam_user.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index(op.f("ix_inline_policy_group_pk"), "inline_policy", ["group_pk"], unique=False)
    op.create_index(op.f("ix_inline_policy_role_pk"), "inline_policy", ["role_pk"], unique=False)
    op.create_index(op.f("ix_inline_policy_user_pk"), "inline_policy", ["user_pk"], unique=False)
    op.create_index(
        "ux_inline_group",
        "inline_policy",
        ["group_pk", "name"],
        unique=True,
        sqlite_where=sa.text("group_pk IS NOT NULL"),
        postgresql_where=sa.text("group_pk IS NOT NULL"),
    )
    op.create_index(
        "ux_inline_role",
        "inline_policy",
        ["role_pk", "name"],
        unique=True,
        sqlite_where=sa.text("role_pk IS NOT NULL"),
        postgresql_where=sa.text("role_pk IS NOT NULL"),
    )
    op.create_index(
        "ux_inline_user",
        "inline_policy",
        ["user_pk", "name"],
        unique=True,
        sqlite_where=sa.text("user_pk IS NOT NULL"),
        postgresql_where=sa.text("user_pk IS NOT NULL"),
    )
    op.create_table(
        "instance_profile_role",
        sa.Column("instance_profile_pk", sa.Integer(), nullable=False),
        sa.Column("role_pk", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_profile_pk"], ["instance_profile.pk"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["role_pk"], ["iam_role.pk"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("instance_profile_pk"),
    )
    op.create_index(
        op.f("ix_instance_profile_role_role_pk"), "instance_profile_role", ["role_pk"], unique=False
    )
    op.create_table(
        "login_profile",
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.Column("password_reset_required", sa.Boolean(), nullable=False),
        sa.Column("password_last_changed", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["user_pk"], ["iam_user.pk"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("user_pk"),
    )
    op.create_table(
        "mfa_device",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column(
            "name",
            sa.String(length=226, collation="NOCASE").with_variant(NoCaseText(), "postgresql"),
            nullable=False,
        ),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("serial_number", sa.String(), nullable=False),
        sa.Column("seed", sa.String(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=True),
        sa.Column("enable_date", sa.String(), nullable=True),
        sa.Column("last_counter", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_pk"], ["iam_user.pk"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("account_id", "name"),
        sa.UniqueConstraint("serial_number"),
    )
    op.create_index(op.f("ix_mfa_device_user_pk"), "mfa_device", ["user_pk"], unique=False)
    op.create_table(
        "password_history",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["user_pk"], ["iam_user.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index(
        op.f("ix_password_history_user_pk"), "password_history", ["user_pk"], unique=False
    )
    op.create_table(
        "policy_attachment",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("policy_pk", sa.Integer(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=True),
        sa.Column("group_pk", sa.Integer(), nullable=True),
        sa.Column("role_pk", sa.Integer(), nullable=True),
        _one_owner("ck_policy_attachment_one_owner"),
        sa.ForeignKeyConstraint(["group_pk"], ["iam_group.pk"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["policy_pk"], ["managed_policy.pk"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["role_pk"], ["iam_role.pk"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_pk"], ["iam_user.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index(
        op.f("ix_policy_attachment_group_pk"), "policy_attachment", ["group_pk"], unique=False
    )
    op.create_index(
        op.f("ix_policy_attachment_policy_pk"), "policy_attachment", ["policy_pk"], unique=False
    )
    op.create_index(
        op.f("ix_policy_attachment_role_pk"), "policy_attachment", ["role_pk"], unique=False
    )
    op.create_index(
        op.f("ix_policy_attachment_user_pk"), "policy_attachment", ["user_pk"], unique=False
    )
    op.create_index(
        "ux_attachment_group",
        "policy_attachment",
        ["policy_pk", "group_pk"],
        unique=True,
        sqlite_where=sa.text("group_pk IS NOT NULL"),
        postgresql_where=sa.text("group_pk IS NOT NULL"),
    )
    op.create_index(
        "ux_attachment_role",
        "policy_attachment",
        ["policy_pk", "role_pk"],
        unique=True,
        sqlite_where=sa.text("role_pk IS NOT NULL"),
        postgresql_where=sa.text("role_pk IS NOT NULL"),
    )
    op.create_index(
        "ux_attachment_user",
        "policy_attachment",
        ["policy_pk", "user_pk"],
        unique=True,
        sqlite_where=sa.text("user_pk IS NOT NULL"),
        postgresql_where=sa.text("user_pk IS NOT NULL"),
    )
    op.create_table(
        "sts_session",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("role_pk", sa.Integer(), nullable=False),
        sa.Column("session_name", sa.String(), nullable=False),
        sa.Column("access_key_id", sa.String(), nullable=False),
        sa.Column("secret_hash", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("assumed_role_id", sa.String(), nullable=False),
        sa.Column("arn", sa.String(), nullable=False),
        sa.Column("caller_arn", sa.String(), nullable=True),
        sa.Column("source_identity", sa.String(), nullable=True),
        sa.Column("session_policy", sa.String(), nullable=True),
        sa.Column("policy_arns", sa.String(), nullable=False),
        sa.Column("session_tags", sa.String(), nullable=False),
        sa.Column("transitive_tag_keys", sa.String(), nullable=False),
        sa.Column("mfa_authenticated", sa.Boolean(), nullable=False),
        sa.Column("mfa_serial", sa.String(), nullable=True),
        sa.Column("source_ip", sa.String(), nullable=True),
        sa.Column("create_date", sa.String(), nullable=False),
        sa.Column("expiration", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.account_id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["role_pk"], ["iam_role.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("access_key_id"),
    )
    op.create_index(op.f("ix_sts_session_account_id"), "sts_session", ["account_id"], unique=False)
    op.create_index(op.f("ix_sts_session_arn"), "sts_session", ["arn"], unique=False)
    op.create_index(op.f("ix_sts_session_role_pk"), "sts_session", ["role_pk"], unique=False)
