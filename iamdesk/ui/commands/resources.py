"""Undoable edits of resource-based policies (S3 bucket policies, KMS key policies, SQS queue
and SNS topic policies, Secrets Manager resource policies). Lambda function policies are not
edited here: AWS changes them only a statement at a time (AddPermission/RemovePermission)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from iamdesk.ui.commands.base import ServiceCommand, execute
from iamdesk.ui.context import AppContext

log = logging.getLogger(__name__)


def editable(service: str, policy: str | None) -> bool:
    """Whether the app can change this resource's policy and undo the change."""
    # A secret's or topic's policy can be replaced but not removed here, so only an existing
    # one is edited (its undo always has a policy to put back).
    return service in ("s3", "kms", "sqs") or (
        service in ("secretsmanager", "sns") and policy is not None
    )


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
        if service == "sqs":
            # An empty Policy attribute removes the queue's policy (SetQueueAttributes).
            return integration.set_queue_attributes(
                db, queue_url=name, attributes={"Policy": policy or ""}, account_id=account
            )
        if service == "sns":
            assert policy is not None  # a topic always has a policy
            return integration.set_topic_attributes(
                db,
                topic_arn=name,
                attribute_name="Policy",
                attribute_value=policy,
                account_id=account,
            )
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
