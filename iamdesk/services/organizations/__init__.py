"""AWS Organizations in the model: the organization, its root and OUs, and member accounts.

As in AWS, creating an organization attaches the AWS managed ``FullAWSAccess`` SCP to the root,
and every new OU and account gets ``FullAWSAccess`` attached directly. Operations that change the
organization must come from the management account. Member accounts live in ``accounts``, the
SCP and RCP operations in ``policies`` (deletions in ``removal``); all are re-exported here: one
service API.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.services.entities import record, resolve_account
from iamdesk.services.organizations.accounts import (
    check_account_request,
    check_move,
    create_account,
    create_account_in_parent,
    list_accounts,
    move_account,
)
from iamdesk.services.organizations.base import (
    FULL_AWS_ACCESS,
    FULL_AWS_ACCESS_ID,
    ID_ALPHABET,
    POLICY_TYPES,
    RCP,
    SCP,
    OrgPolicyRef,
    account_arn,
    attach,
    management_organization,
    org_error,
    organization_of,
    parent_node,
    pattern_error,
    root_of,
)
from iamdesk.services.organizations.policies import (
    MAX_POLICIES_PER_TARGET,
    MAX_POLICY_SIZE,
    attach_policy,
    check_policy_name,
    create_policy,
    describe_policy,
    detach_policy,
    list_policies,
    list_policies_for_target,
    policy_levels,
    update_policy,
)
from iamdesk.services.organizations.removal import delete_organizational_unit, delete_policy
from iamdesk.store.db import Database
from iamdesk.store.ids import random_text
from iamdesk.store.tables import Account, Organization, OrgNode, OrgPolicy

log = logging.getLogger(__name__)

__all__ = [
    "FULL_AWS_ACCESS",
    "FULL_AWS_ACCESS_ID",
    "MAX_POLICIES_PER_TARGET",
    "MAX_POLICY_SIZE",
    "POLICY_TYPES",
    "RCP",
    "SCP",
    "OrgPolicyRef",
    "attach_policy",
    "check_account_request",
    "check_move",
    "check_ou_name",
    "check_policy_name",
    "create_account",
    "create_account_in_parent",
    "create_organization",
    "create_organizational_unit",
    "create_policy",
    "delete_organizational_unit",
    "delete_policy",
    "describe_organization",
    "describe_policy",
    "detach_policy",
    "list_accounts",
    "list_organizational_units_for_parent",
    "list_policies",
    "list_policies_for_target",
    "list_roots",
    "move_account",
    "organization_id_of",
    "organization_path",
    "policy_levels",
    "update_policy",
]


def _organization_shape(session: Session, org: Organization) -> dict[str, Any]:
    management = session.get(Account, org.management_account_id)
    return {
        "Id": org.id,
        "Arn": org.arn,
        "FeatureSet": org.feature_set,
        "MasterAccountArn": account_arn(org, org.management_account_id),
        "MasterAccountId": org.management_account_id,
        "MasterAccountEmail": management.email if management else "",
        "AvailablePolicyTypes": [{"Type": SCP, "Status": "ENABLED"}],
    }


def create_organization(
    db: Database, *, account_id: str | None = None, feature_set: str = "ALL"
) -> dict[str, Any]:
    if feature_set not in ("ALL", "CONSOLIDATED_BILLING"):
        raise org_error("InvalidInputException", f"Invalid FeatureSet: {feature_set}")
    with db.transaction() as session:
        caller = resolve_account(session, db, account_id)
        account = session.get(Account, caller)
        assert account is not None
        if account.organization_id is not None:
            raise org_error(
                "AlreadyInOrganizationException",
                "The AWS account is already a member of an organization.",
            )
        org_id = "o-" + random_text(ID_ALPHABET, 10, db.rng)
        org = Organization(
            id=org_id,
            arn=f"arn:aws:organizations::{caller}:organization/{org_id}",
            management_account_id=caller,
            feature_set=feature_set,
            create_date=db.now(),
        )
        session.add(org)
        session.flush()  # no ORM relationships: flush in dependency order ourselves
        root_id = "r-" + random_text(ID_ALPHABET, 4, db.rng)
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
        attach(session, FULL_AWS_ACCESS_ID, root_id)
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
        return {"Organization": _organization_shape(session, organization_of(session, caller))}


def _ou_shape(node: OrgNode) -> dict[str, str]:
    return {"Id": node.id, "Arn": node.arn, "Name": node.name}


def check_ou_name(name: str) -> None:
    if not 1 <= len(name) <= 128:
        raise pattern_error("an OU name is 1 to 128 characters")


def create_organizational_unit(
    db: Database, *, parent_id: str, name: str, account_id: str | None = None
) -> dict[str, Any]:
    check_ou_name(name)
    with db.transaction() as session:
        org = management_organization(session, db, account_id)
        parent = parent_node(session, org, parent_id)
        siblings = session.scalars(select(OrgNode).where(OrgNode.parent_id == parent.id)).all()
        if any(s.name == name for s in siblings):
            raise org_error(
                "DuplicateOrganizationalUnitException", "An OU with the same name already exists."
            )
        root = root_of(session, org)
        ou_id = f"ou-{root.id[2:]}-" + random_text(ID_ALPHABET, 8, db.rng)
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
        attach(session, FULL_AWS_ACCESS_ID, ou_id)
        record(session, db, org.management_account_id, "CreateOrganizationalUnit", "ou", name)
        return {"OrganizationalUnit": _ou_shape(node)}


def list_organizational_units_for_parent(
    db: Database, *, parent_id: str, account_id: str | None = None
) -> dict[str, Any]:
    with db.read() as session:
        org = organization_of(session, resolve_account(session, db, account_id))
        parent = parent_node(session, org, parent_id)
        nodes = session.scalars(
            select(OrgNode).where(OrgNode.parent_id == parent.id).order_by(OrgNode.name)
        ).all()
        return {"OrganizationalUnits": [_ou_shape(n) for n in nodes]}


def list_roots(db: Database, *, account_id: str | None = None) -> dict[str, Any]:
    with db.read() as session:
        org = organization_of(session, resolve_account(session, db, account_id))
        root = root_of(session, org)
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
