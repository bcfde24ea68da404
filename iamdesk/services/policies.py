"""Managed policies: customer managed create/get/list/delete and their versions (at most 5, one
default). AWS managed policies come from the packaged catalog; they can be read and attached but
any change answers ``UnmodifiableEntity``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlmodel import Session

from iamdesk.core.policy.document import PolicyKind
from iamdesk.services import entities, managed_policies
from iamdesk.services.documents import check_policy
from iamdesk.services.errors import (
    IamError,
    already_exists,
    delete_conflict,
)

# The version operations live in policy_versions; callers reach them through this module too.
from iamdesk.services.policy_versions import (
    create_policy_version,
    default_document,
    delete_policy_version,
    get_policy_version,
    list_policy_versions,
    set_default_policy_version,
)
from iamdesk.services.tags import replace_tags
from iamdesk.services.validation import (
    check_description,
    check_max_items,
    check_name,
    check_path,
    check_path_prefix,
    check_tags,
)
from iamdesk.store.db import Database
from iamdesk.store.ids import iam_arn, unique_id
from iamdesk.store.tables import (
    ManagedPolicy,
    PolicyAttachment,
    PolicyVersion,
    Role,
    Tag,
    User,
)

log = logging.getLogger(__name__)


def usage_counts(session: Session, policy_pk: int) -> tuple[int, int]:
    """(AttachmentCount, PermissionsBoundaryUsageCount) for one policy."""
    attached = session.execute(
        select(func.count()).where(PolicyAttachment.policy_pk == policy_pk)
    ).scalar_one()
    boundary = sum(
        session.execute(
            select(func.count()).where(table.permissions_boundary_pk == policy_pk)  # type: ignore[attr-defined]
        ).scalar_one()
        for table in (User, Role)
    )
    return int(attached), int(boundary)


def policy_shape(
    session: Session, row: ManagedPolicy, *, description: bool = False, tags: bool = False
) -> dict[str, Any]:
    attached, boundary = usage_counts(session, int(row.pk or 0))
    out: dict[str, Any] = {
        "PolicyName": row.name,
        "PolicyId": row.policy_id,
        "Arn": row.arn,
        "Path": row.path,
        "DefaultVersionId": row.default_version_id,
        "AttachmentCount": attached,
        "PermissionsBoundaryUsageCount": boundary,
        "IsAttachable": row.is_attachable,
    }
    if description and row.description:
        out["Description"] = row.description
    out["CreateDate"] = row.create_date
    out["UpdateDate"] = row.update_date
    if tags:
        found = entities.tags_of(session, "policy", int(row.pk or 0))
        if found:
            out["Tags"] = found
    return out


def create_policy(
    db: Database,
    account_id: str | None,
    policy_name: str,
    policy_document: str | Mapping[str, Any],
    *,
    path: str | None = None,
    description: str | None = None,
    tags: Iterable[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    check_name(policy_name, "policyName")
    path = check_path(path)
    check_description(description)
    pairs = check_tags(tags)
    text, _ = check_policy(policy_document, PolicyKind.IDENTITY)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        taken = session.execute(
            select(
                exists().where(
                    ManagedPolicy.account_id == account, ManagedPolicy.name == policy_name
                )
            )
        ).scalar()
        if taken:
            raise already_exists("policy", policy_name)
        now = db.now()
        row = ManagedPolicy(
            account_id=account,
            name=policy_name,
            path=path,
            policy_id=unique_id("policy", db.rng),
            arn=iam_arn(account, "policy", path, policy_name),
            default_version_id="v1",
            description=description,
            create_date=now,
            update_date=now,
            next_version=2,
        )
        session.add(row)
        session.flush()
        pk = int(row.pk or 0)
        session.add(
            PolicyVersion(
                policy_pk=pk, version_id="v1", document=text, is_default=True, create_date=now
            )
        )
        replace_tags(session, "policy", pk, pairs)
        out = policy_shape(session, row, tags=True)
        entities.record(
            session,
            db,
            account,
            "CreatePolicy",
            "policy",
            row.arn,
            after={**out, "Document": entities.document_object(text)},
        )
    return {"Policy": out}


def get_policy(db: Database, account_id: str | None, policy_arn: str) -> dict[str, Any]:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.find_policy_readonly(session, account, policy_arn)
        if row is None:
            catalog = managed_policies.get(policy_arn)
            if catalog is None:
                raise IamError("NoSuchEntity", f"Policy {policy_arn} was not found.")
            out = catalog.to_aws()
            out = {
                **{
                    k: out[k] for k in ("PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId")
                },
                "AttachmentCount": 0,
                "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": True,
                **({"Description": out["Description"]} if out.get("Description") else {}),
                "CreateDate": out["CreateDate"],
                "UpdateDate": out["UpdateDate"],
            }
            return {"Policy": out}
        return {"Policy": policy_shape(session, row, description=True, tags=True)}


def list_policies(
    db: Database,
    account_id: str | None,
    *,
    scope: str = "All",
    only_attached: bool = False,
    path_prefix: str | None = None,
    policy_usage_filter: str | None = None,
    marker: str | None = None,
    max_items: int | None = None,
) -> dict[str, Any]:
    """ListPolicies: ``scope`` is All, AWS or Local; AWS managed ones come from the catalog.
    Ordered by name; ``marker`` (from a truncated page) is the position to continue from."""
    check_max_items(max_items)
    start = _marker_position(marker)
    if scope not in ("All", "AWS", "Local"):
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value '{scope}' at 'scope' failed to satisfy"
            " constraint: Member must satisfy enum value set: [All, AWS, Local]",
        )
    if policy_usage_filter not in (None, "PermissionsPolicy", "PermissionsBoundary"):
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value '{policy_usage_filter}' at"
            " 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value"
            " set: [PermissionsPolicy, PermissionsBoundary]",
        )
    prefix = check_path_prefix(path_prefix)
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        counts = dict(
            session.execute(
                select(PolicyAttachment.policy_pk, func.count()).group_by(
                    PolicyAttachment.policy_pk
                )
            ).all()
        )
        boundary_counts: dict[int, int] = {}
        for table in (User, Role):
            for pk, n in session.execute(
                select(table.permissions_boundary_pk, func.count())  # type: ignore[attr-defined]
                .where(table.permissions_boundary_pk.is_not(None))  # type: ignore[attr-defined]
                .group_by(table.permissions_boundary_pk)  # type: ignore[attr-defined]
            ).all():
                boundary_counts[pk] = boundary_counts.get(pk, 0) + n
        t = ManagedPolicy.__table__  # type: ignore[attr-defined]
        query = select(
            t.c.pk,
            t.c.name,
            t.c.policy_id,
            t.c.arn,
            t.c.path,
            t.c.default_version_id,
            t.c.is_attachable,
            t.c.create_date,
            t.c.update_date,
        )
        if scope == "Local":
            query = query.where(t.c.account_id == account)
        elif scope == "AWS":
            query = query.where(t.c.aws_managed == True)  # noqa: E712
        else:
            query = query.where((t.c.account_id == account) | (t.c.aws_managed == True))  # noqa: E712
        items: list[dict[str, Any]] = []
        listed: set[str] = set()
        for (
            pk,
            name,
            policy_id,
            arn,
            path,
            default,
            attachable,
            created,
            updated,
        ) in session.execute(query):
            listed.add(arn)
            items.append(
                {
                    "PolicyName": name,
                    "PolicyId": policy_id,
                    "Arn": arn,
                    "Path": path,
                    "DefaultVersionId": default,
                    "AttachmentCount": counts.get(pk, 0),
                    "PermissionsBoundaryUsageCount": boundary_counts.get(pk, 0),
                    "IsAttachable": attachable,
                    "CreateDate": created,
                    "UpdateDate": updated,
                }
            )
    if scope in ("All", "AWS"):
        for policy in managed_policies.all_policies():
            if policy.arn in listed:
                continue
            aws = policy.to_aws()
            items.append(
                {
                    "PolicyName": aws["PolicyName"],
                    "PolicyId": aws["PolicyId"],
                    "Arn": aws["Arn"],
                    "Path": aws["Path"],
                    "DefaultVersionId": aws["DefaultVersionId"],
                    "AttachmentCount": 0,
                    "PermissionsBoundaryUsageCount": 0,
                    "IsAttachable": True,
                    "CreateDate": aws["CreateDate"],
                    "UpdateDate": aws["UpdateDate"],
                }
            )
    items = [i for i in items if i["Path"].startswith(prefix)]
    if only_attached:
        items = [i for i in items if i["AttachmentCount"] or i["PermissionsBoundaryUsageCount"]]
    if policy_usage_filter == "PermissionsPolicy" and only_attached:
        items = [i for i in items if i["AttachmentCount"]]
    elif policy_usage_filter == "PermissionsBoundary" and only_attached:
        items = [i for i in items if i["PermissionsBoundaryUsageCount"]]
    items.sort(key=lambda i: (i["PolicyName"].lower(), i["Arn"]))
    end = len(items) if max_items is None else start + max_items
    result: dict[str, Any] = {"Policies": items[start:end], "IsTruncated": end < len(items)}
    if result["IsTruncated"]:
        result["Marker"] = str(end)
    return result


def _marker_position(marker: str | None) -> int:
    if marker is None:
        return 0
    if not marker.isdigit():
        raise IamError("InvalidInput", f"Invalid Marker: {marker}")
    return int(marker)


def delete_policy(db: Database, account_id: str | None, policy_arn: str) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_customer_policy(session, account, policy_arn)
        attached, boundary = usage_counts(session, int(row.pk or 0))
        if attached or boundary:
            raise delete_conflict("Cannot delete a policy attached to entities.")
        versions = session.execute(
            select(func.count()).where(PolicyVersion.policy_pk == row.pk)
        ).scalar_one()
        if versions > 1:
            raise delete_conflict(
                "This policy has more than one version. Before you delete a policy, you must"
                " delete the policy's versions. The default version is deleted with the policy."
            )
        before = policy_shape(session, row, description=True, tags=True)
        session.execute(delete(Tag).where(Tag.entity_type == "policy", Tag.entity_pk == row.pk))
        session.delete(row)
        entities.record(session, db, account, "DeletePolicy", "policy", row.arn, before=before)
    return {}


__all__ = [
    "create_policy",
    "create_policy_version",
    "default_document",
    "delete_policy",
    "delete_policy_version",
    "get_policy",
    "get_policy_version",
    "list_policies",
    "list_policy_versions",
    "policy_shape",
    "set_default_policy_version",
    "usage_counts",
]
