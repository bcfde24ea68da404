"""Test-access scenarios: named requests with the decision they are expected to get, kept in
the model so a set of them can be re-run as a regression check after policies change."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlmodel import select

from iamdesk.core import jsontext
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database
from iamdesk.store.tables import Scenario

log = logging.getLogger(__name__)

DECISIONS = ("allowed", "explicitDeny", "implicitDeny")
MAX_NAME = 128


def _shape(row: Scenario) -> dict[str, Any]:
    return {
        "Name": row.name,
        "AccountId": row.account_id,
        "Description": row.description,
        "PrincipalArn": row.principal_arn,
        "Action": row.action,
        "ResourceArn": row.resource_arn,
        "Context": jsontext.loads(row.context or "{}"),
        "Expected": row.expected,
    }


def list_scenarios(db: Database, account_id: str | None = None) -> list[dict[str, Any]]:
    """Scenarios of one account (every account when None), in the order they were saved."""
    with db.read() as session:
        query = select(Scenario).order_by(Scenario.pk)
        if account_id is not None:
            query = query.where(Scenario.account_id == account_id)
        return [_shape(row) for row in session.exec(query).all()]


def save_scenario(
    db: Database,
    account_id: str,
    *,
    name: str,
    principal_arn: str,
    action: str,
    resource_arn: str = "*",
    context: dict[str, Any] | None = None,
    expected: str | None = None,
    description: str = "",
) -> dict[str, Any]:
    """Create the scenario, or replace the one of that name in the account."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise IamError("ValidationError", f"Scenario name must be 1 to {MAX_NAME} characters.")
    if expected is not None and expected not in DECISIONS:
        raise IamError(
            "ValidationError", f"Expected decision must be one of {', '.join(DECISIONS)}."
        )
    if ":" not in action:
        raise IamError("ValidationError", f"Action {action!r} must look like service:Action.")
    with db.transaction() as session:
        row = session.exec(
            select(Scenario).where(Scenario.account_id == account_id, Scenario.name == name)
        ).first()
        if row is None:
            row = Scenario(
                account_id=account_id, name=name, principal_arn=principal_arn, action=action
            )
        row.principal_arn = principal_arn
        row.action = action
        row.resource_arn = resource_arn or "*"
        row.context = json.dumps(context or {}, sort_keys=True)
        row.expected = expected
        row.description = description
        session.add(row)
        session.flush()
        return _shape(row)


def delete_scenario(db: Database, account_id: str, name: str) -> None:
    with db.transaction() as session:
        row = session.exec(
            select(Scenario).where(Scenario.account_id == account_id, Scenario.name == name)
        ).first()
        if row is None:
            raise IamError("NoSuchEntity", f"The scenario with name {name} cannot be found.")
        session.delete(row)
