"""IAM principals: users, groups (with membership), roles and instance profiles.

Every entity has an integer ``pk`` (what other rows reference, so a rename is one UPDATE) and the
AWS identifiers (``AIDA…``/``AGPA…``/``AROA…``/``AIPA…`` id and ARN) as AWS prints them.
Names are unique per account without regard to case, as in IAM. Timestamps are ISO 8601 text in
UTC (``2026-01-02T03:04:05+00:00``), the form the AWS CLI prints.
"""

from __future__ import annotations

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from iamdesk.store.columns import TableModel, fk, name_field


class User(TableModel, table=True):
    __tablename__ = "iam_user"
    __table_args__ = (
        UniqueConstraint("account_id", "name"),
        Index("ix_iam_user_account_path", "account_id", "path"),
    )

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str = fk("account.account_id", ondelete="RESTRICT", index=False)
    name: str = name_field(64)
    path: str = Field(default="/")
    user_id: str = Field(unique=True)  # AIDA…
    arn: str = Field(unique=True)
    create_date: str
    password_last_used: str | None = None
    permissions_boundary_pk: int | None = fk(
        "managed_policy.pk", ondelete="RESTRICT", nullable=True
    )


class Group(TableModel, table=True):
    __tablename__ = "iam_group"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str = fk("account.account_id", ondelete="RESTRICT", index=False)
    name: str = name_field(128)
    path: str = Field(default="/")
    group_id: str = Field(unique=True)  # AGPA…
    arn: str = Field(unique=True)
    create_date: str


class GroupMembership(TableModel, table=True):
    __tablename__ = "group_membership"
    __table_args__ = (UniqueConstraint("group_pk", "user_pk"),)

    pk: int | None = Field(default=None, primary_key=True)  # insertion order = AWS's order
    group_pk: int = fk("iam_group.pk")
    user_pk: int = fk("iam_user.pk")


class Role(TableModel, table=True):
    __tablename__ = "iam_role"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str = fk("account.account_id", ondelete="RESTRICT", index=False)
    name: str = name_field(64)
    path: str = Field(default="/")
    role_id: str = Field(unique=True)  # AROA…
    arn: str = Field(unique=True)
    create_date: str
    assume_role_policy: str  # the trust policy document text as given
    description: str | None = None
    max_session_duration: int = Field(default=3600)
    permissions_boundary_pk: int | None = fk(
        "managed_policy.pk", ondelete="RESTRICT", nullable=True
    )
    last_used_date: str | None = None
    last_used_region: str | None = None
    service_linked: bool = Field(default=False)


class InstanceProfile(TableModel, table=True):
    __tablename__ = "instance_profile"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str = fk("account.account_id", ondelete="RESTRICT", index=False)
    name: str = name_field(128)
    path: str = Field(default="/")
    instance_profile_id: str = Field(unique=True)  # AIPA…
    arn: str = Field(unique=True)
    create_date: str


class InstanceProfileRole(TableModel, table=True):
    """An instance profile holds at most one role (AWS's quota), hence the profile is the key."""

    __tablename__ = "instance_profile_role"

    instance_profile_pk: int = Field(
        primary_key=True, foreign_key="instance_profile.pk", ondelete="CASCADE"
    )
    # RESTRICT: AWS refuses to delete a role still in an instance profile (DeleteConflict).
    role_pk: int = fk("iam_role.pk", ondelete="RESTRICT")
