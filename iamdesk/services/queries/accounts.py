"""Read-only questions about the accounts in a model file, for the app's account switcher."""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import select

from iamdesk.store.db import Database
from iamdesk.store.tables import Account

log = logging.getLogger(__name__)


def list_accounts(db: Database) -> list[dict[str, Any]]:
    """Every account, the default first, then by name and id."""
    with db.read() as session:
        accounts = session.exec(select(Account)).all()
    rows = [
        {
            "AccountId": a.account_id,
            "Name": a.name,
            "Alias": a.alias,
            "IsDefault": a.is_default,
            "OrganizationId": a.organization_id,
            "Status": a.status,
        }
        for a in accounts
    ]
    rows.sort(key=lambda r: (not r["IsDefault"], str(r["Name"] or "").casefold(), r["AccountId"]))
    return rows


def account_exists(db: Database, account_id: str) -> bool:
    with db.read() as session:
        return session.get(Account, account_id) is not None


def password_problems(db: Database, account_id: str | None, password: str) -> list[str]:
    """What ``password`` lacks under the account's password policy (for checking as the user
    types; the service checks again, including reuse, when the password is set)."""
    from iamdesk.services import entities
    from iamdesk.services.password_policy import password_problems as problems
    from iamdesk.store.tables import PasswordPolicy

    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        policy = session.get(PasswordPolicy, account)
        return problems(policy, password)
