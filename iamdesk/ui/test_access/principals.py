"""The principals a test can run as: users, roles and role sessions of every modelled account."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PrincipalChoice:
    arn: str
    kind: str  # "user", "role", "session", or "web identity"/"SAML" for a federated session
    name: str
    account_id: str
    account_name: str

    @property
    def label(self) -> str:
        return f"{self.kind} · {self.name} · {self.account_name or self.account_id}"


def _all_pages(call: Any, key: str, *args: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    marker = None
    while True:
        page = call(*args, marker=marker, max_items=1000)
        items.extend(page.get(key, []))
        if not page.get("IsTruncated"):
            return items
        marker = page.get("Marker")


def list_principals(db: Any) -> list[PrincipalChoice]:
    """Every user, role and recorded role session, by account (the default account first)."""
    from iamdesk.services.queries.accounts import list_accounts
    from iamdesk.services.roles import list_roles
    from iamdesk.services.users import list_users

    choices: list[PrincipalChoice] = []
    for account in list_accounts(db):
        account_id = account["AccountId"]
        name = account.get("Name") or account.get("Alias") or ""
        for user in _all_pages(list_users, "Users", db, account_id):
            choices.append(PrincipalChoice(user["Arn"], "user", user["UserName"], account_id, name))
        for role in _all_pages(list_roles, "Roles", db, account_id):
            choices.append(PrincipalChoice(role["Arn"], "role", role["RoleName"], account_id, name))
        federated = _federated(db, account_id)
        for session in _sessions(db, account_id):
            kind = federated.get(session, "session")
            choices.append(
                PrincipalChoice(session, kind, session.split("/", 1)[1], account_id, name)
            )
    return choices


def _federated(db: Any, account_id: str) -> dict[str, str]:
    """Sessions made from a web identity token or a SAML assertion, named as such."""
    from iamdesk.services.federation.sessions import federated_sessions

    words = {"web-identity": "web identity", "saml": "SAML"}
    return {arn: words[kind] for arn, kind in federated_sessions(db, account_id).items()}


def _sessions(db: Any, account_id: str) -> list[str]:
    from iamdesk.services.role_sessions import list_role_sessions

    return [str(s["Arn"]) for s in list_role_sessions(db, account_id)]
