"""What a principal can do: on one resource, or across the catalog's actions of a service."""

from __future__ import annotations

from typing import Any

from iamdesk.analysis.progress import Cancel, Progress
from iamdesk.analysis.who_can import AccessGrant

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")


def what_can(
    db: Any,
    account_id: str | None,
    principal_arn: str,
    resource: str | None = None,
    service: str | None = None,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[AccessGrant]:
    raise NotImplementedError("what-can is being built")
