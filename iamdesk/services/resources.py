"""Resources that carry resource-based policies: S3 buckets, KMS keys, Lambda functions, SQS
queues, SNS topics and Secrets Manager secrets, with each service's own operation names, output
shapes and error codes (the AWS CLI's), so that documentation examples work unchanged.

Every policy is checked with the core parser before it is stored; a bad one raises the service's
error code and changes nothing. ``resource_for_arn`` lets the simulator find the resource (and its
owner account) that a request's resource ARN names, e.g. the bucket of an S3 object ARN.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.core import jsontext
from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.parser import parse_policy
from iamdesk.services import principal_refs
from iamdesk.services.entities import record, resolve_account
from iamdesk.services.errors import IamError
from iamdesk.services.naming import check_resource_name
from iamdesk.store.db import Database
from iamdesk.store.ids import random_uuid
from iamdesk.store.tables import Resource, Tag

log = logging.getLogger(__name__)

DEFAULT_REGION = "us-east-1"
# service -> (resource type, error code for a missing resource, its message, error code for a
# bad policy)
SERVICES: dict[str, tuple[str, str, str, str]] = {
    "s3": ("bucket", "NoSuchBucket", "The specified bucket does not exist", "MalformedPolicy"),
    "kms": (
        "key",
        "NotFoundException",
        "Key '{name}' does not exist",
        "MalformedPolicyDocumentException",
    ),
    "lambda": (
        "function",
        "ResourceNotFoundException",
        "Function not found: {name}",
        "InvalidParameterValueException",
    ),
    "sqs": (
        "queue",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
        "InvalidAttributeValue",
    ),
    "sns": ("topic", "NotFound", "Topic does not exist", "InvalidParameter"),
    "secretsmanager": (
        "secret",
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
        "MalformedPolicyDocumentException",
    ),
}


# ------------------------------------------------------------------------------ shared parts


def check_policy(service: str, text: str) -> str:
    """The policy text if the core parser accepts it as a resource policy, else the service's
    error (nothing is stored)."""
    code = SERVICES[service][3]
    try:
        document = parse_policy(text)
    except PolicyParseError as exc:
        raise IamError(code, _bad_policy_message(service, str(exc))) from None
    if not all(s.principal or s.not_principal for s in document.statements):
        raise IamError(code, _bad_policy_message(service, "Missing required field Principal"))
    return text


def _bad_policy_message(service: str, detail: str) -> str:
    if service == "s3":
        return f"Policies must be valid JSON and the first byte must be '{{' ({detail})"
    if service == "sqs":
        return f"Invalid value for the parameter Policy. ({detail})"
    if service == "sns":
        return f"Invalid parameter: Policy Error: {detail}"
    return f"The policy is not valid: {detail}"


# How each service words a principal that does not exist; the principal follows in brackets.
_INVALID_PRINCIPAL = {
    "kms": "Policy contains a statement with one or more invalid principals.",
    "lambda": "The provided principal was invalid. Please check the principal and try again.",
    "sqs": "Invalid value for the parameter Policy.",
    "sns": "Invalid parameter: Policy Error: PrincipalNotFound",
    "secretsmanager": "This resource policy contains an unsupported principal.",
}


def _check_principals(session: Session, service: str, policy: str | None) -> None:
    """A principal user or role of a modelled account must exist (AWS stores its unique ID)."""
    if policy is not None:
        principal_refs.check_principals(
            session,
            policy,
            lambda detail: IamError(
                SERVICES[service][3],
                detail if service == "s3" else f"{_INVALID_PRINCIPAL[service]} ({detail})",
            ),
        )


def _missing(service: str, name: str) -> IamError:
    _, code, message, _ = SERVICES[service]
    return IamError(code, message.format(name=name))


def find_row(session: Session, account_id: str | None, service: str, name: str) -> Resource | None:
    query = select(Resource).where(Resource.service == service)
    if account_id is not None:
        query = query.where(Resource.account_id == account_id)
    if name.startswith("arn:"):
        return session.scalars(query.where(Resource.arn == name)).first()
    return session.scalars(query.where(Resource.name == name)).first()


def get_row(session: Session, account_id: str | None, service: str, name: str) -> Resource:
    row = find_row(session, account_id, service, name)
    if row is None:
        raise _missing(service, name)
    return row


def create_row(
    session: Session,
    db: Database,
    *,
    account_id: str,
    service: str,
    name: str,
    arn: str,
    region: str | None,
    policy: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
) -> Resource:
    _check_principals(session, service, policy)
    row = Resource(
        account_id=account_id,
        service=service,
        resource_type=SERVICES[service][0],
        name=name,
        arn=arn,
        region=region,
        policy=policy,
        attributes=json.dumps(dict(attributes or {})),
        create_date=db.now(),
    )
    session.add(row)
    session.flush()
    assert row.pk is not None
    for key, value in (tags or {}).items():
        session.add(Tag(entity_type="resource", entity_pk=row.pk, key=key, value=value))
    record(session, db, account_id, f"Create:{service}", SERVICES[service][0], name, after=arn)
    return row


def store_policy(session: Session, db: Database, row: Resource, policy: str | None) -> None:
    _check_principals(session, row.service, policy)
    before = row.policy
    row.policy = policy
    session.add(row)
    operation = "PutResourcePolicy" if policy is not None else "DeleteResourcePolicy"
    record(
        session,
        db,
        row.account_id,
        f"{operation}:{row.service}",
        row.resource_type,
        row.name,
        before=before,
        after=policy,
    )


def attributes_of(row: Resource) -> dict[str, Any]:
    value: dict[str, Any] = jsontext.loads(row.attributes or "{}")
    return value


def resource_for_arn(session: Session, arn: str) -> Resource | None:
    """The modelled resource a request's resource ARN falls in (an S3 object -> its bucket)."""
    row = session.scalars(select(Resource).where(Resource.arn == arn)).first()
    if row is not None or not arn.startswith("arn:aws:s3:::"):
        return row
    bucket = arn[len("arn:aws:s3:::") :].split("/", 1)[0]
    return session.scalars(
        select(Resource).where(Resource.service == "s3", Resource.name == bucket)
    ).first()


def list_resources(db: Database, *, account_id: str | None = None) -> list[dict[str, Any]]:
    """Every modelled resource of the account (all accounts when None), for the GUI."""
    with db.read() as session:
        query = select(Resource).order_by(Resource.service, Resource.name)
        if account_id is not None:
            query = query.where(Resource.account_id == account_id)
        rows = []
        for r in session.scalars(query).all():
            attributes = attributes_of(r)
            rows.append(
                {
                    "Service": r.service,
                    "Type": r.resource_type,
                    "Name": r.name,
                    "Arn": r.arn,
                    "AccountId": r.account_id,
                    # A bucket's ARN has no region; S3 keeps it as the bucket's location.
                    "Region": r.region or attributes.get("Region"),
                    "Policy": r.policy,
                    "CreateDate": r.create_date,
                    "Attributes": attributes,
                }
            )
        return rows


# ---------------------------------------------------------------------------------------- S3


def create_bucket(
    db: Database, *, bucket: str, account_id: str | None = None, region: str = DEFAULT_REGION
) -> dict[str, Any]:
    check_resource_name("s3", bucket)
    with db.transaction() as session:
        account = resolve_account(session, db, account_id)
        existing = find_row(session, None, "s3", bucket)
        if existing is not None:
            if existing.account_id == account:
                raise IamError(
                    "BucketAlreadyOwnedByYou",
                    "Your previous request to create the named bucket succeeded and you already "
                    "own it.",
                )
            raise IamError(
                "BucketAlreadyExists",
                "The requested bucket name is not available. The bucket namespace is shared by all "
                "users of the system. Please select a different name and try again.",
            )
        create_row(
            session,
            db,
            account_id=account,
            service="s3",
            name=bucket,
            arn=f"arn:aws:s3:::{bucket}",
            region=None,
            attributes={"Region": region},
        )
    return {"Location": f"/{bucket}"}


def _own_bucket(session: Session, db: Database, account_id: str | None, bucket: str) -> Resource:
    account = resolve_account(session, db, account_id)
    row = get_row(session, None, "s3", bucket)
    if row.account_id != account:
        raise IamError("AccessDenied", "Access Denied")
    return row


def put_bucket_policy(
    db: Database, *, bucket: str, policy: str, account_id: str | None = None
) -> None:
    check_policy("s3", policy)
    with db.transaction() as session:
        store_policy(session, db, _own_bucket(session, db, account_id, bucket), policy)


def get_bucket_policy(
    db: Database, *, bucket: str, account_id: str | None = None
) -> dict[str, Any]:
    with db.read() as session:
        row = _own_bucket(session, db, account_id, bucket)
        if row.policy is None:
            raise IamError("NoSuchBucketPolicy", "The bucket policy does not exist")
        return {"Policy": row.policy}


def delete_bucket_policy(db: Database, *, bucket: str, account_id: str | None = None) -> None:
    with db.transaction() as session:
        store_policy(session, db, _own_bucket(session, db, account_id, bucket), None)


def list_buckets(db: Database, *, account_id: str | None = None) -> dict[str, Any]:
    with db.read() as session:
        account = resolve_account(session, db, account_id)
        rows = session.scalars(
            select(Resource)
            .where(Resource.service == "s3", Resource.account_id == account)
            .order_by(Resource.name)
        ).all()
        return {
            "Buckets": [{"Name": r.name, "CreationDate": r.create_date} for r in rows],
            "Owner": {"ID": account},
        }


# --------------------------------------------------------------------------------------- KMS


def default_key_policy(account_id: str) -> str:
    """The key policy KMS gives a key created without one: the account may delegate by IAM."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Id": "key-default-1",
            "Statement": [
                {
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        },
        indent=4,
    )


def _key_metadata(row: Resource) -> dict[str, Any]:
    attrs = attributes_of(row)
    state = attrs.get("KeyState", "Enabled")  # PendingDeletion / Disabled: see ``removals``
    extra = {"DeletionDate": attrs["DeletionDate"]} if "DeletionDate" in attrs else {}
    return {
        "AWSAccountId": row.account_id,
        "KeyId": row.name,
        "Arn": row.arn,
        "CreationDate": row.create_date,
        "Enabled": state == "Enabled",
        "Description": attrs.get("Description", ""),
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": state,
        **extra,
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": False,
    }


def create_key(
    db: Database,
    *,
    description: str = "",
    policy: str | None = None,
    tags: Mapping[str, str] | None = None,
    account_id: str | None = None,
    region: str = DEFAULT_REGION,
) -> dict[str, Any]:
    check_resource_name("kms", description)
    if policy is not None:
        check_policy("kms", policy)
    with db.transaction() as session:
        account = resolve_account(session, db, account_id)
        key_id = random_uuid(db.rng)
        row = create_row(
            session,
            db,
            account_id=account,
            service="kms",
            name=key_id,
            arn=f"arn:aws:kms:{region}:{account}:key/{key_id}",
            region=region,
            policy=policy or default_key_policy(account),
            attributes={"Description": description},
            tags=tags,
        )
        return {"KeyMetadata": _key_metadata(row)}


def put_key_policy(
    db: Database,
    *,
    key_id: str,
    policy: str,
    policy_name: str = "default",
    account_id: str | None = None,
) -> None:
    if policy_name != "default":
        raise IamError("InvalidParameterValueException", "PolicyName must be 'default'.")
    check_policy("kms", policy)
    with db.transaction() as session:
        account = resolve_account(session, db, account_id)
        store_policy(session, db, get_row(session, account, "kms", key_id), policy)


def get_key_policy(
    db: Database, *, key_id: str, policy_name: str = "default", account_id: str | None = None
) -> dict[str, Any]:
    with db.read() as session:
        row = get_row(session, resolve_account(session, db, account_id), "kms", key_id)
        return {"Policy": row.policy, "PolicyName": policy_name}


def list_keys(db: Database, *, account_id: str | None = None) -> dict[str, Any]:
    with db.read() as session:
        account = resolve_account(session, db, account_id)
        rows = session.scalars(
            select(Resource)
            .where(Resource.service == "kms", Resource.account_id == account)
            .order_by(Resource.pk)
        ).all()
        return {"Keys": [{"KeyId": r.name, "KeyArn": r.arn} for r in rows], "Truncated": False}
