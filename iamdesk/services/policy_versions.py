"""Versions of customer managed policies: at most 5, exactly one the default; version numbers
are never reused. AWS managed policies answer ``UnmodifiableEntity`` to any change."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session

from iamdesk.core.policy.document import PolicyKind
from iamdesk.services import entities, managed_policies
from iamdesk.services.documents import check_policy
from iamdesk.services.errors import IamError, delete_conflict, limit_exceeded
from iamdesk.services.managed_policies import HistoryVersion, is_aws_managed_arn, policy_history
from iamdesk.services.validation import check_version_id
from iamdesk.store.db import Database
from iamdesk.store.tables import ManagedPolicy, PolicyVersion

log = logging.getLogger(__name__)

MAX_VERSIONS = 5


def check_version_count(count: int) -> None:
    """A customer managed policy about to hold ``count`` versions."""
    if count > MAX_VERSIONS:
        raise limit_exceeded(
            "A managed policy can have up to 5 versions. Before you create a new version,"
            " you must delete an existing version."
        )


def _version(session: Session, row: ManagedPolicy, version_id: str) -> PolicyVersion:
    check_version_id(version_id)
    found = session.scalars(
        select(PolicyVersion).where(
            PolicyVersion.policy_pk == row.pk, PolicyVersion.version_id == version_id
        )
    ).first()
    if found is None:
        raise IamError("NoSuchEntity", f"Policy {row.arn} version {version_id} does not exist.")
    return found


def _version_shape(version: PolicyVersion, *, document: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if document:
        out["Document"] = entities.document_object(version.document)
    out["VersionId"] = version.version_id
    out["IsDefaultVersion"] = version.is_default
    out["CreateDate"] = version.create_date
    return out


def create_policy_version(
    db: Database,
    account_id: str | None,
    policy_arn: str,
    policy_document: str | Mapping[str, Any],
    *,
    set_as_default: bool = False,
) -> dict[str, Any]:
    text, _ = check_policy(policy_document, PolicyKind.IDENTITY)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_customer_policy(session, account, policy_arn)
        count = session.execute(
            select(func.count()).where(PolicyVersion.policy_pk == row.pk)
        ).scalar_one()
        check_version_count(count + 1)
        now = db.now()
        version_id = f"v{row.next_version}"
        if set_as_default:
            session.execute(
                update(PolicyVersion)
                .where(PolicyVersion.policy_pk == row.pk)
                .values(is_default=False)
            )
        version = PolicyVersion(
            policy_pk=int(row.pk or 0),
            version_id=version_id,
            document=text,
            is_default=set_as_default,
            create_date=now,
        )
        session.add(version)
        values: dict[str, Any] = {"next_version": row.next_version + 1, "update_date": now}
        if set_as_default:
            values["default_version_id"] = version_id
        session.execute(update(ManagedPolicy).where(ManagedPolicy.pk == row.pk).values(**values))
        out = _version_shape(version, document=False)
        entities.record(
            session,
            db,
            account,
            "CreatePolicyVersion",
            "policy",
            row.arn,
            after={**out, "Document": entities.document_object(text)},
        )
    return {"PolicyVersion": out}


def _aws_history(session: Session, policy_arn: str) -> list[HistoryVersion]:
    """An AWS managed policy's versions: the catalog's history, under the model's default."""
    found = policy_history(session, policy_arn)
    if found is None:
        raise IamError("NoSuchEntity", f"Policy {policy_arn} was not found.")
    return found


def _history_shape(version: HistoryVersion, *, document: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if document:
        out["Document"] = entities.document_object(version.document_text())
    out["VersionId"] = version.version_id
    out["IsDefaultVersion"] = version.is_default
    out["CreateDate"] = version.create_date
    return out


def get_policy_version(
    db: Database, account_id: str | None, policy_arn: str, version_id: str
) -> dict[str, Any]:
    if is_aws_managed_arn(policy_arn):
        with db.read() as session:
            entities.resolve_account(session, db, account_id)
            check_version_id(version_id)
            history = _aws_history(session, policy_arn)
            for version in history:
                if version.version_id == version_id:
                    return {"PolicyVersion": _history_shape(version, document=True)}
        raise IamError("NoSuchEntity", f"Policy {policy_arn} version {version_id} does not exist.")
    with db.read() as session:
        row = _customer_policy_readonly(session, db, account_id, policy_arn)
        return {"PolicyVersion": _version_shape(_version(session, row, version_id), document=True)}


def list_policy_versions(db: Database, account_id: str | None, policy_arn: str) -> dict[str, Any]:
    if is_aws_managed_arn(policy_arn):
        with db.read() as session:
            entities.resolve_account(session, db, account_id)
            history = _aws_history(session, policy_arn)
            return {
                "Versions": [_history_shape(v, document=False) for v in history],
                "IsTruncated": False,
            }
    with db.read() as session:
        row = _customer_policy_readonly(session, db, account_id, policy_arn)
        versions = session.scalars(
            select(PolicyVersion)
            .where(PolicyVersion.policy_pk == row.pk)
            .order_by(PolicyVersion.pk.desc())  # type: ignore[union-attr]
        ).all()
        return {
            "Versions": [_version_shape(v, document=False) for v in versions],
            "IsTruncated": False,
        }


def delete_policy_version(
    db: Database, account_id: str | None, policy_arn: str, version_id: str
) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_customer_policy(session, account, policy_arn)
        version = _version(session, row, version_id)
        if version.is_default:
            raise delete_conflict("Cannot delete the default version of a policy.")
        before = _version_shape(version, document=True)
        session.delete(version)
        entities.record(
            session, db, account, "DeletePolicyVersion", "policy", row.arn, before=before
        )
    return {}


def set_default_policy_version(
    db: Database, account_id: str | None, policy_arn: str, version_id: str
) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_customer_policy(session, account, policy_arn)
        version = _version(session, row, version_id)
        previous = row.default_version_id
        session.execute(
            update(PolicyVersion).where(PolicyVersion.policy_pk == row.pk).values(is_default=False)
        )
        session.execute(
            update(PolicyVersion).where(PolicyVersion.pk == version.pk).values(is_default=True)
        )
        session.execute(
            update(ManagedPolicy)
            .where(ManagedPolicy.pk == row.pk)
            .values(default_version_id=version_id, update_date=db.now())
        )
        entities.record(
            session,
            db,
            account,
            "SetDefaultPolicyVersion",
            "policy",
            row.arn,
            before={"DefaultVersionId": previous},
            after={"DefaultVersionId": version_id},
        )
    return {}


def default_document(db: Database, account_id: str | None, policy_arn: str) -> str:
    """The default version's document text (for the GUI's editor and for simulations).

    A read: an AWS managed policy the model does not hold yet is read from the catalog (the
    same text materializing it would store) instead of being written into the model."""
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.find_policy_readonly(session, account, policy_arn)
        if row is None and is_aws_managed_arn(policy_arn):
            catalog = managed_policies.get(policy_arn)
            if catalog is not None:
                return catalog.document_text()
        if row is None:
            raise IamError("NoSuchEntity", f"Policy {policy_arn} was not found.")
        version = _version(session, row, row.default_version_id)
        return version.document


def _customer_policy_readonly(
    session: Session, db: Database, account_id: str | None, policy_arn: str
) -> ManagedPolicy:
    """The customer managed policy ``policy_arn`` for a read (AWS managed ARNs are answered
    from the catalog by the callers and never reach here)."""
    account = entities.resolve_account(session, db, account_id)
    row = entities.find_policy_readonly(session, account, policy_arn)
    if row is None:
        raise IamError("NoSuchEntity", f"Policy {policy_arn} was not found.")
    return row
