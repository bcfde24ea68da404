"""Member accounts of an organization: CreateAccount (and the app's create-in-an-OU), MoveAccount,
ListAccounts, and the input rules the forms check as the user types."""

from __future__ import annotations

import logging
import string
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.services.entities import record, resolve_account
from iamdesk.services.organizations.base import (
    FULL_AWS_ACCESS_ID,
    ID_ALPHABET,
    account_arn,
    attach,
    management_organization,
    org_error,
    organization_of,
    parent_node,
    pattern_error,
    root_of,
)
from iamdesk.store.db import Database
from iamdesk.store.ids import random_text
from iamdesk.store.tables import Account, Organization

log = logging.getLogger(__name__)


def check_account_request(email: str, account_name: str, new_account_id: str | None) -> None:
    """CreateAccount's input rules (a form checks them as the user types)."""
    if "@" not in email or not 6 <= len(email) <= 64:
        raise pattern_error("the email is an address of 6 to 64 characters")
    if not 1 <= len(account_name) <= 50:
        raise pattern_error("an account name is 1 to 50 characters")
    if new_account_id is not None and (len(new_account_id) != 12 or not new_account_id.isdigit()):
        raise org_error("InvalidInputException", f"Invalid account id: {new_account_id}")


def check_move(source_parent_id: str, destination_parent_id: str) -> None:
    """MoveAccount's refusal of a move to where the account already is (a form checks it as
    the user chooses)."""
    if destination_parent_id == source_parent_id:
        raise org_error(
            "DuplicateAccountException",
            "That account is already present in the specified destination.",
        )


def _account_shape(org: Organization, account: Account) -> dict[str, Any]:
    return {
        "Id": account.account_id,
        "Arn": account_arn(org, account.account_id),
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
    check_account_request(email, account_name, new_account_id)
    with db.transaction() as session:
        org = management_organization(session, db, account_id)
        return _create_account(session, db, org, email, account_name, new_account_id)


def create_account_in_parent(
    db: Database,
    *,
    email: str,
    account_name: str,
    parent_id: str,
    new_account_id: str | None = None,
    account_id: str | None = None,
) -> dict[str, Any]:
    """CreateAccount then MoveAccount to ``parent_id`` (a root or an OU), in one transaction.

    AWS's CreateAccount has no parent: every account starts at the root and a second call moves
    it, which can fail after the first succeeded. Here a refused move (no such parent) leaves no
    account behind. Answers CreateAccount's status."""
    check_account_request(email, account_name, new_account_id)
    with db.transaction() as session:
        org = management_organization(session, db, account_id)
        out = _create_account(session, db, org, email, account_name, new_account_id)
        root = root_of(session, org).id
        if parent_id != root:
            member = out["CreateAccountStatus"]["AccountId"]
            _move_account(session, db, org, member, root, parent_id)
        return out


def _create_account(
    session: Session,
    db: Database,
    org: Organization,
    email: str,
    account_name: str,
    new_account_id: str | None,
) -> dict[str, Any]:
    new_id = new_account_id or random_text(string.digits, 12, db.rng)
    now = db.now()
    account = session.get(Account, new_id)
    if account is None:
        account = Account(account_id=new_id, create_date=now)
    elif account.organization_id is not None:
        raise org_error("DuplicateAccountException", "That account is already in an organization.")
    account.name, account.email = account_name, email
    account.organization_id, account.parent_id = org.id, root_of(session, org).id
    account.joined_method, account.joined_timestamp = "CREATED", now
    session.add(account)
    session.flush()
    attach(session, FULL_AWS_ACCESS_ID, new_id)
    record(session, db, org.management_account_id, "CreateAccount", "account", new_id)
    return {
        "CreateAccountStatus": {
            "Id": "car-" + random_text(ID_ALPHABET, 32, db.rng),
            "AccountName": account_name,
            "State": "SUCCEEDED",
            "RequestedTimestamp": now,
            "CompletedTimestamp": now,
            "AccountId": new_id,
        }
    }


def list_accounts(db: Database, *, account_id: str | None = None) -> dict[str, Any]:
    with db.read() as session:
        org = organization_of(session, resolve_account(session, db, account_id))
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
        org = management_organization(session, db, account_id)
        _move_account(session, db, org, member_account_id, source_parent_id, destination_parent_id)


def _move_account(
    session: Session,
    db: Database,
    org: Organization,
    member_account_id: str,
    source_parent_id: str,
    destination_parent_id: str,
) -> None:
    account = session.get(Account, member_account_id)
    if account is None or account.organization_id != org.id:
        raise org_error("AccountNotFoundException", "You specified an account that doesn't exist.")
    parent_node(session, org, source_parent_id)
    if account.parent_id != source_parent_id:
        raise org_error(
            "SourceParentNotFoundException", "You specified a source parent that doesn't exist."
        )
    check_move(source_parent_id, destination_parent_id)
    account.parent_id = parent_node(session, org, destination_parent_id).id
    session.add(account)
    record(session, db, org.management_account_id, "MoveAccount", "account", member_account_id)
