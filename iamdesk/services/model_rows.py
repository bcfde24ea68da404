"""The whole model read at once, as plain rows, for account-wide analysis.

Simulating one principal reads a dozen rows; asking who of 10,000 principals can do something
must not read 120,000. ``read_model`` reads every table an analysis needs in one read transaction
with one query per table, and hands back plain frozen dataclasses (no sessions, no lazy loads),
so ``iamdesk.analysis`` can compile and index them without touching the database again.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session, col

from iamdesk.services import organizations
from iamdesk.services.organizations.policies import policy_levels
from iamdesk.services.principal_policies import session_policy_text
from iamdesk.store.db import Database
from iamdesk.store.tables import (
    AccessKey,
    Account,
    FederatedSession,
    Group,
    GroupMembership,
    InlinePolicy,
    LoginProfile,
    ManagedPolicy,
    MfaDevice,
    PolicyAttachment,
    PolicyVersion,
    Resource,
    Role,
    StsSession,
    Tag,
    User,
    UserSession,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OrgPolicyRow:
    policy_id: str
    name: str
    content: str


@dataclass(frozen=True)
class AccountRow:
    account_id: str
    name: str
    organization_id: str | None
    org_path: str | None  # aws:PrincipalOrgPaths' value
    scps: tuple[tuple[OrgPolicyRow, ...], ...]  # levels, root first; () outside an organization
    rcps: tuple[tuple[OrgPolicyRow, ...], ...]


@dataclass(frozen=True)
class ManagedPolicyRow:
    pk: int
    arn: str
    name: str
    account_id: str | None
    aws_managed: bool
    document: str  # the default version's text


@dataclass(frozen=True)
class InlineRow:
    name: str
    document: str


@dataclass(frozen=True)
class KeyRow:
    access_key_id: str
    status: str
    create_date: str
    last_used_date: str | None
    last_used_service: str | None


@dataclass
class PrincipalRow:
    """A user, group or role with what hangs off it. ``kind``: user | group | role."""

    kind: str
    pk: int
    account_id: str
    name: str
    path: str
    arn: str
    entity_id: str
    create_date: str
    inline: list[InlineRow] = field(default_factory=list)
    attached: list[int] = field(default_factory=list)  # managed policy pks, attachment order
    groups: list[int] = field(default_factory=list)  # users: group pks, membership order
    boundary_pk: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    # users
    password_last_used: str | None = None
    login_profile_date: str | None = None
    mfa_devices: int = 0
    keys: list[KeyRow] = field(default_factory=list)
    # roles
    trust_policy: str | None = None
    last_used_date: str | None = None
    service_linked: bool = False


@dataclass(frozen=True)
class SessionRow:
    arn: str
    account_id: str
    role_pk: int
    session_name: str
    assumed_role_id: str
    session_policy: str | None  # one document: inline and managed session policies together
    mfa: bool
    source_identity: str | None
    tags: tuple[tuple[str, str], ...]
    create_date: str
    expiration: str
    federated_provider: str | None = None  # a web-identity or SAML session's provider ARN


@dataclass(frozen=True)
class UserSessionRow:
    """A user's session: get-session-token's (``federated_name`` None: it acts as the user,
    named by its ASIA key) or get-federation-token's (a federated user, named by its ARN)."""

    arn: str  # the user's ARN, or the federated user's
    access_key_id: str
    account_id: str
    user_pk: int
    federated_name: str | None
    session_policy: str | None  # one document: inline and managed session policies together
    mfa: bool
    tags: tuple[tuple[str, str], ...]
    create_date: str
    expiration: str


@dataclass(frozen=True)
class ResourceRow:
    arn: str
    account_id: str
    service: str
    resource_type: str
    name: str
    region: str | None
    policy: str | None
    attributes: str


@dataclass
class ModelRows:
    accounts: dict[str, AccountRow]
    policies: dict[int, ManagedPolicyRow]
    users: list[PrincipalRow]
    groups: dict[int, PrincipalRow]
    roles: list[PrincipalRow]
    sessions: list[SessionRow]
    resources: list[ResourceRow]
    now: str
    user_sessions: list[UserSessionRow] = field(default_factory=list)


def read_model(db: Database) -> ModelRows:
    with db.read() as session:
        return _read(session, db.now())


def _read(session: Session, now: str) -> ModelRows:
    accounts = {a.account_id: _account(session, a) for a in session.scalars(select(Account))}
    policies = {
        pk: ManagedPolicyRow(pk, arn, name, account, aws, text)
        for pk, arn, name, account, aws, text in session.execute(
            select(
                ManagedPolicy.pk,
                ManagedPolicy.arn,
                ManagedPolicy.name,
                ManagedPolicy.account_id,
                ManagedPolicy.aws_managed,
                PolicyVersion.document,
            )
            .join(PolicyVersion, col(PolicyVersion.policy_pk) == col(ManagedPolicy.pk))
            .where(col(PolicyVersion.is_default).is_(True))
        )
    }
    users = {
        u.pk: PrincipalRow(
            "user",
            u.pk,
            u.account_id,
            u.name,
            u.path,
            u.arn,
            u.user_id,
            u.create_date,
            boundary_pk=u.permissions_boundary_pk,
            password_last_used=u.password_last_used,
        )
        for u in session.scalars(select(User).order_by(col(User.pk)))
        if u.pk is not None
    }
    groups = {
        g.pk: PrincipalRow(
            "group", g.pk, g.account_id, g.name, g.path, g.arn, g.group_id, g.create_date
        )
        for g in session.scalars(select(Group).order_by(col(Group.pk)))
        if g.pk is not None
    }
    roles = {
        r.pk: PrincipalRow(
            "role",
            r.pk,
            r.account_id,
            r.name,
            r.path,
            r.arn,
            r.role_id,
            r.create_date,
            boundary_pk=r.permissions_boundary_pk,
            trust_policy=r.assume_role_policy,
            last_used_date=r.last_used_date,
            service_linked=r.service_linked,
        )
        for r in session.scalars(select(Role).order_by(col(Role.pk)))
        if r.pk is not None
    }
    owners = {"user": users, "group": groups, "role": roles}
    for row in session.scalars(select(InlinePolicy).order_by(col(InlinePolicy.pk))):
        owner = _owner(owners, row.user_pk, row.group_pk, row.role_pk)
        if owner is not None:
            owner.inline.append(InlineRow(row.name, row.document))
    for att in session.scalars(select(PolicyAttachment).order_by(col(PolicyAttachment.pk))):
        owner = _owner(owners, att.user_pk, att.group_pk, att.role_pk)
        if owner is not None:
            owner.attached.append(att.policy_pk)
    for m in session.scalars(select(GroupMembership).order_by(col(GroupMembership.pk))):
        if m.user_pk in users:
            users[m.user_pk].groups.append(m.group_pk)
    for tag in session.scalars(
        select(Tag).where(col(Tag.entity_type).in_(("user", "role"))).order_by(col(Tag.pk))
    ):
        found = owners[tag.entity_type].get(tag.entity_pk)
        if found is not None:
            found.tags[tag.key] = tag.value
    for profile in session.scalars(select(LoginProfile)):
        if profile.user_pk in users:
            users[profile.user_pk].login_profile_date = profile.create_date
    mfa: dict[int, int] = defaultdict(int)
    for user_pk in session.scalars(select(MfaDevice.user_pk)):
        if user_pk is not None:
            mfa[user_pk] += 1
    for user_pk, count in mfa.items():
        if user_pk in users:
            users[user_pk].mfa_devices = count
    for key in session.scalars(select(AccessKey).order_by(col(AccessKey.create_date))):
        if key.user_pk in users:
            users[key.user_pk].keys.append(
                KeyRow(
                    key.access_key_id,
                    key.status,
                    key.create_date,
                    key.last_used_date,
                    key.last_used_service,
                )
            )
    sessions = _sessions(session, roles, now)
    resources = [
        ResourceRow(
            r.arn,
            r.account_id,
            r.service,
            r.resource_type,
            r.name,
            r.region,
            r.policy,
            r.attributes,
        )
        for r in session.scalars(select(Resource).order_by(col(Resource.pk)))
    ]
    return ModelRows(
        accounts,
        policies,
        list(users.values()),
        groups,
        list(roles.values()),
        sessions,
        resources,
        now,
        _user_sessions(session, users, now),
    )


def _owner(
    owners: dict[str, dict[int, PrincipalRow]],
    user_pk: int | None,
    group_pk: int | None,
    role_pk: int | None,
) -> PrincipalRow | None:
    if user_pk is not None:
        return owners["user"].get(user_pk)
    if group_pk is not None:
        return owners["group"].get(group_pk)
    if role_pk is not None:
        return owners["role"].get(role_pk)
    return None


def _account(session: Session, account: Account) -> AccountRow:
    org = organizations.organization_path(session, account.account_id)

    def levels(kind: str) -> tuple[tuple[OrgPolicyRow, ...], ...]:
        return tuple(
            tuple(OrgPolicyRow(p.id, p.name, p.content) for p in level)
            for level in policy_levels(session, account.account_id, kind)
        )

    return AccountRow(
        account.account_id,
        account.alias or account.name,
        org[0] if org else None,
        org[1] if org else None,
        levels("SERVICE_CONTROL_POLICY"),
        levels("RESOURCE_CONTROL_POLICY"),
    )


def _sessions(session: Session, roles: dict[int, PrincipalRow], now: str) -> list[SessionRow]:
    """The unexpired role sessions, the latest per session ARN (as simulation picks)."""
    latest: dict[str, StsSession] = {}
    for sts in session.scalars(select(StsSession).order_by(col(StsSession.pk))):
        if sts.role_pk in roles and sts.expiration > now:
            latest[sts.arn] = sts
    providers: dict[int | None, str] = {
        pk: arn
        for pk, arn in session.execute(
            select(FederatedSession.sts_session_pk, FederatedSession.provider_arn)
        ).all()
    }
    rows = []
    for sts in latest.values():
        rows.append(
            SessionRow(
                sts.arn,
                sts.account_id,
                sts.role_pk,
                sts.session_name,
                sts.assumed_role_id,
                session_policy_text(session, sts.session_policy, json.loads(sts.policy_arns)),
                sts.mfa_authenticated,
                sts.source_identity,
                tuple((t["Key"], t["Value"]) for t in json.loads(sts.session_tags or "[]")),
                sts.create_date,
                sts.expiration,
                providers.get(sts.pk),
            )
        )
    return rows


def _user_sessions(
    session: Session, users: dict[int, PrincipalRow], now: str
) -> list[UserSessionRow]:
    """The unexpired sessions of users: every get-session-token session (each is its own
    credentials, with or without MFA) and the latest federated user per ARN (as simulation
    picks)."""
    latest: dict[str, UserSession] = {}
    for row in session.scalars(select(UserSession).order_by(col(UserSession.pk))):
        if row.user_pk in users and row.expiration > now:
            latest[row.arn if row.federated_name is not None else row.access_key_id] = row
    return [
        UserSessionRow(
            row.arn,
            row.access_key_id,
            row.account_id,
            row.user_pk,
            row.federated_name,
            session_policy_text(session, row.session_policy, json.loads(row.policy_arns)),
            row.mfa_authenticated,
            tuple((t["Key"], t["Value"]) for t in json.loads(row.session_tags or "[]")),
            row.create_date,
            row.expiration,
        )
        for row in latest.values()
    ]
