"""Service-specific credentials: a user name and password (CodeCommit's Git credentials, Amazon
Keyspaces) or an API key (Amazon Bedrock) that work with one service only.

IAM's rules: the services that take them are CodeCommit, Keyspaces and Bedrock
(``ServiceNotSupported`` otherwise); at most 2 per user and service; ``CredentialAgeDays``
(1..36600) is only for Bedrock API keys. The password or secret is returned once, by create and
reset, and kept only as a salted scrypt hash: it can never be shown again, exactly as in IAM.
"""

from __future__ import annotations

import base64
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from iamdesk.services import callers, entities
from iamdesk.services.errors import IamError, limit_exceeded
from iamdesk.services.user_credentials import check_status
from iamdesk.store.db import Database, iso
from iamdesk.store.ids import new_id
from iamdesk.store.secrets import hash_secret, verify_secret
from iamdesk.store.tables import ServiceSpecificCredential, User

log = logging.getLogger(__name__)

PASSWORD_SERVICES = ("codecommit.amazonaws.com", "cassandra.amazonaws.com")
API_KEY_SERVICES = ("bedrock.amazonaws.com",)
MAX_PER_SERVICE = 2
MAX_AGE_DAYS = 36_600


def _secret() -> str:
    return base64.b64encode(secrets.token_bytes(33)).decode("ascii")  # 44 characters


def _shape(user: User, row: ServiceSpecificCredential) -> dict[str, Any]:
    out: dict[str, Any] = {"CreateDate": row.create_date}
    if row.expiration_date:
        out["ExpirationDate"] = row.expiration_date
    out["ServiceName"] = row.service_name
    if row.service_user_name:
        out["ServiceUserName"] = row.service_user_name
    if row.credential_alias:
        out["ServiceCredentialAlias"] = row.credential_alias
    out["ServiceSpecificCredentialId"] = row.credential_id
    out["UserName"] = user.name
    out["Status"] = row.status
    return out


def _with_secret(out: dict[str, Any], row: ServiceSpecificCredential, secret: str) -> None:
    if row.credential_alias:
        out["ServiceCredentialSecret"] = secret
    else:
        out["ServicePassword"] = secret


def _metadata(user: User, row: ServiceSpecificCredential) -> dict[str, Any]:
    out: dict[str, Any] = {"UserName": user.name, "Status": row.status}
    if row.service_user_name:
        out["ServiceUserName"] = row.service_user_name
    if row.credential_alias:
        out["ServiceCredentialAlias"] = row.credential_alias
    out["CreateDate"] = row.create_date
    if row.expiration_date:
        out["ExpirationDate"] = row.expiration_date
    out["ServiceSpecificCredentialId"] = row.credential_id
    out["ServiceName"] = row.service_name
    return out


def _check_service(service_name: str) -> None:
    if service_name not in PASSWORD_SERVICES + API_KEY_SERVICES:
        raise IamError(
            "NotSupportedService",
            f"No such service {str(service_name)[:300]} is supported for Service-Specific"
            " Credentials",
        )


def create_service_specific_credential(
    db: Database,
    account_id: str | None,
    user_name: str,
    service_name: str,
    *,
    credential_age_days: int | None = None,
) -> dict[str, Any]:
    _check_service(service_name)
    if credential_age_days is not None:
        if service_name not in API_KEY_SERVICES:
            raise IamError("InvalidInput", "CredentialAgeDays is only valid for Bedrock API keys.")
        if not 1 <= credential_age_days <= MAX_AGE_DAYS:
            raise IamError(
                "ValidationError",
                f"1 validation error detected: Value '{credential_age_days}' at"
                " 'credentialAgeDays' failed to satisfy constraint: Member must have value"
                f" between 1 and {MAX_AGE_DAYS}",
            )
    secret = _secret()
    digest = hash_secret(secret)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        user = entities.get_user(session, account, user_name)
        held = session.execute(
            select(func.count()).where(
                ServiceSpecificCredential.user_pk == user.pk,
                ServiceSpecificCredential.service_name == service_name,
            )
        ).scalar_one()
        if held >= MAX_PER_SERVICE:
            raise limit_exceeded(
                "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService:"
                f" {MAX_PER_SERVICE}"
            )
        now = db.clock()
        api_key = service_name in API_KEY_SERVICES
        row = ServiceSpecificCredential(
            credential_id=new_id("ACCA", 21, db.rng),
            account_id=account,
            user_pk=int(user.pk or 0),
            service_name=service_name,
            service_user_name=None if api_key else f"{user.name}-at-{account}",
            credential_alias=f"{user.name}+1-at-{account}" if api_key else None,
            secret_hash=digest,
            create_date=iso(now),
            expiration_date=(
                iso(now + timedelta(days=credential_age_days)) if credential_age_days else None
            ),
        )
        if api_key and held:
            row.credential_alias = f"{user.name}+{held + 1}-at-{account}"
        session.add(row)
        out = _shape(user, row)
        entities.record(
            session, db, account, "CreateServiceSpecificCredential", "user", user.name, after=out
        )
    _with_secret(out, row, secret)
    return {"ServiceSpecificCredential": out}


def _find(session: Session, user: User, credential_id: str) -> ServiceSpecificCredential:
    row = session.get(ServiceSpecificCredential, credential_id)
    if row is None or row.user_pk != user.pk:
        raise IamError(
            "NoSuchEntity",
            f"No such credential {str(credential_id)[:300]} exists for user {user.name}",
        )
    return row


def list_service_specific_credentials(
    db: Database,
    account_id: str | None,
    *,
    user_name: str | None = None,
    service_name: str | None = None,
    all_users: bool | None = None,
    access_key_id: str | None = None,
    caller_arn: str | None = None,
) -> dict[str, Any]:
    if service_name is not None:
        _check_service(service_name)
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        query = select(ServiceSpecificCredential, User).join(
            User, User.pk == ServiceSpecificCredential.user_pk
        )
        if all_users:
            query = query.where(ServiceSpecificCredential.account_id == account)
        else:
            user = callers.user_or_caller(
                session, account, user_name, access_key_id=access_key_id, caller_arn=caller_arn
            )
            query = query.where(ServiceSpecificCredential.user_pk == user.pk)
        if service_name is not None:
            query = query.where(ServiceSpecificCredential.service_name == service_name)
        query = query.order_by(
            User.name,
            ServiceSpecificCredential.create_date,
            ServiceSpecificCredential.credential_id,
        )
        rows = session.execute(query).all()
        return {"ServiceSpecificCredentials": [_metadata(u, r) for r, u in rows]}


def _owner(
    session: Session, db: Database, account_id: str | None, user_name: str | None, **caller: Any
) -> tuple[str, User]:
    account = entities.resolve_account(session, db, account_id)
    return account, callers.user_or_caller(session, account, user_name, **caller)


def reset_service_specific_credential(
    db: Database,
    account_id: str | None,
    service_specific_credential_id: str,
    *,
    user_name: str | None = None,
    access_key_id: str | None = None,
    caller_arn: str | None = None,
) -> dict[str, Any]:
    """A new password (or API key secret) for the credential; the old one stops working."""
    secret = _secret()
    digest = hash_secret(secret)
    with db.transaction() as session:
        _, user = _owner(
            session, db, account_id, user_name, access_key_id=access_key_id, caller_arn=caller_arn
        )
        row = _find(session, user, service_specific_credential_id)
        row.secret_hash = digest
        session.add(row)
        out = _shape(user, row)
        entities.record(
            session,
            db,
            user.account_id,
            "ResetServiceSpecificCredential",
            "user",
            user.name,
            after=out,
        )
    _with_secret(out, row, secret)
    return {"ServiceSpecificCredential": out}


def update_service_specific_credential(
    db: Database,
    account_id: str | None,
    service_specific_credential_id: str,
    status: str,
    *,
    user_name: str | None = None,
    access_key_id: str | None = None,
    caller_arn: str | None = None,
) -> dict[str, Any]:
    check_status(status)
    with db.transaction() as session:
        _, user = _owner(
            session, db, account_id, user_name, access_key_id=access_key_id, caller_arn=caller_arn
        )
        row = _find(session, user, service_specific_credential_id)
        before = _metadata(user, row)
        row.status = status
        session.add(row)
        entities.record(
            session,
            db,
            user.account_id,
            "UpdateServiceSpecificCredential",
            "user",
            user.name,
            before=before,
            after=_metadata(user, row),
        )
    return {}


def delete_service_specific_credential(
    db: Database,
    account_id: str | None,
    service_specific_credential_id: str,
    *,
    user_name: str | None = None,
    access_key_id: str | None = None,
    caller_arn: str | None = None,
) -> dict[str, Any]:
    with db.transaction() as session:
        _, user = _owner(
            session, db, account_id, user_name, access_key_id=access_key_id, caller_arn=caller_arn
        )
        row = _find(session, user, service_specific_credential_id)
        before = _metadata(user, row)
        session.delete(row)
        entities.record(
            session,
            db,
            user.account_id,
            "DeleteServiceSpecificCredential",
            "user",
            user.name,
            before=before,
        )
    return {}


def verify(db: Database, credential_id: str, secret: str, *, when: datetime | None = None) -> bool:
    """True when ``secret`` is the current secret of the active, unexpired credential."""
    with db.read() as session:
        row = session.get(ServiceSpecificCredential, credential_id)
    if row is None or row.status != "Active":
        return False
    moment = when or db.clock()
    if row.expiration_date and datetime.fromisoformat(row.expiration_date) <= moment:
        return False
    return verify_secret(secret, row.secret_hash)
