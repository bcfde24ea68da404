"""Credentials: access keys, virtual MFA devices, console passwords, the account password policy,
STS sessions and the stored credential report.

Secrets are never kept in clear: access-key secrets, session secrets/tokens and passwords are
stored as salted scrypt hashes (``iamdesk.store.secrets``). The one exception is the TOTP seed of
an MFA device, which must stay readable to verify codes, exactly as AWS keeps it server-side.
"""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from iamdesk.store.columns import TableModel, fk, name_field


class AccessKey(TableModel, table=True):
    __tablename__ = "access_key"

    access_key_id: str = Field(primary_key=True)  # AKIA…
    account_id: str = fk("account.account_id", ondelete="RESTRICT")
    user_pk: int = fk("iam_user.pk", ondelete="RESTRICT")
    secret_hash: str
    status: str = Field(default="Active")  # Active | Inactive
    create_date: str
    last_used_date: str | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None


class MfaDevice(TableModel, table=True):
    """A virtual MFA device; ``user_pk`` is set while it is enabled for (assigned to) a user."""

    __tablename__ = "mfa_device"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str = fk("account.account_id", ondelete="RESTRICT", index=False)
    name: str = name_field(226)
    path: str = Field(default="/")
    serial_number: str = Field(unique=True)  # arn:aws:iam::ACCOUNT:mfa/PATH/NAME
    seed: str  # Base32 TOTP secret
    create_date: str
    user_pk: int | None = fk("iam_user.pk", ondelete="RESTRICT", nullable=True)
    enable_date: str | None = None
    # The last TOTP time step accepted, so a code cannot be replayed.
    last_counter: int | None = None


class LoginProfile(TableModel, table=True):
    __tablename__ = "login_profile"

    user_pk: int = Field(primary_key=True, foreign_key="iam_user.pk", ondelete="RESTRICT")
    password_hash: str
    create_date: str
    password_reset_required: bool = Field(default=False)
    password_last_changed: str


class PasswordHistory(TableModel, table=True):
    """Earlier password hashes, for the password policy's ``PasswordReusePrevention``."""

    __tablename__ = "password_history"

    pk: int | None = Field(default=None, primary_key=True)
    user_pk: int = fk("iam_user.pk")
    password_hash: str
    create_date: str


class PasswordPolicy(TableModel, table=True):
    """The account password policy; no row means the account has none (AWS's default rules)."""

    __tablename__ = "password_policy"

    account_id: str = Field(primary_key=True, foreign_key="account.account_id", ondelete="CASCADE")
    minimum_password_length: int = Field(default=8)
    require_symbols: bool = Field(default=False)
    require_numbers: bool = Field(default=False)
    require_uppercase_characters: bool = Field(default=False)
    require_lowercase_characters: bool = Field(default=False)
    allow_users_to_change_password: bool = Field(default=False)
    max_password_age: int | None = None
    password_reuse_prevention: int | None = None
    hard_expiry: bool = Field(default=False)


class StsSession(TableModel, table=True):
    """A role session made by assume-role; usable as a principal in simulations."""

    __tablename__ = "sts_session"

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str = fk("account.account_id", ondelete="RESTRICT")
    role_pk: int = fk("iam_role.pk")
    session_name: str
    access_key_id: str = Field(unique=True)  # ASIA…
    secret_hash: str
    token_hash: str
    assumed_role_id: str  # AROA…:session-name
    arn: str = Field(index=True)  # arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
    caller_arn: str | None = None
    source_identity: str | None = None
    session_policy: str | None = None  # inline session policy text
    policy_arns: str = Field(default="[]")  # JSON list of managed session policy ARNs
    session_tags: str = Field(default="[]")  # JSON list of {"Key","Value"}
    transitive_tag_keys: str = Field(default="[]")  # JSON list
    mfa_authenticated: bool = Field(default=False)
    mfa_serial: str | None = None
    source_ip: str | None = None
    create_date: str
    expiration: str


class UserSession(TableModel, table=True):
    """A session of an IAM user: GetSessionToken (it acts as the user, with MFA if a code was
    given) or GetFederationToken (a federated user ``arn:aws:sts::ACCOUNT:federated-user/NAME``
    whose permissions are the user's intersected with the session policies passed)."""

    __tablename__ = "user_session"

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str = fk("account.account_id", ondelete="RESTRICT")
    user_pk: int = fk("iam_user.pk")
    kind: str  # session-token | federation
    federated_name: str | None = None
    arn: str = Field(index=True)  # the user's ARN, or the federated user's
    access_key_id: str = Field(unique=True)  # ASIA…
    secret_hash: str
    token_hash: str
    session_policy: str | None = None
    policy_arns: str = Field(default="[]")
    session_tags: str = Field(default="[]")
    mfa_authenticated: bool = Field(default=False)
    mfa_serial: str | None = None
    create_date: str
    expiration: str


class CredentialReport(TableModel, table=True):
    __tablename__ = "credential_report"

    account_id: str = Field(primary_key=True, foreign_key="account.account_id", ondelete="CASCADE")
    generated_time: str
    content: str  # CSV text as AWS produces it
