"""Console passwords (login profiles). The password is stored only as a salted scrypt hash and
must satisfy the account password policy (``PasswordPolicyViolation`` otherwise)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.services import entities
from iamdesk.services.errors import IamError
from iamdesk.services.password_policy import check_password
from iamdesk.store.db import Database
from iamdesk.store.secrets import hash_secret, verify_secret
from iamdesk.store.tables import LoginProfile, PasswordHistory, User

log = logging.getLogger(__name__)


def _profile(session: Session, user: User) -> LoginProfile:
    row = session.get(LoginProfile, user.pk)
    if row is None:
        raise IamError("NoSuchEntity", f"Login Profile for User {user.name} cannot be found.")
    return row


def _shape(user: User, row: LoginProfile) -> dict[str, Any]:
    return {
        "UserName": user.name,
        "CreateDate": row.create_date,
        "PasswordResetRequired": row.password_reset_required,
    }


def create_login_profile(
    db: Database,
    account_id: str | None,
    user_name: str,
    password: str,
    *,
    password_reset_required: bool = False,
) -> dict[str, Any]:
    digest = hash_secret(password) if isinstance(password, str) else ""
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        user = entities.get_user(session, account, user_name)
        if session.get(LoginProfile, user.pk) is not None:
            raise IamError(
                "EntityAlreadyExists", f"Login Profile for user {user.name} already exists."
            )
        check_password(session, account, password, user_pk=user.pk)
        now = db.now()
        row = LoginProfile(
            user_pk=int(user.pk or 0),
            password_hash=digest,
            create_date=now,
            password_reset_required=password_reset_required,
            password_last_changed=now,
        )
        session.add(row)
        session.add(
            PasswordHistory(user_pk=int(user.pk or 0), password_hash=digest, create_date=now)
        )
        out = _shape(user, row)
        entities.record(session, db, account, "CreateLoginProfile", "user", user.name, after=out)
    return {"LoginProfile": out}


def get_login_profile(db: Database, account_id: str | None, user_name: str) -> dict[str, Any]:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        user = entities.get_user(session, account, user_name)
        return {"LoginProfile": _shape(user, _profile(session, user))}


def update_login_profile(
    db: Database,
    account_id: str | None,
    user_name: str,
    *,
    password: str | None = None,
    password_reset_required: bool | None = None,
) -> dict[str, Any]:
    digest = hash_secret(password) if isinstance(password, str) else None
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        user = entities.get_user(session, account, user_name)
        row = _profile(session, user)
        before = _shape(user, row)
        if password is not None and digest is not None:
            check_password(session, account, password, user_pk=user.pk)
            row.password_hash = digest
            row.password_last_changed = db.now()
            session.add(
                PasswordHistory(
                    user_pk=int(user.pk or 0), password_hash=digest, create_date=db.now()
                )
            )
        if password_reset_required is not None:
            row.password_reset_required = password_reset_required
        session.add(row)
        entities.record(
            session,
            db,
            account,
            "UpdateLoginProfile",
            "user",
            user.name,
            before=before,
            after={**_shape(user, row), "PasswordChanged": password is not None},
        )
    return {}


def delete_login_profile(db: Database, account_id: str | None, user_name: str) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        user = entities.get_user(session, account, user_name)
        row = _profile(session, user)
        before = _shape(user, row)
        session.delete(row)
        entities.record(
            session, db, account, "DeleteLoginProfile", "user", user.name, before=before
        )
    return {}


def verify_password(db: Database, account_id: str | None, user_name: str, password: str) -> bool:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        user = entities.get_user(session, account, user_name)
        row = session.get(LoginProfile, user.pk)
        return row is not None and verify_secret(password, row.password_hash)


def has_login_profile(session: Session, user_pk: int) -> bool:
    return (
        session.execute(select(LoginProfile.user_pk).where(LoginProfile.user_pk == user_pk)).first()
        is not None
    )
