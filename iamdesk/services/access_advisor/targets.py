"""What an Access Advisor report is about: the user, group, role or managed policy an ARN
names, the policies that may grant it services, and the users and roles whose use counts (a
group's members; a policy's users and roles, directly or through a group)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.services import entities
from iamdesk.services.errors import IamError
from iamdesk.store.tables import (
    Group,
    GroupMembership,
    InlinePolicy,
    ManagedPolicy,
    PolicyAttachment,
    PolicyVersion,
    Role,
    User,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GrantingPolicy:
    name: str
    policy_type: str  # INLINE | MANAGED
    arn: str | None
    entity_type: str | None  # USER | GROUP | ROLE, for inline policies
    entity_name: str | None
    text: str

    def to_aws(self) -> dict[str, Any]:
        out: dict[str, Any] = {"PolicyName": self.name, "PolicyType": self.policy_type}
        if self.arn:
            out["PolicyArn"] = self.arn
        if self.entity_type:
            out["EntityType"] = self.entity_type
            out["EntityName"] = self.entity_name
        return out


@dataclass(frozen=True)
class Target:
    """What a report is about: its policies and the principals whose use counts."""

    arn: str
    kind: str  # user | group | role | policy
    policies: list[GrantingPolicy]
    principals: list[tuple[str, str, str, str, str]]  # (arn, name, USER|ROLE, id, path)


def _default_document(session: Session, policy_pk: int) -> str:
    return str(
        session.scalars(
            select(PolicyVersion.document).where(
                PolicyVersion.policy_pk == policy_pk,
                PolicyVersion.is_default == True,  # noqa: E712
            )
        ).first()
        or "{}"
    )


def _owned_policies(
    session: Session, column: str, pk: int, entity_type: str, entity_name: str
) -> list[GrantingPolicy]:
    out = [
        GrantingPolicy(row.name, "INLINE", None, entity_type, entity_name, row.document)
        for row in session.scalars(
            select(InlinePolicy)
            .where(getattr(InlinePolicy, column) == pk)
            .order_by(InlinePolicy.name)
        )
    ]
    for policy in session.scalars(
        select(ManagedPolicy)
        .join(PolicyAttachment, PolicyAttachment.policy_pk == ManagedPolicy.pk)
        .where(getattr(PolicyAttachment, column) == pk)
        .order_by(ManagedPolicy.name)
    ):
        out.append(
            GrantingPolicy(
                policy.name,
                "MANAGED",
                policy.arn,
                None,
                None,
                _default_document(session, int(policy.pk or 0)),
            )
        )
    return out


def _user_row(user: User) -> tuple[str, str, str, str, str]:
    return (user.arn, user.name, "USER", user.user_id, user.path)


def _role_row(role: Role) -> tuple[str, str, str, str, str]:
    return (role.arn, role.name, "ROLE", role.role_id, role.path)


def _groups_of(session: Session, user: User) -> list[Group]:
    return list(
        session.scalars(
            select(Group)
            .join(GroupMembership, GroupMembership.group_pk == Group.pk)
            .where(GroupMembership.user_pk == user.pk)
            .order_by(Group.name)
        )
    )


def _members(session: Session, group: Group) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(GroupMembership, GroupMembership.user_pk == User.pk)
            .where(GroupMembership.group_pk == group.pk)
            .order_by(User.name)
        )
    )


def target(session: Session, account: str, arn: str) -> Target:
    """The user, group, role or managed policy named by ``arn`` (IAM's NoSuchEntity else)."""
    resource = arn.split(":", 5)[-1] if arn.count(":") >= 5 else ""
    kind = resource.partition("/")[0]
    if kind == "user":
        user = session.scalars(select(User).where(User.arn == arn)).first()
        if user is None:
            raise IamError("NoSuchEntity", f"The user with ARN {arn} cannot be found.")
        policies = _owned_policies(session, "user_pk", int(user.pk or 0), "USER", user.name)
        for group in _groups_of(session, user):
            policies += _owned_policies(
                session, "group_pk", int(group.pk or 0), "GROUP", group.name
            )
        return Target(arn, "user", policies, [_user_row(user)])
    if kind == "role":
        role = session.scalars(select(Role).where(Role.arn == arn)).first()
        if role is None:
            raise IamError("NoSuchEntity", f"The role with ARN {arn} cannot be found.")
        policies = _owned_policies(session, "role_pk", int(role.pk or 0), "ROLE", role.name)
        return Target(arn, "role", policies, [_role_row(role)])
    if kind == "group":
        group = session.scalars(select(Group).where(Group.arn == arn)).first()
        if group is None:
            raise IamError("NoSuchEntity", f"The group with ARN {arn} cannot be found.")
        policies = _owned_policies(session, "group_pk", int(group.pk or 0), "GROUP", group.name)
        return Target(arn, "group", policies, [_user_row(u) for u in _members(session, group)])
    if kind == "policy":
        policy = entities.find_policy(session, account, arn)
        if policy is None:
            raise IamError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")
        granting = GrantingPolicy(
            policy.name,
            "MANAGED",
            policy.arn,
            None,
            None,
            _default_document(session, int(policy.pk or 0)),
        )
        principals: dict[str, tuple[str, str, str, str, str]] = {}
        for attachment in session.scalars(
            select(PolicyAttachment).where(PolicyAttachment.policy_pk == policy.pk)
        ):
            if attachment.user_pk:
                user = session.get(User, attachment.user_pk)
                if user is not None and user.account_id == account:
                    principals[user.arn] = _user_row(user)
            elif attachment.role_pk:
                role = session.get(Role, attachment.role_pk)
                if role is not None and role.account_id == account:
                    principals[role.arn] = _role_row(role)
            elif attachment.group_pk:
                group = session.get(Group, attachment.group_pk)
                if group is not None and group.account_id == account:
                    for user in _members(session, group):
                        principals[user.arn] = _user_row(user)
        return Target(arn, "policy", [granting], sorted(principals.values()))
    raise IamError("InvalidInput", f"ARN {arn[:300]} is not a user, group, role or policy ARN.")
