"""Resources that carry resource-based policies, and saved test-access scenarios.

One table for every service (S3 buckets, Lambda functions, KMS keys, SQS queues, SNS topics,
Secrets Manager secrets): they differ only in their ARN shape and a few attributes, which live
in ``attributes`` as JSON so a new service needs no migration.
"""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from iamdesk.store.columns import TableModel, fk


class Resource(TableModel, table=True):
    __tablename__ = "resource"
    __table_args__ = (UniqueConstraint("account_id", "service", "resource_type", "name"),)

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str = fk("account.account_id", ondelete="RESTRICT", index=False)
    service: str  # s3 | lambda | kms | sqs | sns | secretsmanager
    resource_type: str  # bucket | function | key | queue | topic | secret
    name: str  # bucket name, function name, key id, queue name, topic name, secret name
    arn: str = Field(unique=True)
    region: str | None = None  # None for S3 buckets' ARNs (global)
    policy: str | None = None  # the resource-based policy document text
    attributes: str = Field(default="{}")  # JSON object of service-specific attributes
    create_date: str


class Scenario(TableModel, table=True):
    """A named access question with its expected answer, listed by the test-access panel."""

    __tablename__ = "scenario"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str = fk("account.account_id", index=False)
    name: str
    description: str = Field(default="")
    principal_arn: str
    action: str
    resource_arn: str = Field(default="*")
    context: str = Field(default="{}")  # JSON object: key -> value or list of values
    expected: str | None = None  # allowed | explicitDeny | implicitDeny
