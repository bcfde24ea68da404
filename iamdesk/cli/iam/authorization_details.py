"""``iamdesk iam get-account-authorization-details [--filter ...]``: the account as AWS dumps it
(``iamdesk import FILE`` reads such a file back)."""

from __future__ import annotations

from typing import Any

from iamdesk.services.importexport import export_authorization_details
from iamdesk.store.db import Database


def _export(db: Database, account_id: str | None, filter: list[str] | None = None) -> Any:
    return export_authorization_details(db, account_id or db.default_account_id(), filter)


def register_iam_commands(register: Any) -> None:
    from iamdesk.cli.iam import command

    command(
        "get-account-authorization-details",
        "GetAccountAuthorizationDetails",
        _export,
        "filter:list",
        help="every user, group, role and policy of the account, with their documents",
    )
