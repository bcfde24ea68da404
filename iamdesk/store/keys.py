"""A user's other credentials (SSH public keys, signing certificates, service-specific
credentials), the account's server certificates, and IAM's asynchronous jobs (Access Advisor
reports, service-linked role deletions) with the account's STS token preference.

Public keys and certificates are public material and kept as uploaded. A server certificate's
private key is never kept (IAM never returns it either): only its SHA-256, enough to refuse the
same upload twice. A service-specific password is kept only as a salted scrypt hash, like every
other secret of the model.
"""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from iamdesk.store.columns import TableModel, fk, name_field


class SshPublicKey(TableModel, table=True):
    __tablename__ = "ssh_public_key"

    key_id: str = Field(primary_key=True)  # APKA…
    account_id: str = fk("account.account_id", ondelete="RESTRICT", index=False)
    user_pk: int = fk("iam_user.pk", ondelete="RESTRICT")
    body: str  # as uploaded (OpenSSH or PEM)
    fingerprint: str
    status: str = Field(default="Active")
    upload_date: str


class SigningCertificate(TableModel, table=True):
    __tablename__ = "signing_certificate"

    certificate_id: str = Field(primary_key=True)
    account_id: str = fk("account.account_id", ondelete="RESTRICT", index=False)
    user_pk: int = fk("iam_user.pk", ondelete="RESTRICT")
    body: str
    status: str = Field(default="Active")
    upload_date: str


class ServiceSpecificCredential(TableModel, table=True):
    __tablename__ = "service_specific_credential"

    credential_id: str = Field(primary_key=True)  # ACCA…
    account_id: str = fk("account.account_id", ondelete="RESTRICT", index=False)
    user_pk: int = fk("iam_user.pk", ondelete="RESTRICT")
    service_name: str
    service_user_name: str | None = None  # CodeCommit / Keyspaces: NAME-at-ACCOUNT
    credential_alias: str | None = None  # Bedrock API keys
    secret_hash: str
    status: str = Field(default="Active")
    create_date: str
    expiration_date: str | None = None


class ServerCertificate(TableModel, table=True):
    __tablename__ = "server_certificate"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str = fk("account.account_id", ondelete="RESTRICT", index=False)
    name: str = name_field(128)
    path: str = Field(default="/")
    certificate_id: str = Field(unique=True)  # ASCA…
    arn: str = Field(unique=True)
    body: str
    chain: str | None = None
    private_key_sha256: str
    upload_date: str
    expiration: str


class AccessReportJob(TableModel, table=True):
    """A generated Access Advisor report: what ``generate-*`` computed, kept for ``get-*``."""

    __tablename__ = "access_report_job"

    job_id: str = Field(primary_key=True)  # a UUID, as IAM's
    account_id: str = fk("account.account_id", ondelete="CASCADE")
    kind: str  # service | organizations
    arn: str  # the user, group, role or policy; for organizations the entity path
    granularity: str = Field(default="SERVICE_LEVEL")
    created: str
    completed: str
    result: str  # JSON: the report's rows


class RoleDeletionTask(TableModel, table=True):
    """A delete-service-linked-role request and its outcome."""

    __tablename__ = "role_deletion_task"

    task_id: str = Field(primary_key=True)  # task/aws-service-role/SERVICE/ROLE/UUID
    account_id: str = fk("account.account_id", ondelete="CASCADE")
    role_name: str
    status: str  # SUCCEEDED | FAILED
    reason: str | None = None  # JSON: the DeletionTaskFailureReasonType when it failed
    created: str


class StsPreference(TableModel, table=True):
    """SetSecurityTokenServicePreferences: which token the global STS endpoint issues."""

    __tablename__ = "sts_preference"

    account_id: str = Field(primary_key=True, foreign_key="account.account_id", ondelete="CASCADE")
    global_endpoint_token_version: int = Field(default=1)
