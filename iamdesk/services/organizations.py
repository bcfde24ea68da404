"""AWS Organizations in the model: the organization, its root and OUs, member accounts, and the
service control policies (SCPs) and resource control policies (RCPs) attached to them.

As in AWS, creating an organization attaches the AWS managed ``FullAWSAccess`` SCP to the root,
and every new OU and account inherits nothing but gets ``FullAWSAccess`` attached directly;
``RCPFullAWSAccess`` is implied everywhere, so only customer RCPs are stored. Operations that
change the organization must come from the management account. ``policy_levels`` gives the
simulator the SCPs (or RCPs) from the root down to an account.
"""

from __future__ import annotations

import json
import logging
import secrets
import string
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.parser import parse_policy
from iamdesk.services.entities import record, resolve_account
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database
from iamdesk.store.tables import Account, Organization, OrgNode, OrgPolicy, OrgPolicyAttachment

log = logging.getLogger(__name__)

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
POLICY_TYPES = (SCP, RCP)
FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
FULL_AWS_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
MAX_POLICY_SIZE = 5120  # characters, whitespace included, for both SCPs and RCPs
MAX_POLICIES_PER_TARGET = 5
_LOWER = string.ascii_lowercase + string.digits


def _error(code: str, message: str) -> IamError:
    return IamError(code, message)


def _not_in_use() -> IamError:
    return _error(
        "AWSOrganizationsNotInUseException",
        "Your account is not a member of an organization.",
    )


def _random(db: Database, alphabet: str, length: int) -> str:
    chooser = db.rng.choice if db.rng is not None else secrets.choice
    return "".join(chooser(alphabet) for _ in range(length))


@dataclass(frozen=True)
class OrgPolicyRef:
    """One SCP or RCP as the simulator needs it."""

    id: str
    name: str
    content: str


def _organization_of(session: Session, account_id: str) -> Organization:
    account = session.get(Account, account_id)
    if account is None or account.organization_id is None:
        raise _not_in_use()
    org = session.get(Organization, account.organization_id)
    if org is None:
        raise _not_in_use()
    return org


def _management(session: Session, db: Database, caller: str | None) -> Organization:
    account_id = resolve_account(session, db, caller)
    org = _organization_of(session, account_id)
    if org.management_account_id != account_id:
        raise _error(
            "AccessDeniedException",
            "You don't have permissions to access this resource.",
        )
    return org


def _root(session: Session, org: Organization) -> OrgNode:
    return session.scalars(
        select(OrgNode).where(OrgNode.organization_id == org.id, OrgNode.parent_id.is_(None))  # type: ignore[union-attr]
    ).one()


def _organization_shape(session: Session, org: Organization) -> dict[str, Any]:
    management = session.get(Account, org.management_account_id)
    return {
        "Id": org.id,
        "Arn": org.arn,
        "FeatureSet": org.feature_set,
        "MasterAccountArn": _account_arn(org, org.management_account_id),
        "MasterAccountId": org.management_account_id,
        "MasterAccountEmail": management.email if management else "",
        "AvailablePolicyTypes": [{"Type": SCP, "Status": "ENABLED"}],
    }


def _account_arn(org: Organization, account_id: str) -> str:
    return f"arn:aws:organizations::{org.management_account_id}:account/{org.id}/{account_id}"


def _attach(session: Session, policy_id: str, target_id: str) -> None:
    session.add(OrgPolicyAttachment(policy_id=policy_id, target_id=target_id))


def create_organization(
    db: Database, *, account_id: str | None = None, feature_set: str = "ALL"
) -> dict[str, Any]:
    if feature_set not in ("ALL", "CONSOLIDATED_BILLING"):
        raise _error("InvalidInputException", f"Invalid FeatureSet: {feature_set}")
    with db.transaction() as session:
        caller = resolve_account(session, db, account_id)
        account = session.get(Account, caller)
        assert account is not None
        if account.organization_id is not None:
            raise _error(
                "AlreadyInOrganizationException",
                "The AWS account is already a member of an organization.",
            )
        org_id = "o-" + _random(db, _LOWER, 10)
        org = Organization(
            id=org_id,
            arn=f"arn:aws:organizations::{caller}:organization/{org_id}",
            management_account_id=caller,
            feature_set=feature_set,
            create_date=db.now(),
        )
        session.add(org)
        session.flush()  # no ORM relationships: flush in dependency order ourselves
        root_id = "r-" + _random(db, _LOWER, 4)
        root = OrgNode(
            id=root_id,
            organization_id=org_id,
            kind="ROOT",
            name="Root",
            arn=f"arn:aws:organizations::{caller}:root/{org_id}/{root_id}",
        )
        session.add(root)
        session.flush()
        session.add(
            OrgPolicy(
                id=FULL_AWS_ACCESS_ID,
                organization_id=org_id,
                arn="arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
                name="FullAWSAccess",
                description="Allows access to every operation",
                type=SCP,
                aws_managed=True,
                content=json.dumps(FULL_AWS_ACCESS, indent=4),
            )
        )
        session.flush()
        _attach(session, FULL_AWS_ACCESS_ID, root_id)
        account.organization_id = org_id
        account.parent_id = root_id
        account.joined_method = "CREATED"
        account.joined_timestamp = db.now()
        session.add(account)
        session.flush()
        record(session, db, caller, "CreateOrganization", "organization", org_id)
        return {"Organization": _organization_shape(session, org)}


def describe_organization(db: Database, *, account_id: str | None = None) -> dict[str, Any]:
    with db.read() as session:
        caller = resolve_account(session, db, account_id)
        return {"Organization": _organization_shape(session, _organization_of(session, caller))}


def _parent(session: Session, org: Organization, parent_id: str) -> OrgNode:
    node = session.get(OrgNode, parent_id)
    if node is None or node.organization_id != org.id:
        raise _error(
            "ParentNotFoundException",
            "We can't find a root or OU with the ParentId that you specified.",
        )
    return node


def _ou_shape(node: OrgNode) -> dict[str, str]:
    return {"Id": node.id, "Arn": node.arn, "Name": node.name}


def create_organizational_unit(
    db: Database, *, parent_id: str, name: str, account_id: str | None = None
) -> dict[str, Any]:
    if not 1 <= len(name) <= 128:
        raise _error(
            "InvalidInputException",
            "You provided a value that does not match the required pattern.",
        )
    with db.transaction() as session:
        org = _management(session, db, account_id)
        parent = _parent(session, org, parent_id)
        siblings = session.scalars(select(OrgNode).where(OrgNode.parent_id == parent.id)).all()
        if any(s.name == name for s in siblings):
            raise _error(
                "DuplicateOrganizationalUnitException", "An OU with the same name already exists."
            )
        root = _root(session, org)
        ou_id = f"ou-{root.id[2:]}-" + _random(db, _LOWER, 8)
        node = OrgNode(
            id=ou_id,
            organization_id=org.id,
            parent_id=parent.id,
            kind="ORGANIZATIONAL_UNIT",
            name=name,
            arn=f"arn:aws:organizations::{org.management_account_id}:ou/{org.id}/{ou_id}",
        )
        session.add(node)
        session.flush()
        _attach(session, FULL_AWS_ACCESS_ID, ou_id)
        record(session, db, org.management_account_id, "CreateOrganizationalUnit", "ou", name)
        return {"OrganizationalUnit": _ou_shape(node)}


def list_organizational_units_for_parent(
    db: Database, *, parent_id: str, account_id: str | None = None
) -> dict[str, Any]:
    with db.read() as session:
        org = _organization_of(session, resolve_account(session, db, account_id))
        parent = _parent(session, org, parent_id)
        nodes = session.scalars(
            select(OrgNode).where(OrgNode.parent_id == parent.id).order_by(OrgNode.name)
        ).all()
        return {"OrganizationalUnits": [_ou_shape(n) for n in nodes]}


def list_roots(db: Database, *, account_id: str | None = None) -> dict[str, Any]:
    with db.read() as session:
        org = _organization_of(session, resolve_account(session, db, account_id))
        root = _root(session, org)
        types = [{"Type": SCP, "Status": "ENABLED"}]
        if _has_rcps(session, org):
            types.append({"Type": RCP, "Status": "ENABLED"})
        return {
            "Roots": [{"Id": root.id, "Arn": root.arn, "Name": root.name, "PolicyTypes": types}]
        }


def _has_rcps(session: Session, org: Organization) -> bool:
    found = session.scalars(
        select(OrgPolicy.id).where(OrgPolicy.organization_id == org.id, OrgPolicy.type == RCP)
    ).first()
    return found is not None


def _account_shape(org: Organization, account: Account) -> dict[str, Any]:
    return {
        "Id": account.account_id,
        "Arn": _account_arn(org, account.account_id),
        "Email": account.email,
        "Name": account.name,
        "Status": account.status,
        "JoinedMethod": account.joined_method or "CREATED",
        "JoinedTimestamp": account.joined_timestamp or account.create_date,
    }


def create_account(
    db: Database,
    *,
    email: str,
    account_name: str,
    new_account_id: str | None = None,
    account_id: str | None = None,
) -> dict[str, Any]:
    """Create a member account (or enrol a modelled account that belongs to no organization).

    AWS creates accounts asynchronously; the model answers with the finished status at once."""
    if "@" not in email or not 6 <= len(email) <= 64:
        raise _error(
            "InvalidInputException",
            "You provided a value that does not match the required pattern.",
        )
    if not 1 <= len(account_name) <= 50:
        raise _error(
            "InvalidInputException",
            "You provided a value that does not match the required pattern.",
        )
    with db.transaction() as session:
        org = _management(session, db, account_id)
        new_id = new_account_id or _random(db, string.digits, 12)
        if len(new_id) != 12 or not new_id.isdigit():
            raise _error("InvalidInputException", f"Invalid account id: {new_id}")
        now = db.now()
        account = session.get(Account, new_id)
        if account is None:
            account = Account(account_id=new_id, create_date=now)
        elif account.organization_id is not None:
            raise _error("DuplicateAccountException", "That account is already in an organization.")
        account.name, account.email = account_name, email
        account.organization_id, account.parent_id = org.id, _root(session, org).id
        account.joined_method, account.joined_timestamp = "CREATED", now
        session.add(account)
        session.flush()
        _attach(session, FULL_AWS_ACCESS_ID, new_id)
        record(session, db, org.management_account_id, "CreateAccount", "account", new_id)
        return {
            "CreateAccountStatus": {
                "Id": "car-" + _random(db, _LOWER, 32),
                "AccountName": account_name,
                "State": "SUCCEEDED",
                "RequestedTimestamp": now,
                "CompletedTimestamp": now,
                "AccountId": new_id,
            }
        }


def list_accounts(db: Database, *, account_id: str | None = None) -> dict[str, Any]:
    with db.read() as session:
        org = _organization_of(session, resolve_account(session, db, account_id))
        accounts = session.scalars(
            select(Account).where(Account.organization_id == org.id).order_by(Account.account_id)
        ).all()
        return {"Accounts": [_account_shape(org, a) for a in accounts]}


def move_account(
    db: Database,
    *,
    member_account_id: str,
    source_parent_id: str,
    destination_parent_id: str,
    account_id: str | None = None,
) -> None:
    with db.transaction() as session:
        org = _management(session, db, account_id)
        account = session.get(Account, member_account_id)
        if account is None or account.organization_id != org.id:
            raise _error("AccountNotFoundException", "You specified an account that doesn't exist.")
        _parent(session, org, source_parent_id)
        if account.parent_id != source_parent_id:
            raise _error(
                "SourceParentNotFoundException", "You specified a source parent that doesn't exist."
            )
        account.parent_id = _parent(session, org, destination_parent_id).id
        session.add(account)
        record(session, db, org.management_account_id, "MoveAccount", "account", member_account_id)


def _check_content(content: str, policy_type: str) -> str:
    if len(content) > MAX_POLICY_SIZE:
        raise _error(
            "ConstraintViolationException",
            "You provided a policy document that exceeds the maximum size (5120 characters).",
        )
    try:
        document = parse_policy(content)
    except PolicyParseError as exc:
        raise _error(
            "MalformedPolicyDocumentException",
            f"The provided policy document does not meet the requirements of the specified "
            f"policy type. {exc}",
        ) from None
    if policy_type == SCP and any(s.principal or s.not_principal for s in document.statements):
        raise _error(
            "MalformedPolicyDocumentException",
            "The provided policy document does not meet the requirements of the specified policy "
            "type. SCPs do not support the Principal element.",
        )
    return content


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
        raise _error("InvalidInputException", f"Invalid policy type: {policy_type}")
    _check_content(content, policy_type)
    with db.transaction() as session:
        org = _management(session, db, account_id)
        clash = session.scalars(
            select(OrgPolicy).where(
                OrgPolicy.organization_id == org.id,
                OrgPolicy.type == policy_type,
                OrgPolicy.name == name,
            )
        ).first()
        if clash is not None:
            raise _error("DuplicatePolicyException", "A policy with the same name already exists.")
        policy_id = "p-" + _random(db, _LOWER, 8)
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
        raise _error(
            "PolicyNotFoundException",
            "We can't find a policy with the PolicyId that you specified.",
        )
    return policy


def _target(session: Session, org: Organization, target_id: str) -> None:
    node = session.get(OrgNode, target_id)
    if node is not None and node.organization_id == org.id:
        return
    account = session.get(Account, target_id)
    if account is not None and account.organization_id == org.id:
        return
    raise _error("TargetNotFoundException", "You specified a target that doesn't exist.")


def _attached(session: Session, target_id: str, policy_type: str | None = None) -> list[OrgPolicy]:
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
        org = _management(session, db, account_id)
        policy = _policy(session, org, policy_id)
        _target(session, org, target_id)
        attached = _attached(session, target_id, policy.type)
        if any(p.id == policy.id for p in attached):
            raise _error(
                "DuplicatePolicyAttachmentException",
                "The selected policy is already attached to the specified target.",
            )
        if len(attached) >= MAX_POLICIES_PER_TARGET:
            raise _error(
                "ConstraintViolationException",
                "You have attached the maximum number of policies of this type to the target.",
            )
        _attach(session, policy.id, target_id)
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
        org = _management(session, db, account_id)
        policy = _policy(session, org, policy_id)
        _target(session, org, target_id)
        link = session.scalars(
            select(OrgPolicyAttachment).where(
                OrgPolicyAttachment.policy_id == policy.id,
                OrgPolicyAttachment.target_id == target_id,
            )
        ).first()
        if link is None:
            raise _error(
                "PolicyNotAttachedException",
                "The policy isn't attached to the specified target in the specified root.",
            )
        if policy.type == SCP and len(_attached(session, target_id, SCP)) == 1:
            # AWS keeps at least one SCP on every node so nothing is locked out by accident.
            raise _error(
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
        raise _error("InvalidInputException", f"Invalid policy type: {policy_filter}")
    with db.read() as session:
        org = _organization_of(session, resolve_account(session, db, account_id))
        _target(session, org, target_id)
        return {
            "Policies": [_policy_summary(p) for p in _attached(session, target_id, policy_filter)]
        }


def list_policies(
    db: Database, *, policy_filter: str, account_id: str | None = None
) -> dict[str, Any]:
    with db.read() as session:
        org = _organization_of(session, resolve_account(session, db, account_id))
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
            [OrgPolicyRef(p.id, p.name, p.content) for p in _attached(session, target, policy_type)]
        )
    return levels


def organization_id_of(session: Session, account_id: str) -> str | None:
    account = session.get(Account, account_id)
    return account.organization_id if account is not None else None


def organization_path(session: Session, account_id: str) -> tuple[str, str] | None:
    """(organization id, AWS's org path ``o-…/r-…/ou-…/``) of an account, None outside one.

    The path is what ``aws:PrincipalOrgPaths`` / ``aws:ResourceOrgPaths`` hold: the
    organization, the root and the OUs down to the account's parent, each followed by ``/``."""
    account = session.get(Account, account_id)
    if account is None or account.organization_id is None:
        return None
    nodes = []
    node_id = account.parent_id
    while node_id is not None:
        nodes.append(node_id)
        node = session.get(OrgNode, node_id)
        node_id = node.parent_id if node is not None else None
    path = "/".join([account.organization_id, *reversed(nodes)]) + "/"
    return account.organization_id, path
