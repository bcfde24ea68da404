"""What the Organizations modules share: policy types, AWS's FullAWSAccess SCP, Organizations'
error codes, ids, and finding the caller's organization (management account only, for changes)."""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.services.entities import resolve_account
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database
from iamdesk.store.tables import Account, Organization, OrgNode, OrgPolicyAttachment

log = logging.getLogger(__name__)

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
POLICY_TYPES = (SCP, RCP)
FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
FULL_AWS_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
ID_ALPHABET = string.ascii_lowercase + string.digits


def org_error(code: str, message: str) -> IamError:
    return IamError(code, message)


def pattern_error(detail: str) -> IamError:
    """AWS's refusal of a value its input pattern or length rule does not allow."""
    return org_error(
        "InvalidInputException",
        f"You provided a value that does not match the required pattern ({detail}).",
    )


def not_in_use() -> IamError:
    return org_error(
        "AWSOrganizationsNotInUseException",
        "Your account is not a member of an organization.",
    )


@dataclass(frozen=True)
class OrgPolicyRef:
    """One SCP or RCP as the simulator needs it."""

    id: str
    name: str
    content: str


def organization_of(session: Session, account_id: str) -> Organization:
    account = session.get(Account, account_id)
    if account is None or account.organization_id is None:
        raise not_in_use()
    org = session.get(Organization, account.organization_id)
    if org is None:
        raise not_in_use()
    return org


def management_organization(session: Session, db: Database, caller: str | None) -> Organization:
    account_id = resolve_account(session, db, caller)
    org = organization_of(session, account_id)
    if org.management_account_id != account_id:
        raise org_error(
            "AccessDeniedException",
            "You don't have permissions to access this resource.",
        )
    return org


def root_of(session: Session, org: Organization) -> OrgNode:
    return session.scalars(
        select(OrgNode).where(OrgNode.organization_id == org.id, OrgNode.parent_id.is_(None))  # type: ignore[union-attr]
    ).one()


def attach(session: Session, policy_id: str, target_id: str) -> None:
    session.add(OrgPolicyAttachment(policy_id=policy_id, target_id=target_id))


def account_arn(org: Organization, account_id: str) -> str:
    return f"arn:aws:organizations::{org.management_account_id}:account/{org.id}/{account_id}"


def parent_node(session: Session, org: Organization, parent_id: str) -> OrgNode:
    node = session.get(OrgNode, parent_id)
    if node is None or node.organization_id != org.id:
        raise org_error(
            "ParentNotFoundException",
            "We can't find a root or OU with the ParentId that you specified.",
        )
    return node
