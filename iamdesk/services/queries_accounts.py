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
    rows.sort(key=lambda r: (not r["IsDefault"], (r["Name"] or "").casefold(), r["AccountId"]))
    return rows


def account_exists(db: Database, account_id: str) -> bool:
    with db.read() as session:
        return session.get(Account, account_id) is not None
