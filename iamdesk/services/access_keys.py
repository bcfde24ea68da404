"""Access keys: an AKIA… id and a 40-character secret that is returned once, at creation.

Only a salted scrypt hash of the secret is stored, so the secret can be checked (``verify``) but
never shown again. IAM allows two keys per user.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import func, select

from iamdesk.services import entities
from iamdesk.services.errors import IamError, limit_exceeded, no_such_entity
from iamdesk.services.user_credentials import check_status
from iamdesk.store.db import Database
from iamdesk.store.ids import secret_access_key, unique_id
from iamdesk.store.secrets import hash_secret, verify_secret
from iamdesk.store.tables import AccessKey, User

log = logging.getLogger(__name__)

MAX_KEYS_PER_USER = 2
_KEY_ID_RE = re.compile(r"\w{16,128}")


def _check_key_id(access_key_id: str) -> None:
    if not isinstance(access_key_id, str) or not _KEY_ID_RE.fullmatch(access_key_id):
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value '{access_key_id}' at 'accessKeyId' failed to"
            r" satisfy constraint: Member must satisfy regular expression pattern: [\w]+",
        )


def _not_found(access_key_id: str) -> IamError:
    return IamError("NoSuchEntity", f"The Access Key with id {access_key_id} cannot be found.")


def create_access_key(db: Database, account_id: str | None, user_name: str) -> dict[str, Any]:
    secret = secret_access_key(db.rng)
    secret_hash = hash_secret(secret)  # outside the transaction: scrypt is deliberately slow
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        user = entities.get_user(session, account, user_name)
        count = session.execute(
            select(func.count()).where(AccessKey.user_pk == user.pk)
        ).scalar_one()
        if count >= MAX_KEYS_PER_USER:
            raise limit_exceeded(f"Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS_PER_USER}")
        row = AccessKey(
            access_key_id=unique_id("access-key", db.rng),
            account_id=account,
            user_pk=int(user.pk or 0),
            secret_hash=secret_hash,
            status="Active",
            create_date=db.now(),
        )
        session.add(row)
        meta = {
            "UserName": user.name,
            "AccessKeyId": row.access_key_id,
            "Status": "Active",
            "CreateDate": row.create_date,
        }
        # The log never sees the secret.
        entities.record(session, db, account, "CreateAccessKey", "user", user.name, after=meta)
    return {
        "AccessKey": {
            "UserName": user.name,
            "AccessKeyId": row.access_key_id,
            "Status": "Active",
            "SecretAccessKey": secret,
            "CreateDate": row.create_date,
        }
    }


def list_access_keys(db: Database, account_id: str | None, user_name: str) -> dict[str, Any]:
    with db.read(one_statement=True) as session:
        account = entities.resolve_account(session, db, account_id)
        rows = entities.owned_rows(
            session,
            User,
            account,
            user_name,
            (AccessKey.access_key_id, AccessKey.status, AccessKey.create_date, User.name),
            ((AccessKey, AccessKey.user_pk == User.pk),),
            AccessKey.create_date,
            AccessKey.access_key_id,
        )
    if rows is None:
        raise no_such_entity("user", user_name)
    return {
        "AccessKeyMetadata": [
            {"UserName": u, "AccessKeyId": k, "Status": s, "CreateDate": c} for k, s, c, u in rows
        ],
        "IsTruncated": False,
    }


def _key(session: Any, account: str, access_key_id: str, user_name: str | None) -> AccessKey:
    _check_key_id(access_key_id)
    query = select(AccessKey).where(
        AccessKey.access_key_id == access_key_id, AccessKey.account_id == account
    )
    if user_name is not None:
        user = entities.get_user(session, account, user_name)
        query = query.where(AccessKey.user_pk == user.pk)
    row = session.scalars(query).first()
    if row is None:
        raise _not_found(access_key_id)
    return row  # type: ignore[no-any-return]


def update_access_key(
    db: Database,
    account_id: str | None,
    access_key_id: str,
    status: str,
    *,
    user_name: str | None = None,
) -> dict[str, Any]:
    check_status(status)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = _key(session, account, access_key_id, user_name)
        before = row.status
        row.status = status
        session.add(row)
        owner = session.get(User, row.user_pk)
        entities.record(
            session,
            db,
            account,
            "UpdateAccessKey",
            "user",
            owner.name if owner else "",
            before={"AccessKeyId": access_key_id, "Status": before},
            after={"AccessKeyId": access_key_id, "Status": status},
        )
    return {}


def delete_access_key(
    db: Database, account_id: str | None, access_key_id: str, *, user_name: str | None = None
) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = _key(session, account, access_key_id, user_name)
        owner = session.get(User, row.user_pk)
        before = {"AccessKeyId": access_key_id, "Status": row.status, "CreateDate": row.create_date}
        session.delete(row)
        entities.record(
            session,
            db,
            account,
            "DeleteAccessKey",
            "user",
            owner.name if owner else "",
            before=before,
        )
    return {}


def get_access_key_last_used(db: Database, access_key_id: str) -> dict[str, Any]:
    """Works across accounts, as AWS's does (any key id in the model)."""
    _check_key_id(access_key_id)
    with db.read() as session:
        row = session.get(AccessKey, access_key_id)
        if row is None:
            raise _not_found(access_key_id)
        owner = session.get(User, row.user_pk)
        used: dict[str, Any] = {}
        if row.last_used_date:
            used["LastUsedDate"] = row.last_used_date
        used["ServiceName"] = row.last_used_service or "N/A"
        used["Region"] = row.last_used_region or "N/A"
        return {"UserName": owner.name if owner else "", "AccessKeyLastUsed": used}


def verify(db: Database, access_key_id: str, secret: str) -> bool:
    """True when ``secret`` is the secret of the active key ``access_key_id``."""
    with db.read() as session:
        row = session.get(AccessKey, access_key_id)
    return row is not None and row.status == "Active" and verify_secret(secret, row.secret_hash)
