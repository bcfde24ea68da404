"""IAM users: create, get, list, update (rename / move), delete.

Listing runs as SQLAlchemy Core selects (no ORM objects), so 10,000 users list in milliseconds.
``delete_user`` refuses, as IAM does, while the user still owns anything (DeleteConflict).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select, and_, delete, select
from sqlmodel import Session

from iamdesk.services import entities, paging, principal_refs
from iamdesk.services.errors import already_exists, no_such_entity
from iamdesk.services.tags import replace_tags
from iamdesk.services.validation import (
    check_name,
    check_path,
    check_tags,
)
from iamdesk.store.db import Database
from iamdesk.store.ids import iam_arn, unique_id
from iamdesk.store.tables import (
    AccessKey,
    GroupMembership,
    InlinePolicy,
    LoginProfile,
    ManagedPolicy,
    MfaDevice,
    PolicyAttachment,
    ServiceSpecificCredential,
    SigningCertificate,
    SshPublicKey,
    Tag,
    User,
)

log = logging.getLogger(__name__)


def create_user(
    db: Database,
    account_id: str | None,
    user_name: str,
    *,
    path: str | None = None,
    permissions_boundary: str | None = None,
    tags: Iterable[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    check_name(user_name, "userName")
    path = check_path(path)
    pairs = check_tags(tags)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        if entities.name_taken(session, User, account, user_name):
            raise already_exists("user", user_name)
        out = insert_user(
            session,
            db,
            account,
            name=user_name,
            path=path,
            user_id=unique_id("user", db.rng),
            create_date=db.now(),
            boundary=permissions_boundary,
            tags=pairs,
        )
    return {"User": out}


def insert_user(
    session: Session,
    db: Database,
    account: str,
    *,
    name: str,
    path: str,
    user_id: str,
    create_date: str,
    boundary: str | None,
    tags: list[tuple[str, str]],
    password_last_used: str | None = None,
) -> dict[str, Any]:
    """The one way a user row is written (CreateUser, and its undo's restore): the row, its
    boundary and tags, the change log entry; returns GetUser's ``User`` shape."""
    boundary_pk = (
        entities.get_policy(session, account, boundary, attachable=True).pk
        if boundary is not None
        else None
    )
    row = User(
        account_id=account,
        name=name,
        path=path,
        user_id=user_id,
        arn=iam_arn(account, "user", path, name),
        create_date=create_date,
        password_last_used=password_last_used,
        permissions_boundary_pk=boundary_pk,
    )
    session.add(row)
    session.flush()
    assert row.pk is not None
    replace_tags(session, "user", row.pk, tags)
    out = entities.user_shape(
        row,
        boundary=entities.boundary_shape(session, boundary_pk),
        tags=[{"Key": k, "Value": v} for k, v in tags],
    )
    entities.record(session, db, account, "CreateUser", "user", name, after=out)
    return out


def get_user(db: Database, account_id: str | None, user_name: str) -> dict[str, Any]:
    # The user, its boundary's ARN and its tags (a row each) in one statement: on a server,
    # one round trip instead of five.
    with db.read(one_statement=True) as session:
        account = entities.resolve_account(session, db, account_id)
        rows = session.execute(
            select(User, ManagedPolicy.arn, Tag.key, Tag.value)
            .outerjoin(ManagedPolicy, ManagedPolicy.pk == User.permissions_boundary_pk)
            .outerjoin(Tag, and_(Tag.entity_type == "user", Tag.entity_pk == User.pk))
            .where(User.account_id == account, User.name == user_name)
            .order_by(Tag.pk)
        ).all()
    if not rows:
        raise no_such_entity("user", user_name)
    row, boundary = rows[0][0], rows[0][1]
    out = entities.user_shape(
        row,
        boundary=entities.boundary_of(boundary) if boundary is not None else None,
        tags=[{"Key": k, "Value": v} for _, _, k, v in rows if k is not None],
    )
    return {"User": out}


def list_users(
    db: Database,
    account_id: str | None,
    *,
    path_prefix: str | None = None,
    marker: str | None = None,
    max_items: int | None = None,
) -> dict[str, Any]:
    """Users ordered by name; ``marker`` is the ``Marker`` of the previous page."""
    rows, truncated = paging.page_by_name(
        db,
        account_id,
        User.__table__,  # type: ignore[attr-defined]
        ("path", "name", "user_id", "arn", "create_date", "password_last_used"),
        path_prefix=path_prefix,
        marker=marker,
        max_items=max_items,
    )
    users = []
    for path, name, user_id, arn, created, last_used in rows:
        item = {
            "Path": path,
            "UserName": name,
            "UserId": user_id,
            "Arn": arn,
            "CreateDate": created,
        }
        if last_used:
            item["PasswordLastUsed"] = last_used
        users.append(item)
    return paging.page_result("Users", users, truncated)


def update_user(
    db: Database,
    account_id: str | None,
    user_name: str,
    *,
    new_path: str | None = None,
    new_user_name: str | None = None,
) -> dict[str, Any]:
    """Rename and/or move a user; its ARN follows. Returns AWS's (empty) output."""
    if new_user_name is not None:
        check_name(new_user_name, "newUserName")
    if new_path is not None:
        check_path(new_path, "newPath")
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_user(session, account, user_name)
        old_arn = row.arn
        entities.rename_entity(
            session,
            db,
            account,
            row,
            "user",
            "UpdateUser",
            asked_name=user_name,
            new_name=new_user_name,
            new_path=new_path,
            shape=entities.user_shape,
        )
        principal_refs.entity_renamed(session, old_arn, row.arn)
    return {}


def _owned(row: User) -> tuple[tuple[Select[Any], str], ...]:
    """What a user must be rid of before IAM deletes it, in the order IAM reports it."""
    return (
        (
            select(LoginProfile.user_pk).where(LoginProfile.user_pk == row.pk),
            "delete login profile",
        ),
        (select(AccessKey.access_key_id).where(AccessKey.user_pk == row.pk), "delete access keys"),
        (select(MfaDevice.pk).where(MfaDevice.user_pk == row.pk), "delete MFA device"),
        (
            select(SigningCertificate.certificate_id).where(SigningCertificate.user_pk == row.pk),
            "delete signing certificates",
        ),
        (select(SshPublicKey.key_id).where(SshPublicKey.user_pk == row.pk), "delete SSH keys"),
        (
            select(ServiceSpecificCredential.credential_id).where(
                ServiceSpecificCredential.user_pk == row.pk
            ),
            "delete service specific credentials",
        ),
        (select(InlinePolicy.pk).where(InlinePolicy.user_pk == row.pk), "delete policies"),
        (
            select(PolicyAttachment.pk).where(PolicyAttachment.user_pk == row.pk),
            "detach all policies",
        ),
        (
            select(GroupMembership.pk).where(GroupMembership.user_pk == row.pk),
            "remove users from group",
        ),
    )


def delete_user(db: Database, account_id: str | None, user_name: str) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_user(session, account, user_name)
        paging.refuse_delete_while(session, _owned(row))
        before = entities.user_shape(row, tags=entities.tags_of(session, "user", row.pk or 0))
        session.execute(delete(Tag).where(Tag.entity_type == "user", Tag.entity_pk == row.pk))
        session.delete(row)
        session.flush()
        principal_refs.entity_deleted(session, row.arn, row.user_id)
        entities.record(session, db, account, "DeleteUser", "user", user_name, before=before)
    return {}
