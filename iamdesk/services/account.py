"""Account-wide IAM facts: get-account-summary (AWS's SummaryMap keys and default quotas) and the
account alias."""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from sqlalchemy import Select, bindparam, func, select, update

from iamdesk.services import entities
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database
from iamdesk.store.tables import (
    Account,
    Group,
    InstanceProfile,
    ManagedPolicy,
    MfaDevice,
    PolicyAttachment,
    Role,
    ServerCertificate,
    StsPreference,
    User,
)

log = logging.getLogger(__name__)

# IAM's default quotas, as get-account-summary reports them.
QUOTAS = {
    "UsersQuota": 5000,
    "GroupsQuota": 300,
    "RolesQuota": 1000,
    "PoliciesQuota": 1500,
    "InstanceProfilesQuota": 1000,
    "ServerCertificatesQuota": 20,
    "GroupsPerUserQuota": 10,
    "AttachedPoliciesPerUserQuota": 10,
    "AttachedPoliciesPerGroupQuota": 10,
    "AttachedPoliciesPerRoleQuota": 10,
    "AccessKeysPerUserQuota": 2,
    "SigningCertificatesPerUserQuota": 2,
    "VersionsPerPolicyQuota": 5,
    "PolicyVersionsInUseQuota": 10000,
    "PolicySizeQuota": 6144,
    "UserPolicySizeQuota": 2048,
    "GroupPolicySizeQuota": 5120,
    "RolePolicySizeQuota": 10240,
    "AssumeRolePolicySizeQuota": 2048,
}
_ALIAS_RE = re.compile(r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$")


def get_account_summary(db: Database, account_id: str | None) -> dict[str, Any]:
    """AWS's SummaryMap: one statement reads every count (the dashboard asks on every start)."""
    with db.read() as session:
        row = (
            session.execute(_summary_statement(account_id is None), {"account": account_id})
            .mappings()
            .first()
        )
    if row is None:
        if account_id is None:
            raise IamError("NoSuchEntity", "The model has no default account.")
        raise IamError("NoSuchEntity", f"The account with id {account_id} cannot be found.")
    summary = {key: int(value) for key, value in row.items() if key != "AccountId"}
    summary.update(
        Providers=0,
        AccountMFAEnabled=0,
        AccountAccessKeysPresent=0,
        AccountSigningCertificatesPresent=0,
        **QUOTAS,
    )
    return {"SummaryMap": dict(sorted(summary.items()))}


@functools.cache
def _summary_statement(default_account: bool) -> Select[Any]:
    """The account's row with each count as a correlated subquery: built and compiled once per
    process (SQLAlchemy caches the compiled form by the statement's shape), the account a bound
    parameter; ``default_account``: the model's default account instead of ``:account``."""
    account = Account.account_id

    def count(table: Any, *where: Any) -> Any:
        return select(func.count()).select_from(table).where(*where).scalar_subquery()

    versions_in_use = (
        select(func.count())
        .select_from(PolicyAttachment)
        .join(ManagedPolicy, ManagedPolicy.pk == PolicyAttachment.policy_pk)
        .outerjoin(User, User.pk == PolicyAttachment.user_pk)
        .outerjoin(Group, Group.pk == PolicyAttachment.group_pk)
        .outerjoin(Role, Role.pk == PolicyAttachment.role_pk)
        .where(
            (User.account_id == account)
            | (Group.account_id == account)
            | (Role.account_id == account)
        )
        .scalar_subquery()
    )
    token_version = (
        select(StsPreference.global_endpoint_token_version)
        .where(StsPreference.account_id == account)
        .scalar_subquery()
    )
    statement = select(
        account.label("AccountId"),
        count(User, User.account_id == account).label("Users"),
        count(Group, Group.account_id == account).label("Groups"),
        count(Role, Role.account_id == account).label("Roles"),
        count(ManagedPolicy, ManagedPolicy.account_id == account).label("Policies"),
        count(InstanceProfile, InstanceProfile.account_id == account).label("InstanceProfiles"),
        count(MfaDevice, MfaDevice.account_id == account).label("MFADevices"),
        count(
            MfaDevice,
            MfaDevice.account_id == account,
            MfaDevice.user_pk.is_not(None),  # type: ignore[union-attr]
        ).label("MFADevicesInUse"),
        versions_in_use.label("PolicyVersionsInUse"),
        count(ServerCertificate, ServerCertificate.account_id == account).label(
            "ServerCertificates"
        ),
        func.coalesce(token_version, 1).label("GlobalEndpointTokenVersion"),
    )
    if default_account:
        return statement.where(Account.is_default == True)  # noqa: E712
    return statement.where(account == bindparam("account"))


def create_account_alias(
    db: Database, account_id: str | None, account_alias: str
) -> dict[str, Any]:
    if not isinstance(account_alias, str) or not _ALIAS_RE.match(account_alias):
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value '{account_alias}' at 'accountAlias' failed to"
            " satisfy constraint: Member must satisfy regular expression pattern:"
            " ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
        )
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        owner = session.execute(
            select(Account.account_id).where(Account.alias == account_alias)
        ).scalar()
        if owner is not None and owner != account:
            raise IamError(
                "EntityAlreadyExists", f"The account alias {account_alias} already exists."
            )
        before = session.get(Account, account).alias  # type: ignore[union-attr]
        session.execute(
            update(Account).where(Account.account_id == account).values(alias=account_alias)
        )
        entities.record(
            session,
            db,
            account,
            "CreateAccountAlias",
            "account",
            account,
            before={"AccountAlias": before} if before else None,
            after={"AccountAlias": account_alias},
        )
    return {}


def list_account_aliases(db: Database, account_id: str | None) -> dict[str, Any]:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        alias = session.get(Account, account).alias  # type: ignore[union-attr]
    return {"AccountAliases": [alias] if alias else [], "IsTruncated": False}


def delete_account_alias(
    db: Database, account_id: str | None, account_alias: str
) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        current = session.get(Account, account).alias  # type: ignore[union-attr]
        if current != account_alias:
            raise IamError("NoSuchEntity", f"The account alias {account_alias} cannot be found.")
        session.execute(update(Account).where(Account.account_id == account).values(alias=None))
        entities.record(
            session,
            db,
            account,
            "DeleteAccountAlias",
            "account",
            account,
            before={"AccountAlias": account_alias},
        )
    return {}
