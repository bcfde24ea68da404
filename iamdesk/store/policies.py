"""Managed policies (customer and AWS managed) with versions, attachments and inline policies.

AWS managed policies are shared by every account, so their rows have ``account_id`` None and an
``arn:aws:iam::aws:policy/…`` ARN; they are materialized from the packaged catalog the first time
something refers to them. An attachment or inline policy belongs to exactly one of a user, a
group or a role: three nullable foreign keys (so deleting the owner cascades) with a CHECK that
exactly one is set, and partial unique indexes per owner kind.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field

from iamdesk.store.columns import TableModel, fk, name_field, partial_unique_index

_ONE_OWNER = "(user_pk IS NOT NULL) + (group_pk IS NOT NULL) + (role_pk IS NOT NULL) = 1"
# PostgreSQL does not add booleans; num_nonnulls says the same.
_ONE_OWNER_POSTGRESQL = "num_nonnulls(user_pk, group_pk, role_pk) = 1"


def _one_owner(name: str) -> tuple[CheckConstraint, CheckConstraint]:
    """Exactly one of user/group/role owns the row, in each backend's own SQL."""
    return (
        CheckConstraint(_ONE_OWNER, name=name).ddl_if(dialect="sqlite"),
        CheckConstraint(_ONE_OWNER_POSTGRESQL, name=name).ddl_if(dialect="postgresql"),
    )


class ManagedPolicy(TableModel, table=True):
    __tablename__ = "managed_policy"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str | None = fk("account.account_id", ondelete="RESTRICT", nullable=True)
    name: str = name_field(128)
    path: str = Field(default="/")
    policy_id: str = Field(unique=True)  # ANPA…
    arn: str = Field(unique=True)
    default_version_id: str = Field(default="v1")
    description: str | None = None
    is_attachable: bool = Field(default=True)
    aws_managed: bool = Field(default=False)
    create_date: str
    update_date: str
    next_version: int = Field(default=2)  # AWS never reuses a deleted version's number


class PolicyVersion(TableModel, table=True):
    __tablename__ = "policy_version"
    __table_args__ = (UniqueConstraint("policy_pk", "version_id"),)

    pk: int | None = Field(default=None, primary_key=True)
    policy_pk: int = fk("managed_policy.pk")
    version_id: str  # v1, v2, …
    document: str  # the document text as given (URL-decoded)
    is_default: bool = Field(default=False)
    create_date: str


class PolicyAttachment(TableModel, table=True):
    __tablename__ = "policy_attachment"
    __table_args__ = (
        *_one_owner("ck_policy_attachment_one_owner"),
        partial_unique_index(
            "ux_attachment_user", "policy_pk", "user_pk", where="user_pk IS NOT NULL"
        ),
        partial_unique_index(
            "ux_attachment_group", "policy_pk", "group_pk", where="group_pk IS NOT NULL"
        ),
        partial_unique_index(
            "ux_attachment_role", "policy_pk", "role_pk", where="role_pk IS NOT NULL"
        ),
    )

    pk: int | None = Field(default=None, primary_key=True)
    # RESTRICT: AWS refuses to delete a policy that is still attached (DeleteConflict).
    policy_pk: int = fk("managed_policy.pk", ondelete="RESTRICT")
    user_pk: int | None = fk("iam_user.pk", nullable=True)
    group_pk: int | None = fk("iam_group.pk", nullable=True)
    role_pk: int | None = fk("iam_role.pk", nullable=True)


class InlinePolicy(TableModel, table=True):
    __tablename__ = "inline_policy"
    __table_args__ = (
        *_one_owner("ck_inline_policy_one_owner"),
        partial_unique_index("ux_inline_user", "user_pk", "name", where="user_pk IS NOT NULL"),
        partial_unique_index("ux_inline_group", "group_pk", "name", where="group_pk IS NOT NULL"),
        partial_unique_index("ux_inline_role", "role_pk", "name", where="role_pk IS NOT NULL"),
    )

    pk: int | None = Field(default=None, primary_key=True)
    user_pk: int | None = fk("iam_user.pk", nullable=True)
    group_pk: int | None = fk("iam_group.pk", nullable=True)
    role_pk: int | None = fk("iam_role.pk", nullable=True)
    name: str = name_field(128)
    document: str
