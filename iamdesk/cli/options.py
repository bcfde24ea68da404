"""Options that every ``iamdesk`` command shares."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from iamdesk.cli.frontend.globals import AwsGlobals
from iamdesk.store.location import resolve_db_path


@dataclass(frozen=True)
class GlobalOptions:
    db: Path | str | None = None  # a file, or a postgresql:// URL
    demo: bool = False
    account_id: str | None = None
    screenshot: Path | None = None
    view: str | None = None
    aws: AwsGlobals | None = None  # the AWS CLI's global options (--output, --query, ...)

    def db_path(self) -> Path | str:
        return resolve_db_path(self.db)

    def account(self) -> str | None:
        """``--account-id``, else ``IAMDESK_ACCOUNT``, else None (the model's default account)."""
        return self.account_id or os.environ.get("IAMDESK_ACCOUNT") or None
