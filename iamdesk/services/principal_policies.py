"""What applies to a modelled principal: its identity policies (inline, attached, and its
groups'), its permissions boundary, an assumed-role session's session policy, and the request
context keys AWS fills from the principal (user name and id, principal ARN and type, principal
tags, MFA state of a session). ``simulate`` adds the organization and the resource's side.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.core import jsontext
from iamdesk.core.evaluator import CompiledPolicy, PolicyRef, Principal, compile_policy
from iamdesk.core.policy.document import PolicyParseError
from iamdesk.services.errors import IamError, invalid_input, malformed_policy, no_such_entity
from iamdesk.store.tables import (
    FederatedSession,
    Group,
    GroupMembership,
    InlinePolicy,
    ManagedPolicy,
    PolicyAttachment,
    PolicyVersion,
    Role,
    StsSession,
    Tag,
    User,
    UserSession,
)

log = logging.getLogger(__name__)

GROUP_MEMBER_PATH = "/group-member/"


@functools.lru_cache(maxsize=4096)
def compiled(text: str) -> CompiledPolicy:
    """Compile a document once per distinct text (stored documents rarely change)."""
    return compile_policy(text)


@dataclass(frozen=True)
class InvolvedPolicy:
    """A policy that took part, so the GUI can show and highlight it by ``label``."""

    label: str
    name: str
    policy_type: str  # AWS's SourcePolicyType: user, group, role, aws-managed, user-managed, ...
    text: str


@dataclass
class GatheredPrincipal:
    principal: Principal
    account_id: str
    identity: list[PolicyRef] = field(default_factory=list)
    boundary: PolicyRef | None = None
    session_policy: PolicyRef | None = None
    context: dict[str, Any] = field(default_factory=dict)
    involved: dict[str, InvolvedPolicy] = field(default_factory=dict)
    mfa_issued: datetime | None = None  # an MFA session's start: its MultiFactorAuthAge

    def copy(self) -> GatheredPrincipal:
        """A copy a simulation may add to without touching the cached original."""
        return replace(
            self,
            identity=list(self.identity),
            context=dict(self.context),
            involved=dict(self.involved),
        )

    def add(self, label: str, name: str, policy_type: str, text: str) -> PolicyRef:
        try:
            ref = PolicyRef(label, compiled(text), name)
        except PolicyParseError as exc:
            raise malformed_policy(f"Policy {name} is not valid: {exc}") from None
        self.involved[label] = InvolvedPolicy(label, name, policy_type, text)
        return ref


def _default_text(session: Session, policy_pk: int) -> tuple[ManagedPolicy, str]:
    row = session.execute(
        select(ManagedPolicy, PolicyVersion.document)
        .join(PolicyVersion, PolicyVersion.policy_pk == ManagedPolicy.pk)
        .where(ManagedPolicy.pk == policy_pk, PolicyVersion.is_default == True)  # noqa: E712
    ).one()
    return row[0], row[1]


def _identity_policies(
    session: Session, found: GatheredPrincipal, owner: str, pks: Sequence[int]
) -> None:
    """Inline then attached policies of users/groups/roles with these pks (``owner`` column)."""
    column = getattr(InlinePolicy, f"{owner}_pk")
    for row in session.scalars(
        select(InlinePolicy).where(column.in_(pks)).order_by(InlinePolicy.pk)
    ):
        label = f"identity[{len(found.identity)}]"
        found.identity.append(found.add(label, row.name, owner, row.document))
    attach_column = getattr(PolicyAttachment, f"{owner}_pk")
    rows = session.execute(
        select(ManagedPolicy.name, ManagedPolicy.aws_managed, PolicyVersion.document)
        .join(PolicyAttachment, PolicyAttachment.policy_pk == ManagedPolicy.pk)
        .join(PolicyVersion, PolicyVersion.policy_pk == ManagedPolicy.pk)
        .where(attach_column.in_(pks), PolicyVersion.is_default == True)  # noqa: E712
        .order_by(PolicyAttachment.pk)
    )
    for name, aws_managed, text in rows:
        label = f"identity[{len(found.identity)}]"
        kind = "aws-managed" if aws_managed else "user-managed"
        found.identity.append(found.add(label, name, kind, text))


def _boundary(session: Session, found: GatheredPrincipal, policy_pk: int | None) -> None:
    if policy_pk is not None:
        policy, text = _default_text(session, policy_pk)
        found.boundary = found.add(
            "permissions_boundary", policy.name, "permissions-boundary", text
        )


def session_policy_text(session: Session, inline: str | None, arns: Sequence[str]) -> str | None:
    """One document for a session's policies: the inline policy as given, or, with managed
    session policies (``--policy-arns``), every statement of all of them. Session policies are
    unioned among themselves before they cap the role, so one document means the same."""
    if not arns:
        return inline
    statements: list[Any] = []
    for text in ([inline] if inline else []) + [_text_of_arn(session, arn) for arn in arns]:
        body = jsontext.loads(text).get("Statement", [])
        statements.extend(body if isinstance(body, list) else [body])
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=4)


def _text_of_arn(session: Session, arn: str) -> str:
    # assume_role materialized AWS managed ones when it recorded the session.
    pk = session.scalars(select(ManagedPolicy.pk).where(ManagedPolicy.arn == arn)).first()
    if pk is None:
        raise IamError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")
    return _default_text(session, pk)[1]


def _tags(session: Session, entity_type: str, pk: int) -> dict[str, str]:
    rows = session.execute(
        select(Tag.key, Tag.value).where(Tag.entity_type == entity_type, Tag.entity_pk == pk)
    )
    return {key: value for key, value in rows}


def _gather_user(session: Session, user: User) -> GatheredPrincipal:
    found = GatheredPrincipal(Principal(user.arn, user.account_id), user.account_id)
    assert user.pk is not None
    _identity_policies(session, found, "user", [user.pk])
    groups = list(
        session.scalars(
            select(GroupMembership.group_pk)
            .where(GroupMembership.user_pk == user.pk)
            .order_by(GroupMembership.pk)
        )
    )
    if groups:
        _identity_policies(session, found, "group", groups)
    _boundary(session, found, user.permissions_boundary_pk)
    found.context.update(
        {
            "aws:username": user.name,
            "aws:userid": user.user_id,
            "aws:PrincipalArn": user.arn,
            "aws:PrincipalType": "User",
        }
    )
    for key, value in _tags(session, "user", user.pk).items():
        found.context[f"aws:PrincipalTag/{key}"] = value
    return found


def group_member_arn(group: Group) -> str:
    """The stand-in principal of a group simulation: a user who belongs to that group only."""
    return f"arn:aws:iam::{group.account_id}:user{GROUP_MEMBER_PATH}{group.name}"


def _gather_group(session: Session, group: Group) -> GatheredPrincipal:
    """A group's policies, as AWS simulates a group: the request of a member with no policies of
    its own (the evaluator needs an IAM principal; see ``group_member_arn``)."""
    member = group_member_arn(group)
    found = GatheredPrincipal(Principal(member, group.account_id), group.account_id)
    assert group.pk is not None
    _identity_policies(session, found, "group", [group.pk])
    found.context.update(
        {"aws:PrincipalArn": member, "aws:PrincipalType": "User", "aws:username": group.name}
    )
    return found


def _gather_role(session: Session, role: Role, arn: str | None = None) -> GatheredPrincipal:
    found = GatheredPrincipal(Principal(arn or role.arn, role.account_id), role.account_id)
    assert role.pk is not None
    _identity_policies(session, found, "role", [role.pk])
    _boundary(session, found, role.permissions_boundary_pk)
    found.context.update(
        {
            "aws:PrincipalArn": role.arn,
            "aws:userid": role.role_id,
            "aws:PrincipalType": "AssumedRole",
        }
    )
    for key, value in _tags(session, "role", role.pk).items():
        found.context[f"aws:PrincipalTag/{key}"] = value
    return found


def session_tags_win(context: dict[str, Any], tags: Iterable[tuple[str, str]]) -> None:
    """A session tag replaces the role's or user's tag of the same key, in any case (tag keys
    are case-insensitive): ``aws:PrincipalTag/K`` then holds the session's value only."""
    for key, value in tags:
        name = f"aws:PrincipalTag/{key}"
        for existing in [k for k in context if k.lower() == name.lower()]:
            del context[existing]
        context[name] = value


def _stored_tags(text: str | None) -> list[tuple[str, str]]:
    return [(tag["Key"], tag["Value"]) for tag in jsontext.loads(text or "[]")]


def _gather_session(session: Session, sts: StsSession) -> GatheredPrincipal:
    role = session.get(Role, sts.role_pk)
    assert role is not None
    found = _gather_role(session, role, sts.arn)
    text = session_policy_text(session, sts.session_policy, jsontext.loads(sts.policy_arns or "[]"))
    if text:
        found.session_policy = found.add(
            "session_policy", f"{sts.session_name} session policy", "session", text
        )
    found.context["aws:userid"] = sts.assumed_role_id
    found.context["aws:TokenIssueTime"] = sts.create_date
    if sts.mfa_authenticated:
        found.context["aws:MultiFactorAuthPresent"] = "true"
        found.mfa_issued = datetime.fromisoformat(sts.create_date)
    else:
        found.context["aws:MultiFactorAuthPresent"] = "false"
    if sts.source_identity:
        found.context["aws:SourceIdentity"] = sts.source_identity
    session_tags_win(found.context, _stored_tags(sts.session_tags))
    federated = session.get(FederatedSession, sts.pk)
    if federated is not None:  # a web-identity or SAML session names its identity provider
        found.context["aws:FederatedProvider"] = federated.provider_arn
    return found


def _gather_user_session(session: Session, row: UserSession) -> GatheredPrincipal:
    """A user's session: get-session-token's acts as the user (with its MFA); a federated
    user's has the user's policies capped by the session policies passed (none: no
    permissions, which the evaluator knows from the federated-user ARN)."""
    user = session.get(User, row.user_pk)
    assert user is not None
    found = _gather_user(session, user)
    if row.federated_name is not None:
        found.principal = Principal(row.arn, row.account_id)
        text = session_policy_text(session, row.session_policy, jsontext.loads(row.policy_arns))
        if text:
            found.session_policy = found.add(
                "session_policy", f"{row.federated_name} session policy", "session", text
            )
        del found.context["aws:username"]
        found.context.update(
            {
                "aws:userid": f"{row.account_id}:{row.federated_name}",
                "aws:PrincipalArn": row.arn,
                "aws:PrincipalType": "FederatedUser",
            }
        )
        session_tags_win(found.context, _stored_tags(row.session_tags))
    found.context["aws:TokenIssueTime"] = row.create_date
    found.context["aws:MultiFactorAuthPresent"] = "true" if row.mfa_authenticated else "false"
    if row.mfa_authenticated:
        found.mfa_issued = datetime.fromisoformat(row.create_date)
    return found


def _by_access_key(session: Session, key: str) -> GatheredPrincipal:
    """The session an ASIA key belongs to (iamdesk lets it name a policy source)."""
    row = session.scalars(select(UserSession).where(UserSession.access_key_id == key)).first()
    if row is not None:
        return _gather_user_session(session, row)
    sts = session.scalars(select(StsSession).where(StsSession.access_key_id == key)).first()
    if sts is None:
        raise IamError("NoSuchEntity", f"The session with access key {key} cannot be found.")
    return _gather_session(session, sts)


def _name(arn: str) -> str:
    """The entity name in a user, role or group ARN (after its path)."""
    return arn.rsplit("/", 1)[-1]


def gather_principal(session: Session, arn: str) -> GatheredPrincipal:
    """The principal's policies and AWS-filled context; IAM's errors for unknown principals.
    ``arn`` may also be the ASIA key of a session (a user's session has the user's ARN)."""
    if arn.startswith("ASIA"):
        return _by_access_key(session, arn)
    if ":federated-user/" in arn:
        row = session.scalars(
            select(UserSession).where(UserSession.arn == arn).order_by(UserSession.pk.desc())  # type: ignore[union-attr]
        ).first()
        if row is None:
            raise IamError("NoSuchEntity", f"The session {arn} cannot be found in the model.")
        return _gather_user_session(session, row)
    if ":assumed-role/" in arn:
        sts = session.scalars(
            select(StsSession).where(StsSession.arn == arn).order_by(StsSession.pk.desc())  # type: ignore[union-attr]
        ).first()
        if sts is None:
            raise IamError("NoSuchEntity", f"The session {arn} cannot be found in the model.")
        return _gather_session(session, sts)
    if ":user/" in arn:
        user = session.scalars(select(User).where(User.arn == arn)).first()
        if user is None:
            raise no_such_entity("user", _name(arn))
        return _gather_user(session, user)
    if ":role/" in arn:
        role = session.scalars(select(Role).where(Role.arn == arn)).first()
        if role is None:
            raise no_such_entity("role", _name(arn))
        return _gather_role(session, role)
    if ":group/" in arn:
        group = session.scalars(select(Group).where(Group.arn == arn)).first()
        if group is None:
            raise no_such_entity("group", _name(arn))
        return _gather_group(session, group)
    raise invalid_input(f"Invalid ARN for PolicySourceArn: {arn}")
