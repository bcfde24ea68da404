"""Account-wide IAM facts: get-account-summary (AWS's SummaryMap keys and default quotas) and the
account alias."""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import func, select, update

from iamdesk.services import entities
from iamdesk.services.errors import IamError
from iamdesk.services.sts_preferences import token_version
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
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)

        def count(table: Any, *where: Any) -> int:
            return int(
                session.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
            )

        users = count(User, User.account_id == account)
        in_use = count(
            MfaDevice,
            MfaDevice.account_id == account,
            MfaDevice.user_pk.is_not(None),  # type: ignore[union-attr]
        )
        versions_in_use = int(
            session.execute(
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
            ).scalar_one()
        )
        summary = {
            "Users": users,
            "Groups": count(Group, Group.account_id == account),
            "Roles": count(Role, Role.account_id == account),
            "Policies": count(ManagedPolicy, ManagedPolicy.account_id == account),
            "InstanceProfiles": count(InstanceProfile, InstanceProfile.account_id == account),
            "MFADevices": count(MfaDevice, MfaDevice.account_id == account),
            "MFADevicesInUse": in_use,
            "PolicyVersionsInUse": versions_in_use,
            "ServerCertificates": count(ServerCertificate, ServerCertificate.account_id == account),
            "Providers": 0,
            "AccountMFAEnabled": 0,
            "AccountAccessKeysPresent": 0,
            "AccountSigningCertificatesPresent": 0,
            "GlobalEndpointTokenVersion": token_version(session, account),
            **QUOTAS,
        }
    return {"SummaryMap": dict(sorted(summary.items()))}


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
