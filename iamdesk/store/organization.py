"""Accounts and the AWS Organizations structure that governs them (roots, OUs, SCPs, RCPs).

Several accounts live in one model file so cross-account access is real. An account may stand
alone (``organization_id`` is None) or sit under a root or OU (``parent_id``). Org policies attach
to a root, an OU or an account; ``target_id`` holds that id (``r-…``, ``ou-…`` or the 12-digit
account id), so the attachment table stays one table for all three target kinds.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, UniqueConstraint
from sqlmodel import AutoString, Field

from iamdesk.store.columns import TableModel, fk

DEFAULT_ACCOUNT_ID = "123456789012"  # AWS's documentation account id


class Account(TableModel, table=True):
    __tablename__ = "account"

    account_id: str = Field(primary_key=True, max_length=12)
    name: str = Field(default="")
    email: str = Field(default="")
    alias: str | None = Field(default=None, unique=True)
    is_default: bool = Field(default=False)
    organization_id: str | None = fk("organization.id", ondelete="SET NULL", nullable=True)
    parent_id: str | None = fk("org_node.id", ondelete="SET NULL", nullable=True)
    status: str = Field(default="ACTIVE")
    joined_method: str | None = None  # CREATED | INVITED
    joined_timestamp: str | None = None
    create_date: str


class Organization(TableModel, table=True):
    __tablename__ = "organization"

    id: str = Field(primary_key=True)  # o-xxxxxxxxxx
    arn: str
    # account -> organization/org_node -> account is a cycle; use_alter tells SQLAlchemy which
    # edge to leave out when ordering tables (no warning, a stable order). SQLite has no ALTER
    # ADD CONSTRAINT, so the key is still written inside CREATE TABLE and enforced as before.
    management_account_id: str = Field(
        sa_column=Column(
            AutoString,
            ForeignKey(
                "account.account_id",
                ondelete="RESTRICT",
                use_alter=True,
                name="fk_organization_management_account",
                # Checked per statement as before, but a whole-model copy may defer it to insert
                # an organization and its management account in one transaction.
                deferrable=True,
                initially="IMMEDIATE",
            ),
            nullable=False,
        )
    )
    feature_set: str = Field(default="ALL")
    create_date: str


class OrgNode(TableModel, table=True):
    """A root (``r-…``, no parent) or an organizational unit (``ou-…``)."""

    __tablename__ = "org_node"

    id: str = Field(primary_key=True)
    organization_id: str = fk("organization.id")
    parent_id: str | None = fk("org_node.id", ondelete="RESTRICT", nullable=True)
    kind: str  # ROOT | ORGANIZATIONAL_UNIT
    name: str
    arn: str


class OrgPolicy(TableModel, table=True):
    """A service control policy or resource control policy (``p-…``)."""

    __tablename__ = "org_policy"
    __table_args__ = (UniqueConstraint("organization_id", "type", "name"),)

    id: str = Field(primary_key=True)
    organization_id: str = fk("organization.id")
    arn: str
    name: str
    description: str = Field(default="")
    type: str  # SERVICE_CONTROL_POLICY | RESOURCE_CONTROL_POLICY
    aws_managed: bool = Field(default=False)
    content: str


class OrgPolicyAttachment(TableModel, table=True):
    __tablename__ = "org_policy_attachment"
    __table_args__ = (UniqueConstraint("policy_id", "target_id"),)

    pk: int | None = Field(default=None, primary_key=True)
    policy_id: str = fk("org_policy.id", ondelete="RESTRICT")
    target_id: str = Field(index=True)  # r-…, ou-…, or an account id
