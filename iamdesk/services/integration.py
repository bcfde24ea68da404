"""Lambda functions, SQS queues, SNS topics and Secrets Manager secrets and their resource-based
policies, with each service's operation names, output shapes and error codes (see ``resources``
for the shared parts, S3 and KMS).

Lambda builds its policy from ``add-permission`` statements as Lambda does; SQS and SNS take the
policy as the ``Policy`` attribute; Secrets Manager takes it with ``put-resource-policy``. A
secret's value is never stored: the model needs only the secret's identity and policy.
"""

from __future__ import annotations

import hashlib
import json
import logging
import string
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from iamdesk.core import jsontext
from iamdesk.services.entities import resolve_account
from iamdesk.services.errors import IamError
from iamdesk.services.naming import check_resource_name
from iamdesk.services.resources import (
    DEFAULT_REGION,
    attributes_of,
    check_policy,
    create_row,
    find_row,
    get_row,
    store_policy,
)
from iamdesk.store.db import Database
from iamdesk.store.ids import random_text, random_uuid
from iamdesk.store.tables import Resource, Role

log = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------ Lambda


def create_function(
    db: Database,
    *,
    function_name: str,
    role: str,
    runtime: str = "python3.12",
    handler: str = "lambda_function.lambda_handler",
    tags: Mapping[str, str] | None = None,
    account_id: str | None = None,
    region: str = DEFAULT_REGION,
) -> dict[str, Any]:
    check_resource_name("lambda", function_name)
    with db.transaction() as session:
        account = resolve_account(session, db, account_id)
        if session.scalars(select(Role).where(Role.arn == role)).first() is None:
            raise IamError(
                "InvalidParameterValueException",
                "The role defined for the function cannot be assumed by Lambda.",
            )
        if find_row(session, account, "lambda", function_name) is not None:
            raise IamError("ResourceConflictException", f"Function already exist: {function_name}")
        row = create_row(
            session,
            db,
            account_id=account,
            service="lambda",
            name=function_name,
            arn=f"arn:aws:lambda:{region}:{account}:function:{function_name}",
            region=region,
            attributes={"Role": role, "Runtime": runtime, "Handler": handler},
            tags=tags,
        )
        return _function_shape(row)


def _function_shape(row: Resource) -> dict[str, Any]:
    attrs = attributes_of(row)
    return {
        "FunctionName": row.name,
        "FunctionArn": row.arn,
        "Runtime": attrs.get("Runtime"),
        "Role": attrs.get("Role"),
        "Handler": attrs.get("Handler"),
        "LastModified": row.create_date,
        "State": "Active",
    }


def _principal(principal: str) -> Any:
    if principal == "*":
        return "*"
    if principal.isdigit() and len(principal) == 12:
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    if principal.startswith("arn:"):
        return {"AWS": principal}
    return {"Service": principal}


def add_permission(
    db: Database,
    *,
    function_name: str,
    statement_id: str,
    action: str,
    principal: str,
    source_arn: str | None = None,
    source_account: str | None = None,
    principal_org_id: str | None = None,
    account_id: str | None = None,
) -> dict[str, Any]:
    with db.transaction() as session:
        row = get_row(session, resolve_account(session, db, account_id), "lambda", function_name)
        document = (
            jsontext.loads(row.policy)
            if row.policy
            else {"Version": "2012-10-17", "Id": "default", "Statement": []}
        )
        if any(s.get("Sid") == statement_id for s in document["Statement"]):
            raise IamError(
                "ResourceConflictException",
                f"The statement id ({statement_id}) provided already exists. Please provide a new "
                "statement id, or remove the existing statement.",
            )
        statement: dict[str, Any] = {
            "Sid": statement_id,
            "Effect": "Allow",
            "Principal": _principal(principal),
            "Action": action,
            "Resource": row.arn,
        }
        condition: dict[str, dict[str, str]] = {}
        if source_account:
            condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = source_account
        if principal_org_id:
            condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = principal_org_id
        if source_arn:
            condition["ArnLike"] = {"AWS:SourceArn": source_arn}
        if condition:
            statement["Condition"] = condition
        document["Statement"].append(statement)
        store_policy(session, db, row, check_policy("lambda", json.dumps(document)))
        return {"Statement": json.dumps(statement)}


def get_policy(
    db: Database, *, function_name: str, account_id: str | None = None
) -> dict[str, Any]:
    with db.read() as session:
        row = get_row(session, resolve_account(session, db, account_id), "lambda", function_name)
        if row.policy is None:
            raise IamError(
                "ResourceNotFoundException", "The resource you requested does not exist."
            )
        return {"Policy": row.policy, "RevisionId": _revision(row)}


def _revision(row: Resource) -> str:
    digest = hashlib.sha256((row.policy or "").encode("utf-8")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def remove_permission(
    db: Database, *, function_name: str, statement_id: str, account_id: str | None = None
) -> None:
    with db.transaction() as session:
        row = get_row(session, resolve_account(session, db, account_id), "lambda", function_name)
        document = jsontext.loads(row.policy) if row.policy else {"Statement": []}
        kept = [s for s in document["Statement"] if s.get("Sid") != statement_id]
        if len(kept) == len(document["Statement"]):
            raise IamError(
                "ResourceNotFoundException", "The resource you requested does not exist."
            )
        document["Statement"] = kept
        store_policy(session, db, row, json.dumps(document) if kept else None)


# --------------------------------------------------------------------------------------- SQS


def _queue_url(row: Resource) -> str:
    return f"https://sqs.{row.region}.amazonaws.com/{row.account_id}/{row.name}"


def _queue(session: Any, account: str, queue_url: str) -> Resource:
    name = queue_url.rstrip("/").rsplit("/", 1)[-1]
    return get_row(session, account, "sqs", name)


def create_queue(
    db: Database,
    *,
    queue_name: str,
    attributes: Mapping[str, str] | None = None,
    tags: Mapping[str, str] | None = None,
    account_id: str | None = None,
    region: str = DEFAULT_REGION,
) -> dict[str, Any]:
    check_resource_name("sqs", queue_name)
    attributes = dict(attributes or {})
    policy = attributes.pop("Policy", None)
    if policy is not None:
        check_policy("sqs", policy)
    with db.transaction() as session:
        account = resolve_account(session, db, account_id)
        existing = find_row(session, account, "sqs", queue_name)
        if existing is None:
            existing = create_row(
                session,
                db,
                account_id=account,
                service="sqs",
                name=queue_name,
                arn=f"arn:aws:sqs:{region}:{account}:{queue_name}",
                region=region,
                policy=policy,
                attributes=attributes,
                tags=tags,
            )
        elif attributes_of(existing) != attributes or existing.policy != policy:
            raise IamError(
                "QueueAlreadyExists",
                "A queue already exists with the same name and a different value for attribute(s).",
            )
        return {"QueueUrl": _queue_url(existing)}


def set_queue_attributes(
    db: Database, *, queue_url: str, attributes: Mapping[str, str], account_id: str | None = None
) -> None:
    attributes = dict(attributes)
    has_policy = "Policy" in attributes
    policy = attributes.pop("Policy", None) or None  # an empty Policy removes the policy
    if policy is not None:
        check_policy("sqs", policy)
    with db.transaction() as session:
        row = _queue(session, resolve_account(session, db, account_id), queue_url)
        if attributes:
            row.attributes = json.dumps({**attributes_of(row), **attributes})
        if has_policy:
            store_policy(session, db, row, policy)
        session.add(row)


# SQS's defaults for the attributes a queue was created without.
SQS_DEFAULTS = {
    "VisibilityTimeout": "30",
    "MaximumMessageSize": "262144",
    "MessageRetentionPeriod": "345600",
    "DelaySeconds": "0",
    "ReceiveMessageWaitTimeSeconds": "0",
    "SqsManagedSseEnabled": "true",
}


def get_queue_attributes(
    db: Database,
    *,
    queue_url: str,
    attribute_names: list[str] | None = None,
    account_id: str | None = None,
) -> dict[str, Any]:
    with db.read() as session:
        row = _queue(session, resolve_account(session, db, account_id), queue_url)
        created = str(int(datetime.fromisoformat(row.create_date).timestamp()))
        values: dict[str, str] = {
            "QueueArn": row.arn,
            # A model queue holds no messages.
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": created,
            "LastModifiedTimestamp": created,
            **SQS_DEFAULTS,
            **attributes_of(row),
        }
        if row.policy is not None:
            values["Policy"] = row.policy
        names = attribute_names or ["All"]
        if "All" not in names:
            values = {k: v for k, v in values.items() if k in names}
        return {"Attributes": values}


# --------------------------------------------------------------------------------------- SNS

# What SNS reports for a topic whose delivery policy was never set (HTTP retries).
SNS_EFFECTIVE_DELIVERY_POLICY = json.dumps(
    {
        "http": {
            "defaultHealthyRetryPolicy": {
                "minDelayTarget": 20,
                "maxDelayTarget": 20,
                "numRetries": 3,
                "numMaxDelayRetries": 0,
                "numNoDelayRetries": 0,
                "numMinDelayRetries": 0,
                "backoffFunction": "linear",
            },
            "disableSubscriptionOverrides": False,
            "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
        }
    },
    separators=(",", ":"),
)


def default_topic_policy(arn: str, account_id: str) -> str:
    """The access policy SNS gives a new topic: only the owner account may use it."""
    return json.dumps(
        {
            "Version": "2008-10-17",
            "Id": "__default_policy_ID",
            "Statement": [
                {
                    "Sid": "__default_statement_ID",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": [
                        "SNS:GetTopicAttributes",
                        "SNS:SetTopicAttributes",
                        "SNS:AddPermission",
                        "SNS:RemovePermission",
                        "SNS:DeleteTopic",
                        "SNS:Subscribe",
                        "SNS:ListSubscriptionsByTopic",
                        "SNS:Publish",
                    ],
                    "Resource": arn,
                    "Condition": {"StringEquals": {"AWS:SourceOwner": account_id}},
                }
            ],
        }
    )


def create_topic(
    db: Database,
    *,
    name: str,
    tags: Mapping[str, str] | None = None,
    account_id: str | None = None,
    region: str = DEFAULT_REGION,
) -> dict[str, Any]:
    check_resource_name("sns", name)
    with db.transaction() as session:
        account = resolve_account(session, db, account_id)
        arn = f"arn:aws:sns:{region}:{account}:{name}"
        if find_row(session, account, "sns", name) is None:
            create_row(
                session,
                db,
                account_id=account,
                service="sns",
                name=name,
                arn=arn,
                region=region,
                policy=default_topic_policy(arn, account),
                tags=tags,
            )
        return {"TopicArn": arn}


def set_topic_attributes(
    db: Database,
    *,
    topic_arn: str,
    attribute_name: str,
    attribute_value: str,
    account_id: str | None = None,
) -> None:
    with db.transaction() as session:
        row = get_row(session, resolve_account(session, db, account_id), "sns", topic_arn)
        if attribute_name == "Policy":
            store_policy(session, db, row, check_policy("sns", attribute_value))
            return
        row.attributes = json.dumps({**attributes_of(row), attribute_name: attribute_value})
        session.add(row)


def get_topic_attributes(
    db: Database, *, topic_arn: str, account_id: str | None = None
) -> dict[str, Any]:
    with db.read() as session:
        row = get_row(session, resolve_account(session, db, account_id), "sns", topic_arn)
        values = {
            "TopicArn": row.arn,
            "Owner": row.account_id,
            # A model topic has no subscriptions.
            "SubscriptionsConfirmed": "0",
            "SubscriptionsPending": "0",
            "SubscriptionsDeleted": "0",
            "DisplayName": "",
            "EffectiveDeliveryPolicy": SNS_EFFECTIVE_DELIVERY_POLICY,
            **attributes_of(row),
        }
        if row.policy is not None:
            values["Policy"] = row.policy
        return {"Attributes": values}


# ---------------------------------------------------------------------------- Secrets Manager


def create_secret(
    db: Database,
    *,
    name: str,
    description: str = "",
    tags: Mapping[str, str] | None = None,
    account_id: str | None = None,
    region: str = DEFAULT_REGION,
) -> dict[str, Any]:
    check_resource_name("secretsmanager", name)
    with db.transaction() as session:
        account = resolve_account(session, db, account_id)
        if find_row(session, account, "secretsmanager", name) is not None:
            raise IamError(
                "ResourceExistsException",
                f"The operation failed because the secret {name} already exists.",
            )
        suffix = random_text(string.ascii_letters + string.digits, 6, db.rng)
        row = create_row(
            session,
            db,
            account_id=account,
            service="secretsmanager",
            name=name,
            arn=f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-{suffix}",
            region=region,
            attributes={"Description": description},
            tags=tags,
        )
        return {"ARN": row.arn, "Name": row.name, "VersionId": random_uuid(db.rng)}


def put_resource_policy(
    db: Database, *, secret_id: str, resource_policy: str, account_id: str | None = None
) -> dict[str, Any]:
    check_policy("secretsmanager", resource_policy)
    with db.transaction() as session:
        row = get_row(
            session, resolve_account(session, db, account_id), "secretsmanager", secret_id
        )
        store_policy(session, db, row, resource_policy)
        return {"ARN": row.arn, "Name": row.name}


def get_resource_policy(
    db: Database, *, secret_id: str, account_id: str | None = None
) -> dict[str, Any]:
    with db.read() as session:
        row = get_row(
            session, resolve_account(session, db, account_id), "secretsmanager", secret_id
        )
        out = {"ARN": row.arn, "Name": row.name}
        if row.policy is not None:
            out["ResourcePolicy"] = row.policy
        return out
