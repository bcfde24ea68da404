"""Deleting resources the way each service does, and putting one back exactly for the app's undo.

The AWS operations: S3 DeleteBucket, KMS ScheduleKeyDeletion / CancelKeyDeletion (KMS never
deletes a key at once: it waits 7 to 30 days in ``PendingDeletion``, so the model keeps the key
and marks it), SQS DeleteQueue, SNS DeleteTopic (deleting a missing topic is not an error, as in
SNS), Secrets Manager DeleteSecret and Lambda DeleteFunction. The model holds no objects,
messages or versions, so S3's ``BucketNotEmpty`` cannot arise here.

AWS has no undelete; the app's undo does better with ``snapshot`` (a resource's row and tags)
and ``restore`` (the same name, ARN, creation date, policy, attributes and tags), and undoes a
create with ``purge``.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from iamdesk.services.entities import record, resolve_account, tags_of
from iamdesk.services.errors import IamError
from iamdesk.services.resources import attributes_of, find_row, get_row
from iamdesk.services.tags import replace_tags
from iamdesk.store.db import Database, iso
from iamdesk.store.tables import Resource, Tag

log = logging.getLogger(__name__)

KEY_PENDING_WINDOW = (7, 30)  # days a KMS key waits before deletion (default 30)
SECRET_RECOVERY_WINDOW = (7, 30)  # days Secrets Manager keeps a deleted secret (default 30)


def _remove(session: Session, db: Database, row: Resource, operation: str) -> None:
    assert row.pk is not None
    session.execute(delete(Tag).where(Tag.entity_type == "resource", Tag.entity_pk == row.pk))
    record(session, db, row.account_id, operation, row.resource_type, row.name, before=row.arn)
    session.delete(row)


def _later(db: Database, days: int) -> str:
    return iso(datetime.fromisoformat(db.now().replace("Z", "+00:00")) + timedelta(days=days))


def _window(value: int | None, bounds: tuple[int, int], code: str, field: str) -> int:
    days = bounds[1] if value is None else int(value)
    if not bounds[0] <= days <= bounds[1]:
        raise IamError(
            code, f"{field} must be between {bounds[0]} and {bounds[1]} days (got {days})."
        )
    return days


# ---------------------------------------------------------------------------- AWS operations


def delete_bucket(db: Database, *, bucket: str, account_id: str | None = None) -> None:
    with db.transaction() as session:
        account = resolve_account(session, db, account_id)
        row = get_row(session, None, "s3", bucket)
        if row.account_id != account:
            raise IamError("AccessDenied", "Access Denied")
        _remove(session, db, row, "DeleteBucket")


def schedule_key_deletion(
    db: Database,
    *,
    key_id: str,
    pending_window_in_days: int | None = None,
    account_id: str | None = None,
) -> dict[str, Any]:
    days = _window(
        pending_window_in_days, KEY_PENDING_WINDOW, "ValidationException", "PendingWindowInDays"
    )
    with db.transaction() as session:
        row = get_row(session, resolve_account(session, db, account_id), "kms", key_id)
        attrs = attributes_of(row)
        if attrs.get("KeyState") == "PendingDeletion":
            raise IamError("KMSInvalidStateException", f"{row.arn} is pending deletion.")
        attrs.update(KeyState="PendingDeletion", DeletionDate=_later(db, days))
        row.attributes = json.dumps(attrs)
        session.add(row)
        record(session, db, row.account_id, "ScheduleKeyDeletion", "key", row.name, after=days)
        return {
            "KeyId": row.arn,
            "DeletionDate": attrs["DeletionDate"],
            "KeyState": "PendingDeletion",
            "PendingWindowInDays": days,
        }


def cancel_key_deletion(
    db: Database, *, key_id: str, account_id: str | None = None
) -> dict[str, Any]:
    """As KMS does, a key whose deletion is cancelled is left ``Disabled``."""
    with db.transaction() as session:
        row = get_row(session, resolve_account(session, db, account_id), "kms", key_id)
        attrs = attributes_of(row)
        if attrs.get("KeyState") != "PendingDeletion":
            raise IamError(
                "KMSInvalidStateException", f"{row.arn} is not pending deletion (it is enabled)."
            )
        attrs.pop("DeletionDate", None)
        attrs["KeyState"] = "Disabled"
        row.attributes = json.dumps(attrs)
        session.add(row)
        record(session, db, row.account_id, "CancelKeyDeletion", "key", row.name)
        return {"KeyId": row.arn}


def delete_queue(db: Database, *, queue_url: str, account_id: str | None = None) -> None:
    name = queue_url.rstrip("/").rsplit("/", 1)[-1]
    with db.transaction() as session:
        row = get_row(session, resolve_account(session, db, account_id), "sqs", name)
        _remove(session, db, row, "DeleteQueue")


def delete_topic(db: Database, *, topic_arn: str, account_id: str | None = None) -> None:
    with db.transaction() as session:
        row = find_row(session, resolve_account(session, db, account_id), "sns", topic_arn)
        if row is not None:
            _remove(session, db, row, "DeleteTopic")


def delete_secret(
    db: Database,
    *,
    secret_id: str,
    recovery_window_in_days: int | None = None,
    force_delete_without_recovery: bool = False,
    account_id: str | None = None,
) -> dict[str, Any]:
    """The secret leaves the model at once (it can no longer be used either way); the answer
    carries the date AWS would delete it for good."""
    if force_delete_without_recovery and recovery_window_in_days is not None:
        raise IamError(
            "InvalidParameterException",
            "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        )
    days = (
        0
        if force_delete_without_recovery
        else _window(
            recovery_window_in_days,
            SECRET_RECOVERY_WINDOW,
            "InvalidParameterException",
            "RecoveryWindowInDays",
        )
    )
    with db.transaction() as session:
        row = get_row(
            session, resolve_account(session, db, account_id), "secretsmanager", secret_id
        )
        out = {"ARN": row.arn, "Name": row.name, "DeletionDate": _later(db, days)}
        _remove(session, db, row, "DeleteSecret")
        return out


def delete_function(db: Database, *, function_name: str, account_id: str | None = None) -> None:
    with db.transaction() as session:
        row = get_row(session, resolve_account(session, db, account_id), "lambda", function_name)
        _remove(session, db, row, "DeleteFunction")


# ----------------------------------------------------------------------------- the app's undo


def snapshot(db: Database, *, service: str, name: str, account_id: str | None) -> dict[str, Any]:
    """Everything ``restore`` needs to put the resource back as it is now."""
    with db.read() as session:
        row = get_row(session, resolve_account(session, db, account_id), service, name)
        assert row.pk is not None
        return {
            "AccountId": row.account_id,
            "Service": row.service,
            "Type": row.resource_type,
            "Name": row.name,
            "Arn": row.arn,
            "Region": row.region,
            "Policy": row.policy,
            "Attributes": row.attributes,
            "CreateDate": row.create_date,
            "Tags": tags_of(session, "resource", row.pk),
        }


def restore(db: Database, before: dict[str, Any]) -> None:
    """Put the resource back as ``before`` (a ``snapshot``) describes it: recreated when it is
    gone, its policy and attributes set back when it is still there (a KMS key pending
    deletion). ``ResourceConflictException`` when another resource took its name meanwhile."""
    with db.transaction() as session:
        row = session.scalars(select(Resource).where(Resource.arn == before["Arn"])).first()
        if row is None:
            clash = find_row(session, before["AccountId"], before["Service"], before["Name"])
            if clash is not None:
                raise IamError(
                    "ResourceConflictException",
                    f"Another {before['Type']} called {before['Name']} exists now.",
                )
            row = Resource(
                account_id=before["AccountId"],
                service=before["Service"],
                resource_type=before["Type"],
                name=before["Name"],
                arn=before["Arn"],
                create_date=before["CreateDate"],
            )
        row.region, row.policy = before["Region"], before["Policy"]
        row.attributes = before["Attributes"]
        session.add(row)
        session.flush()
        assert row.pk is not None
        replace_tags(session, "resource", row.pk, [(t["Key"], t["Value"]) for t in before["Tags"]])
        record(session, db, row.account_id, "Restore", row.resource_type, row.name, after=row.arn)


def refuse_existing(db: Database, *, service: str, name: str, account_id: str | None) -> None:
    """Refuse a name already in use. CreateQueue and CreateTopic answer an existing queue or
    topic as if they had made it; a create that is undone must know it made something."""
    with db.read() as session:
        if find_row(session, resolve_account(session, db, account_id), service, name) is None:
            return
    word = {"sqs": "queue", "sns": "topic"}.get(service, "resource")
    code = {"sqs": "QueueAlreadyExists", "sns": "InvalidParameter"}.get(service, "AlreadyExists")
    raise IamError(code, f"A {word} named {name} already exists in this account.")


def purge(db: Database, *, arn: str) -> None:
    """Remove a resource outright (the undo of its creation; KMS keys included)."""
    with db.transaction() as session:
        row = session.scalars(select(Resource).where(Resource.arn == arn)).first()
        if row is None:
            raise IamError("ResourceNotFoundException", f"{arn} no longer exists.")
        _remove(session, db, row, "Purge")
