"""Undoable edits of resource-based policies (S3 bucket policies, KMS key policies, Secrets
Manager resource policies)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from iamdesk.ui.commands.base import ServiceCommand, execute
from iamdesk.ui.context import AppContext

log = logging.getLogger(__name__)


def editable(service: str, policy: str | None) -> bool:
    """Whether the app can change this resource's policy and undo the change."""
    return service in ("s3", "kms") or (service == "secretsmanager" and policy is not None)


def _writer(context: AppContext, service: str, name: str) -> Callable[[str | None], Any]:
    from iamdesk.services import integration, resources

    db, account = context.database, context.account_id

    def write(policy: str | None) -> Any:
        if service == "s3":
            if policy is None:
                return resources.delete_bucket_policy(db, bucket=name, account_id=account)
            return resources.put_bucket_policy(db, bucket=name, policy=policy, account_id=account)
        if service == "kms":
            assert policy is not None  # a key always has a policy
            return resources.put_key_policy(db, key_id=name, policy=policy, account_id=account)
        if service == "secretsmanager":
            assert policy is not None  # only secrets that have a policy are edited (no delete)
            return integration.put_resource_policy(
                db, secret_id=name, resource_policy=policy, account_id=account
            )
        raise ValueError(f"editing {service} policies is not supported")

    return write


def set_resource_policy(
    context: AppContext, service: str, name: str, old: str | None, new: str
) -> Any:
    """Replace the resource's policy; undo puts the old one back (or removes it)."""
    write = _writer(context, service, name)
    return execute(
        context,
        ServiceCommand(
            context,
            f"Edit the resource policy of {name}",
            lambda: write(new),
            lambda: write(old),
            ("resources",),
        ),
    )
