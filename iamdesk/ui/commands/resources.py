"""Undoable edits of resources: create and delete them, and edit their resource-based policies
(S3 bucket policies, KMS key policies, SQS queue and SNS topic policies, Secrets Manager
resource policies). Lambda function policies are not edited here: AWS changes them only a
statement at a time (AddPermission/RemovePermission)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from iamdesk.ui.commands.base import ServiceCommand, created_once, execute
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


# Creating and deleting resources ----------------------------------------------------------

KIND_WORDS = {
    "s3": "S3 bucket",
    "kms": "KMS key",
    "lambda": "Lambda function",
    "sqs": "SQS queue",
    "sns": "SNS topic",
    "secretsmanager": "Secrets Manager secret",
}


def _create(db: Any, service: str, fields: dict[str, Any]) -> str:
    """Run the service's create operation; the name the resource is stored under."""
    from iamdesk.services import integration, removals, resources

    account, region, name = fields["account"], fields["region"], fields.get("name", "")
    if service == "s3":
        resources.create_bucket(db, bucket=name, account_id=account, region=region)
        return str(name)
    if service == "kms":
        out = resources.create_key(
            db, description=fields.get("description", ""), account_id=account, region=region
        )
        return str(out["KeyMetadata"]["KeyId"])
    if service == "sqs":
        # CreateQueue answers an existing identical queue with its URL; the app's create must
        # not pretend it made one (its undo would delete the old queue).
        removals.refuse_existing(db, service="sqs", name=name, account_id=account)
        integration.create_queue(db, queue_name=name, account_id=account, region=region)
        return str(name)
    if service == "sns":
        removals.refuse_existing(db, service="sns", name=name, account_id=account)  # idem
        integration.create_topic(db, name=name, account_id=account, region=region)
        return str(name)
    if service == "secretsmanager":
        integration.create_secret(
            db,
            name=name,
            description=fields.get("description", ""),
            account_id=account,
            region=region,
        )
        return str(name)
    if service == "lambda":
        integration.create_function(
            db,
            function_name=name,
            role=fields["role"],
            runtime=fields.get("runtime") or "python3.12",
            account_id=account,
            region=region,
        )
        return str(name)
    raise ValueError(f"creating {service} resources is not supported")


def create_resource(context: AppContext, service: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Create a resource (``fields``: account, region, name, and the service's own: description,
    role, runtime); the snapshot of what was made. Undo removes it outright; redo brings back
    the same ARN and date (a KMS key's id, a secret's ARN suffix) rather than a new one."""
    from iamdesk.services import removals

    db = context.database

    def create() -> dict[str, Any]:
        name = _create(db, service, fields)
        return removals.snapshot(db, service=service, name=name, account_id=fields["account"])

    do, made = created_once(create, lambda snapshot: removals.restore(db, snapshot))
    label = fields.get("name") or fields.get("description") or "(new key)"
    result: dict[str, Any] = execute(
        context,
        ServiceCommand(
            context,
            f"Create {KIND_WORDS[service]} {label}",
            do,
            lambda: removals.purge(db, arn=made["Arn"]),
            ("resources",),
        ),
    )
    return result


def delete_resource(
    context: AppContext, service: str, name: str, account_id: str, *, window_days: int = 30
) -> None:
    """The service's delete (a KMS key is scheduled for deletion after ``window_days``, a secret
    gets that recovery window); undo puts back exactly what was there."""
    from iamdesk.services import removals

    db = context.database
    before = removals.snapshot(db, service=service, name=name, account_id=account_id)

    def do() -> Any:
        if service == "s3":
            return removals.delete_bucket(db, bucket=name, account_id=account_id)
        if service == "kms":
            return removals.schedule_key_deletion(
                db, key_id=name, pending_window_in_days=window_days, account_id=account_id
            )
        if service == "sqs":
            return removals.delete_queue(db, queue_url=name, account_id=account_id)
        if service == "sns":
            return removals.delete_topic(db, topic_arn=before["Arn"], account_id=account_id)
        if service == "secretsmanager":
            return removals.delete_secret(
                db, secret_id=name, recovery_window_in_days=window_days, account_id=account_id
            )
        if service == "lambda":
            return removals.delete_function(db, function_name=name, account_id=account_id)
        raise ValueError(f"deleting {service} resources is not supported")

    verb = "Schedule deletion of" if service == "kms" else "Delete"
    execute(
        context,
        ServiceCommand(
            context,
            f"{verb} {KIND_WORDS[service]} {name}",
            do,
            lambda: removals.restore(db, before),
            ("resources",),
        ),
    )
