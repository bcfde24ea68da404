"""SetSecurityTokenServicePreferences: which session tokens STS's global endpoint issues.

``v1Token`` tokens are valid only in Regions enabled by default; ``v2Token`` tokens work in
every Region (and are longer). A model records the choice; ``get-account-summary`` reports it as
``GlobalEndpointTokenVersion`` (1 or 2), as IAM does. No row: the default, version 1.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session

from iamdesk.services import entities
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database
from iamdesk.store.tables import StsPreference

log = logging.getLogger(__name__)

VERSIONS = {"v1Token": 1, "v2Token": 2}


def token_version(session: Session, account: str) -> int:
    row = session.get(StsPreference, account)
    return row.global_endpoint_token_version if row is not None else 1


def set_security_token_service_preferences(
    db: Database, account_id: str | None, global_endpoint_token_version: str
) -> dict[str, Any]:
    version = VERSIONS.get(global_endpoint_token_version)
    if version is None:
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value '{str(global_endpoint_token_version)[:300]}' at"
            " 'globalEndpointTokenVersion' failed to satisfy constraint: Member must satisfy"
            " enum value set: [v1Token, v2Token]",
        )
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        before = token_version(session, account)
        row = session.get(StsPreference, account) or StsPreference(account_id=account)
        row.global_endpoint_token_version = version
        session.add(row)
        entities.record(
            session,
            db,
            account,
            "SetSecurityTokenServicePreferences",
            "account",
            account,
            before={"GlobalEndpointTokenVersion": before},
            after={"GlobalEndpointTokenVersion": version},
        )
    return {}
