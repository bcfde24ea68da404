"""Inline policies embedded in one user, group or role.

Putting a policy under an existing name replaces it. The sum of one owner's inline policies must
fit IAM's aggregate quota (user 2,048, group 5,120, role 10,240 characters, whitespace excluded).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.core.policy.document import PolicyKind
from iamdesk.services import entities
from iamdesk.services.attachments import OPERATION_SUFFIX
from iamdesk.services.documents import check_inline_aggregate, check_policy
from iamdesk.services.errors import IamError, no_such_entity
from iamdesk.services.validation import check_name
from iamdesk.store.db import Database
from iamdesk.store.tables import InlinePolicy

log = logging.getLogger(__name__)

_GETTERS = {"user": entities.get_user, "group": entities.get_group, "role": entities.get_role}
_OWNER_KEY = {"user": "UserName", "group": "GroupName", "role": "RoleName"}


def _column(kind: str) -> Any:
    return {
        "user": InlinePolicy.user_pk,
        "group": InlinePolicy.group_pk,
        "role": InlinePolicy.role_pk,
    }[kind]


def _find(session: Session, kind: str, owner_pk: int, policy_name: str) -> InlinePolicy:
    row = session.scalars(
        select(InlinePolicy).where(_column(kind) == owner_pk, InlinePolicy.name == policy_name)
    ).first()
    if row is None:
        raise IamError(
            "NoSuchEntity", f"The {kind} policy with name {policy_name} cannot be found."
        )
    return row


def put_inline_policy(
    db: Database,
    account_id: str | None,
    kind: str,
    owner_name: str,
    policy_name: str,
    policy_document: str | Mapping[str, Any],
) -> dict[str, Any]:
    """PutUserPolicy / PutGroupPolicy / PutRolePolicy."""
    check_name(policy_name, "policyName")
    text, _ = check_policy(policy_document, PolicyKind.IDENTITY)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        owner = _GETTERS[kind](session, account, owner_name)
        column = _column(kind)
        others = session.scalars(select(InlinePolicy).where(column == owner.pk)).all()
        existing = next((p for p in others if p.name.lower() == policy_name.lower()), None)
        texts = [p.document for p in others if p is not existing] + [text]
        check_inline_aggregate(kind, owner.name, texts)
        before = entities.document_object(existing.document) if existing else None
        if existing is not None:
            existing.document = text
            session.add(existing)
        else:
            session.add(InlinePolicy(name=policy_name, document=text, **{f"{kind}_pk": owner.pk}))
        entities.record(
            session,
            db,
            account,
            f"Put{OPERATION_SUFFIX[kind]}Policy",
            kind,
            owner.name,
            before={"PolicyName": policy_name, "PolicyDocument": before} if before else None,
            after={"PolicyName": policy_name, "PolicyDocument": entities.document_object(text)},
        )
    return {}


def get_inline_policy(
    db: Database, account_id: str | None, kind: str, owner_name: str, policy_name: str
) -> dict[str, Any]:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        owner = _GETTERS[kind](session, account, owner_name)
        row = _find(session, kind, int(owner.pk or 0), policy_name)
        return {
            _OWNER_KEY[kind]: owner.name,
            "PolicyName": row.name,
            "PolicyDocument": entities.document_object(row.document),
        }


def delete_inline_policy(
    db: Database, account_id: str | None, kind: str, owner_name: str, policy_name: str
) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        owner = _GETTERS[kind](session, account, owner_name)
        row = _find(session, kind, int(owner.pk or 0), policy_name)
        before = {"PolicyName": row.name, "PolicyDocument": entities.document_object(row.document)}
        session.delete(row)
        entities.record(
            session,
            db,
            account,
            f"Delete{OPERATION_SUFFIX[kind]}Policy",
            kind,
            owner.name,
            before=before,
        )
    return {}


def list_inline_policies(
    db: Database, account_id: str | None, kind: str, owner_name: str
) -> dict[str, Any]:
    owner = entities.OWNERS[kind]
    with db.read(one_statement=True) as session:
        account = entities.resolve_account(session, db, account_id)
        rows = entities.owned_rows(
            session,
            owner,
            account,
            owner_name,
            (InlinePolicy.name,),
            ((InlinePolicy, _column(kind) == owner.pk),),
            InlinePolicy.name,
        )
    if rows is None:
        raise no_such_entity(kind, owner_name)
    return {"PolicyNames": [name for (name,) in rows], "IsTruncated": False}
