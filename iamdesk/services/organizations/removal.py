"""Deleting OUs and SCPs/RCPs as AWS Organizations does, and putting an OU, a policy or an
account's membership back exactly, for the app's undo.

AWS's rules: only an empty OU can be deleted (no child OU, no account:
``OrganizationalUnitNotEmptyException``); only a policy attached nowhere can be deleted
(``PolicyInUseException``); AWS managed policies can never be. Deleting an OU detaches the
policies attached to it.

AWS has no undelete, and a recreated OU or policy would get a new id; the undo here brings back
the same id, ARN, name and attachments, so every ``aws:PrincipalOrgPaths`` and attachment that
named them still does.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from iamdesk.services.entities import record, resolve_account
from iamdesk.services.organizations.base import (
    attach,
    management_organization,
    org_error,
    organization_of,
)
from iamdesk.services.organizations.policies import _managed_refusal, _policy, attached_policies
from iamdesk.store.db import Database
from iamdesk.store.tables import Account, Organization, OrgNode, OrgPolicy, OrgPolicyAttachment

log = logging.getLogger(__name__)

_ACCOUNT_FIELDS = (
    "name",
    "email",
    "organization_id",
    "parent_id",
    "status",
    "joined_method",
    "joined_timestamp",
    "create_date",
)


def _ou(session: Session, org: Organization, ou_id: str) -> OrgNode:
    node = session.get(OrgNode, ou_id)
    if node is None or node.organization_id != org.id or node.kind != "ORGANIZATIONAL_UNIT":
        raise org_error(
            "OrganizationalUnitNotFoundException",
            "We can't find an OU with the OrganizationalUnitId that you specified.",
        )
    return node


def _policy_ids(session: Session, target_id: str) -> list[str]:
    return [p.id for p in attached_policies(session, target_id)]


def _reattach(session: Session, target_id: str, policy_ids: list[str]) -> None:
    session.execute(delete(OrgPolicyAttachment).where(OrgPolicyAttachment.target_id == target_id))
    session.flush()
    for policy_id in policy_ids:
        if session.get(OrgPolicy, policy_id) is None:
            raise org_error(
                "PolicyNotFoundException",
                f"The policy {policy_id} it had attached no longer exists.",
            )
        attach(session, policy_id, target_id)


# ---------------------------------------------------------------------------- AWS operations


def delete_organizational_unit(
    db: Database, *, organizational_unit_id: str, account_id: str | None = None
) -> None:
    with db.transaction() as session:
        org = management_organization(session, db, account_id)
        node = _ou(session, org, organizational_unit_id)
        child = session.scalars(select(OrgNode.id).where(OrgNode.parent_id == node.id)).first()
        member = session.scalars(
            select(Account.account_id).where(Account.parent_id == node.id)
        ).first()
        if child is not None or member is not None:
            raise org_error(
                "OrganizationalUnitNotEmptyException",
                "The specified OU is not empty. Move all accounts to another root or to other "
                "OUs, remove all child OUs, and try the operation again.",
            )
        session.execute(delete(OrgPolicyAttachment).where(OrgPolicyAttachment.target_id == node.id))
        record(session, db, org.management_account_id, "DeleteOrganizationalUnit", "ou", node.name)
        session.delete(node)


def delete_policy(db: Database, *, policy_id: str, account_id: str | None = None) -> None:
    with db.transaction() as session:
        org = management_organization(session, db, account_id)
        policy = _policy(session, org, policy_id)
        if policy.aws_managed:
            raise _managed_refusal()
        used = session.scalars(
            select(OrgPolicyAttachment.pk).where(OrgPolicyAttachment.policy_id == policy.id)
        ).first()
        if used is not None:
            raise org_error(
                "PolicyInUseException",
                "The policy is attached to one or more entities. You must detach it from all "
                "roots, OUs, and accounts before performing this operation.",
            )
        record(session, db, org.management_account_id, "DeletePolicy", policy.type, policy.name)
        session.delete(policy)


# ----------------------------------------------------------------------------- the app's undo


def ou_snapshot(db: Database, *, ou_id: str, account_id: str | None = None) -> dict[str, Any]:
    with db.read() as session:
        org = organization_of(session, resolve_account(session, db, account_id))
        node = _ou(session, org, ou_id)
        return {
            "Id": node.id,
            "OrganizationId": node.organization_id,
            "ParentId": node.parent_id,
            "Name": node.name,
            "Arn": node.arn,
            "Policies": _policy_ids(session, node.id),
        }


def restore_organizational_unit(db: Database, before: dict[str, Any]) -> None:
    """Recreate the OU ``before`` (an ``ou_snapshot``) describes, with its attachments."""
    with db.transaction() as session:
        parent = session.get(OrgNode, before["ParentId"])
        if parent is None:
            raise org_error(
                "ParentNotFoundException", "The OU's parent no longer exists; restore it first."
            )
        siblings = session.scalars(select(OrgNode).where(OrgNode.parent_id == parent.id)).all()
        if session.get(OrgNode, before["Id"]) is not None or any(
            s.name == before["Name"] for s in siblings
        ):
            raise org_error(
                "DuplicateOrganizationalUnitException", "An OU with the same name already exists."
            )
        session.add(
            OrgNode(
                id=before["Id"],
                organization_id=before["OrganizationId"],
                parent_id=parent.id,
                kind="ORGANIZATIONAL_UNIT",
                name=before["Name"],
                arn=before["Arn"],
            )
        )
        session.flush()
        _reattach(session, before["Id"], before["Policies"])
        record(session, db, None, "RestoreOrganizationalUnit", "ou", before["Name"])


def policy_snapshot(
    db: Database, *, policy_id: str, account_id: str | None = None
) -> dict[str, Any]:
    with db.read() as session:
        org = organization_of(session, resolve_account(session, db, account_id))
        policy = _policy(session, org, policy_id)
        return policy.model_dump()


def restore_policy(db: Database, before: dict[str, Any]) -> None:
    """Recreate the SCP or RCP ``before`` (a ``policy_snapshot``) describes, same id and ARN."""
    with db.transaction() as session:
        clash = session.scalars(
            select(OrgPolicy).where(
                OrgPolicy.organization_id == before["organization_id"],
                OrgPolicy.type == before["type"],
                (OrgPolicy.name == before["name"]) | (OrgPolicy.id == before["id"]),
            )
        ).first()
        if clash is not None:
            raise org_error(
                "DuplicatePolicyException", "A policy with the same name already exists."
            )
        session.add(OrgPolicy(**before))
        session.flush()
        record(session, db, None, "RestorePolicy", before["type"], before["name"])


def account_state(db: Database, *, member_account_id: str) -> dict[str, Any] | None:
    """An account's organization membership and the policies attached to it; None when the
    model has no such account."""
    with db.read() as session:
        account = session.get(Account, member_account_id)
        if account is None:
            return None
        state = {field: getattr(account, field) for field in _ACCOUNT_FIELDS}
        state["Policies"] = _policy_ids(session, member_account_id)
        return state


def put_account_state(
    db: Database, *, member_account_id: str, state: dict[str, Any] | None
) -> None:
    """Make the account as ``state`` (an ``account_state``) describes; None removes an account
    the model did not have before (refused while IAM entities or resources live in it)."""
    try:
        with db.transaction() as session:
            account = session.get(Account, member_account_id)
            if state is None:
                if account is not None:
                    session.execute(
                        delete(OrgPolicyAttachment).where(
                            OrgPolicyAttachment.target_id == member_account_id
                        )
                    )
                    session.delete(account)
                    session.flush()
                record(session, db, None, "RemoveAccount", "account", member_account_id)
                return
            if account is None:
                account = Account(account_id=member_account_id, create_date=state["create_date"])
            for field in _ACCOUNT_FIELDS:
                setattr(account, field, state[field])
            session.add(account)
            session.flush()
            _reattach(session, member_account_id, state["Policies"])
            record(session, db, None, "RestoreAccount", "account", member_account_id)
    except IntegrityError:
        raise org_error(
            "AccountNotRemovableException",
            f"Account {member_account_id} now holds IAM entities or resources; delete them first.",
        ) from None
