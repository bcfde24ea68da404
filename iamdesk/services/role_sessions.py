"""Role sessions recorded by AssumeRole, listed so the test-access panel can test as them."""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import select

from iamdesk.store.db import Database
from iamdesk.store.tables import StsSession

log = logging.getLogger(__name__)


def list_role_sessions(db: Database, account_id: str | None = None) -> list[dict[str, Any]]:
    """Sessions of one account (all accounts when None), newest first, in STS's words."""
    with db.read() as session:
        query = select(StsSession).order_by(StsSession.pk.desc())  # type: ignore[union-attr]
        if account_id is not None:
            query = query.where(StsSession.account_id == account_id)
        return [
            {
                "Arn": row.arn,
                "AssumedRoleId": row.assumed_role_id,
                "AccountId": row.account_id,
                "SessionName": row.session_name,
                "CallerArn": row.caller_arn,
                "MfaAuthenticated": row.mfa_authenticated,
                "HasSessionPolicy": bool(row.session_policy),
                "Expiration": row.expiration,
            }
            for row in session.exec(query).all()
        ]
