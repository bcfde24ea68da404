"""Identity providers (OIDC and SAML) and the sessions made by federation.

IAM names an OIDC provider by its URL without ``https://`` (``token.actions.githubusercontent.com``,
``oidc.eks.us-east-1.amazonaws.com/id/ABC``), which is also the prefix of the context keys a trust
policy tests (``token.actions.githubusercontent.com:sub``); a SAML provider by a name. Client IDs
and thumbprints are short lists kept as JSON text, in the order IAM returns them.
"""

from __future__ import annotations

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field

from iamdesk.store.columns import TableModel, fk, name_field


class OidcProvider(TableModel, table=True):
    __tablename__ = "oidc_provider"
    __table_args__ = (UniqueConstraint("account_id", "url"),)

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str = fk("account.account_id", ondelete="RESTRICT", index=False)
    url: str  # without https://, as IAM prints it
    arn: str = Field(unique=True)
    client_ids: str = Field(default="[]")  # JSON list
    thumbprints: str = Field(default="[]")  # JSON list of 40 hex digits each
    create_date: str


class SamlProvider(TableModel, table=True):
    __tablename__ = "saml_provider"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    pk: int | None = Field(default=None, primary_key=True)
    account_id: str = fk("account.account_id", ondelete="RESTRICT", index=False)
    name: str = name_field(128)
    arn: str = Field(unique=True)
    uuid: str  # SAMLProviderUUID
    metadata_document: str = Field(sa_column=Column(Text, nullable=False))
    entity_id: str  # the metadata's entityID: what an assertion's Issuer must be
    create_date: str
    valid_until: str


class FederatedSession(TableModel, table=True):
    """What a role session made by AssumeRoleWithWebIdentity/-WithSAML came from: the provider
    and the claims AWS keeps as the session's context (``aws:FederatedProvider``...)."""

    __tablename__ = "federated_session"

    sts_session_pk: int = Field(primary_key=True, foreign_key="sts_session.pk", ondelete="CASCADE")
    # The session's role, as on sts_session: what makes it one of the role's credentials, which
    # an import --replace keeps and an undo puts back (refresh.snapshot reads the links).
    role_pk: int = fk("iam_role.pk")
    kind: str  # "web-identity" | "saml"
    provider_arn: str
    subject: str
    audience: str
    context: str = Field(default="{}")  # JSON: the federation context keys and their values
