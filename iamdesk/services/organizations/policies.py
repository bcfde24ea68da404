"""Service control policies (SCPs) and resource control policies (RCPs): create, attach, detach,
list, and ``policy_levels``, the policies from the organization root down to an account that the
simulator needs. ``RCPFullAWSAccess`` is implied at every level, so only customer RCPs are stored.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.parser import parse_policy
from iamdesk.services.entities import record, resolve_account
from iamdesk.services.organizations.base import (
    ID_ALPHABET,
    POLICY_TYPES,
    SCP,
    OrgPolicyRef,
    attach,
    management_organization,
    org_error,
    organization_of,
    pattern_error,
)
from iamdesk.store.db import Database
from iamdesk.store.ids import random_text
from iamdesk.store.tables import Account, Organization, OrgNode, OrgPolicy, OrgPolicyAttachment

log = logging.getLogger(__name__)

MAX_POLICY_SIZE = 5120  # characters, whitespace included, for both SCPs and RCPs
MAX_POLICIES_PER_TARGET = 5
MAX_POLICY_NAME = 128


def _check_content(content: str, policy_type: str) -> str:
    if len(content) > MAX_POLICY_SIZE:
        raise org_error(
            "ConstraintViolationException",
            "You provided a policy document that exceeds the maximum size (5120 characters).",
        )
    try:
        document = parse_policy(content)
    except PolicyParseError as exc:
        raise org_error(
            "MalformedPolicyDocumentException",
            f"The provided policy document does not meet the requirements of the specified "
            f"policy type. {exc}",
        ) from None
    if policy_type == SCP and any(s.principal or s.not_principal for s in document.statements):
        raise org_error(
            "MalformedPolicyDocumentException",
            "The provided policy document does not meet the requirements of the specified policy "
            "type. SCPs do not support the Principal element.",
        )
    return content


def check_policy_name(name: str) -> None:
    """CreatePolicy's and UpdatePolicy's name rule (a form checks it as the user types)."""
    if not 1 <= len(name) <= MAX_POLICY_NAME:
        raise pattern_error(f"a policy name is 1 to {MAX_POLICY_NAME} characters")


def _refuse_taken_name(session: Session, org: Organization, policy_type: str, name: str) -> None:
    """Names are unique among an organization's policies of one type."""
    clash = session.scalars(
        select(OrgPolicy).where(
            OrgPolicy.organization_id == org.id,
            OrgPolicy.type == policy_type,
            OrgPolicy.name == name,
        )
    ).first()
    if clash is not None:
        raise org_error("DuplicatePolicyException", "A policy with the same name already exists.")


def _policy_summary(policy: OrgPolicy) -> dict[str, Any]:
    return {
        "Id": policy.id,
        "Arn": policy.arn,
        "Name": policy.name,
        "Description": policy.description,
        "Type": policy.type,
        "AwsManaged": policy.aws_managed,
    }


def create_policy(
    db: Database,
    *,
    name: str,
    policy_type: str,
    content: str,
    description: str = "",
    account_id: str | None = None,
) -> dict[str, Any]:
    if policy_type not in POLICY_TYPES:
        raise org_error("InvalidInputException", f"Invalid policy type: {policy_type}")
    check_policy_name(name)
    _check_content(content, policy_type)
    with db.transaction() as session:
        org = management_organization(session, db, account_id)
        _refuse_taken_name(session, org, policy_type, name)
        policy_id = "p-" + random_text(ID_ALPHABET, 8, db.rng)
        kind = policy_type.lower()
        policy = OrgPolicy(
            id=policy_id,
            organization_id=org.id,
            arn=f"arn:aws:organizations::{org.management_account_id}:policy/{org.id}/{kind}/{policy_id}",
            name=name,
            description=description,
            type=policy_type,
            content=content,
        )
        session.add(policy)
        session.flush()
        record(session, db, org.management_account_id, "CreatePolicy", policy_type, name)
        return {"Policy": {"PolicySummary": _policy_summary(policy), "Content": content}}


def _policy(session: Session, org: Organization, policy_id: str) -> OrgPolicy:
    policy = session.get(OrgPolicy, policy_id)
    if policy is None or policy.organization_id != org.id:
        raise org_error(
            "PolicyNotFoundException",
            "We can't find a policy with the PolicyId that you specified.",
        )
    return policy


RCP_FULL_AWS_ACCESS_ID = "p-RCPFullAWSAccess"  # implied everywhere, never stored


def update_policy(
    db: Database,
    *,
    policy_id: str,
    content: str | None = None,
    name: str | None = None,
    description: str | None = None,
    account_id: str | None = None,
) -> dict[str, Any]:
    """AWS's UpdatePolicy: new content, name or description; what is not given stays. AWS
    managed policies (FullAWSAccess, RCPFullAWSAccess) cannot be changed."""
    if name is not None:
        check_policy_name(name)
    with db.transaction() as session:
        org = management_organization(session, db, account_id)
        if policy_id == RCP_FULL_AWS_ACCESS_ID:
            raise _managed_refusal()
        policy = _policy(session, org, policy_id)
        if policy.aws_managed:
            raise _managed_refusal()
        if content is not None:
            _check_content(content, policy.type)
        if name is not None and name != policy.name:
            _refuse_taken_name(session, org, policy.type, name)
        before = policy.content
        if content is not None:
            policy.content = content
        if name is not None:
            policy.name = name
        if description is not None:
            policy.description = description
        session.add(policy)
        session.flush()
        record(
            session,
            db,
            org.management_account_id,
            "UpdatePolicy",
            policy.type,
            policy.name,
            before=before,
            after=policy.content,
        )
        return {"Policy": {"PolicySummary": _policy_summary(policy), "Content": policy.content}}


def describe_policy(
    db: Database, *, policy_id: str, account_id: str | None = None
) -> dict[str, Any]:
    """AWS's DescribePolicy: the summary and the content, exactly as stored."""
    with db.read() as session:
        org = organization_of(session, resolve_account(session, db, account_id))
        policy = _policy(session, org, policy_id)
        return {"Policy": {"PolicySummary": _policy_summary(policy), "Content": policy.content}}


def _managed_refusal() -> Exception:
    return org_error(
        "AccessDeniedException",
        "You don't have permissions to access this resource. AWS managed policies can't be "
        "modified.",
    )


def _target(session: Session, org: Organization, target_id: str) -> None:
    node = session.get(OrgNode, target_id)
    if node is not None and node.organization_id == org.id:
        return
    account = session.get(Account, target_id)
    if account is not None and account.organization_id == org.id:
        return
    raise org_error("TargetNotFoundException", "You specified a target that doesn't exist.")


def attached_policies(
    session: Session, target_id: str, policy_type: str | None = None
) -> list[OrgPolicy]:
    query = (
        select(OrgPolicy)
        .join(OrgPolicyAttachment, OrgPolicyAttachment.policy_id == OrgPolicy.id)
        .where(OrgPolicyAttachment.target_id == target_id)
        .order_by(OrgPolicyAttachment.pk)
    )
    if policy_type is not None:
        query = query.where(OrgPolicy.type == policy_type)
    return list(session.scalars(query).all())


def attach_policy(
    db: Database, *, policy_id: str, target_id: str, account_id: str | None = None
) -> None:
    with db.transaction() as session:
        org = management_organization(session, db, account_id)
        policy = _policy(session, org, policy_id)
        _target(session, org, target_id)
        attached = attached_policies(session, target_id, policy.type)
        if any(p.id == policy.id for p in attached):
            raise org_error(
                "DuplicatePolicyAttachmentException",
                "The selected policy is already attached to the specified target.",
            )
        if len(attached) >= MAX_POLICIES_PER_TARGET:
            raise org_error(
                "ConstraintViolationException",
                "You have attached the maximum number of policies of this type to the target.",
            )
        attach(session, policy.id, target_id)
        record(
            session,
            db,
            org.management_account_id,
            "AttachPolicy",
            policy.type,
            policy.name,
            after={"target": target_id},
        )


def detach_policy(
    db: Database, *, policy_id: str, target_id: str, account_id: str | None = None
) -> None:
    with db.transaction() as session:
        org = management_organization(session, db, account_id)
        policy = _policy(session, org, policy_id)
        _target(session, org, target_id)
        link = session.scalars(
            select(OrgPolicyAttachment).where(
                OrgPolicyAttachment.policy_id == policy.id,
                OrgPolicyAttachment.target_id == target_id,
            )
        ).first()
        if link is None:
            raise org_error(
                "PolicyNotAttachedException",
                "The policy isn't attached to the specified target in the specified root.",
            )
        if policy.type == SCP and len(attached_policies(session, target_id, SCP)) == 1:
            # AWS keeps at least one SCP on every node so nothing is locked out by accident.
            raise org_error(
                "ConstraintViolationException",
                "You cannot remove the last service control policy from the target "
                "(MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED).",
            )
        session.delete(link)
        record(
            session,
            db,
            org.management_account_id,
            "DetachPolicy",
            policy.type,
            policy.name,
            before={"target": target_id},
        )


def list_policies_for_target(
    db: Database, *, target_id: str, policy_filter: str, account_id: str | None = None
) -> dict[str, Any]:
    if policy_filter not in POLICY_TYPES:
        raise org_error("InvalidInputException", f"Invalid policy type: {policy_filter}")
    with db.read() as session:
        org = organization_of(session, resolve_account(session, db, account_id))
        _target(session, org, target_id)
        return {
            "Policies": [
                _policy_summary(p) for p in attached_policies(session, target_id, policy_filter)
            ]
        }


def list_policies(
    db: Database, *, policy_filter: str, account_id: str | None = None
) -> dict[str, Any]:
    with db.read() as session:
        org = organization_of(session, resolve_account(session, db, account_id))
        rows = session.scalars(
            select(OrgPolicy)
            .where(OrgPolicy.organization_id == org.id, OrgPolicy.type == policy_filter)
            .order_by(OrgPolicy.name)
        ).all()
        return {"Policies": [_policy_summary(p) for p in rows]}


def policy_levels(session: Session, account_id: str, policy_type: str) -> list[list[OrgPolicyRef]]:
    """The policies of ``policy_type`` attached at each level from the root down to the account.

    ``[]`` when the account is in no organization (nothing governs it). The management account is
    not governed by SCPs or RCPs, as in AWS."""
    account = session.get(Account, account_id)
    if account is None or account.organization_id is None:
        return []
    org = session.get(Organization, account.organization_id)
    if org is None or org.management_account_id == account_id:
        return []
    chain = [account_id]
    node_id = account.parent_id
    while node_id is not None:
        chain.append(node_id)
        node = session.get(OrgNode, node_id)
        node_id = node.parent_id if node is not None else None
    levels = []
    for target in reversed(chain):
        levels.append(
            [
                OrgPolicyRef(p.id, p.name, p.content)
                for p in attached_policies(session, target, policy_type)
            ]
        )
    return levels
