"""A user's SSH public keys (for CodeCommit) and X.509 signing certificates.

IAM's rules: at most 5 SSH public keys and 2 signing certificates per user; an SSH key is an RSA
key of at least 2048 bits in OpenSSH (``ssh-rsa``) or PEM encoding, shown by its MD5
fingerprint; the same key or certificate cannot be uploaded twice for a user; a certificate must
be a PEM X.509 certificate (its signature is not verified, see ``iamdesk.core.keys``). Bodies are
bounded at IAM's 16,384 characters before anything is parsed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from iamdesk.core import keys as core_keys
from iamdesk.core.keys import KeyFormatError, parse_pem_certificates
from iamdesk.core.keys import parse_ssh_public_key as parse_key
from iamdesk.services import callers, entities
from iamdesk.services.errors import IamError, limit_exceeded
from iamdesk.store.db import Database
from iamdesk.store.ids import new_id
from iamdesk.store.tables import SigningCertificate, SshPublicKey, User

log = logging.getLogger(__name__)

MAX_SSH_KEYS = 5
MAX_SIGNING_CERTIFICATES = 2
MAX_BODY = 16_384
MIN_SSH_BITS = 2048
STATUSES = ("Active", "Inactive")


def check_text(value: Any, field: str, limit: int = MAX_BODY) -> str:
    """IAM's bounds for uploaded key material: 1..limit characters of tab, newline, carriage
    return and U+0020..U+00FF."""
    if not isinstance(value, str) or not value:
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value at '{field}' failed to satisfy constraint:"
            " Member must have length greater than or equal to 1",
        )
    if len(value) > limit:
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value at '{field}' failed to satisfy constraint:"
            f" Member must have length less than or equal to {limit}",
        )
    if any(not (c in "\t\n\r" or " " <= c <= "\xff") for c in value):
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value at '{field}' failed to satisfy constraint:"
            r" Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+",
        )
    return value


def check_status(value: str) -> str:
    if value not in STATUSES:
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value '{value}' at 'status' failed to satisfy"
            " constraint: Member must satisfy enum value set: [Active, Inactive]",
        )
    return value


def change_status(
    session: Session,
    db: Database,
    user: User,
    row: Any,
    status: str,
    operation: str,
    shape: Callable[[Any], dict[str, Any]],
) -> None:
    """Set a user's credential's ``Status``; the change log keeps ``shape`` of the row before
    and after."""
    before = shape(row)
    row.status = status
    session.add(row)
    entities.record(
        session, db, user.account_id, operation, "user", user.name, before=before, after=shape(row)
    )


def remove(
    session: Session, db: Database, user: User, row: Any, operation: str, before: dict[str, Any]
) -> None:
    """Delete a user's credential; the change log keeps ``before``."""
    session.delete(row)
    entities.record(session, db, user.account_id, operation, "user", user.name, before=before)


def _count(session: Session, column: Any, user: User) -> int:
    return int(session.execute(select(func.count()).where(column == user.pk)).scalar_one())


# --- SSH public keys ---------------------------------------------------------------------------


def _ssh_key(text: str) -> core_keys.SshPublicKey:
    try:
        key = parse_key(text)
    except KeyFormatError:
        raise IamError(
            "UnrecognizedPublicKeyEncoding",
            "The public key encoding format is unsupported or unrecognized.",
        ) from None
    if key.bits < MIN_SSH_BITS:
        raise IamError(
            "InvalidPublicKey",
            f"The public key must be at least {MIN_SSH_BITS} bits long; this one has {key.bits}.",
        )
    return key


def _ssh_shape(user: User, row: SshPublicKey, *, body: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"UserName": user.name, "SSHPublicKeyId": row.key_id}
    if body is not None:
        out["Fingerprint"] = row.fingerprint
        out["SSHPublicKeyBody"] = body
    out["Status"] = row.status
    out["UploadDate"] = row.upload_date
    return out


def upload_ssh_public_key(
    db: Database, account_id: str | None, user_name: str, ssh_public_key_body: str
) -> dict[str, Any]:
    body = check_text(ssh_public_key_body, "sSHPublicKeyBody")
    key = _ssh_key(body)
    with db.transaction() as session:
        user = callers.owner(session, db, account_id, user_name)
        fingerprint = key.fingerprint()
        taken = session.scalars(
            select(SshPublicKey.key_id).where(
                SshPublicKey.user_pk == user.pk, SshPublicKey.fingerprint == fingerprint
            )
        ).first()
        if taken is not None:
            raise IamError(
                "DuplicateSSHPublicKey", "The SSH public key is already associated with the user."
            )
        if _count(session, SshPublicKey.user_pk, user) >= MAX_SSH_KEYS:
            raise limit_exceeded(f"Cannot exceed quota for PublicKeysPerUser: {MAX_SSH_KEYS}")
        row = SshPublicKey(
            key_id=new_id("APKA", 20, db.rng),
            account_id=user.account_id,
            user_pk=int(user.pk or 0),
            body=body,
            fingerprint=fingerprint,
            upload_date=db.now(),
        )
        session.add(row)
        out = _ssh_shape(user, row, body=body)
        entities.record(
            session, db, user.account_id, "UploadSSHPublicKey", "user", user.name, after=out
        )
    return {"SSHPublicKey": out}


def _find_ssh(session: Session, user: User, key_id: str) -> SshPublicKey:
    row = session.get(SshPublicKey, key_id)
    if row is None or row.user_pk != user.pk:
        raise IamError("NoSuchEntity", f"The Public Key with id {key_id} cannot be found.")
    return row


def get_ssh_public_key(
    db: Database, account_id: str | None, user_name: str, ssh_public_key_id: str, encoding: str
) -> dict[str, Any]:
    """The key in the encoding asked for: ``SSH`` (OpenSSH) or ``PEM``."""
    if encoding not in ("SSH", "PEM"):
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value '{encoding}' at 'encoding' failed to satisfy"
            " constraint: Member must satisfy enum value set: [SSH, PEM]",
        )
    with db.read() as session:
        user = callers.owner(session, db, account_id, user_name)
        row = _find_ssh(session, user, ssh_public_key_id)
        key = parse_key(row.body)
        body = key.openssh() if encoding == "SSH" else key.pem()
        return {"SSHPublicKey": _ssh_shape(user, row, body=body)}


def list_ssh_public_keys(
    db: Database,
    account_id: str | None,
    user_name: str | None = None,
    *,
    access_key_id: str | None = None,
    caller_arn: str | None = None,
) -> dict[str, Any]:
    """``user_name``'s keys; without it the caller's own, as IAM's ListSSHPublicKeys (the only
    SSH-key operation whose UserName is optional)."""
    with db.read() as session:
        user = callers.owner(
            session, db, account_id, user_name, access_key_id=access_key_id, caller_arn=caller_arn
        )
        rows = session.scalars(
            select(SshPublicKey)
            .where(SshPublicKey.user_pk == user.pk)
            .order_by(SshPublicKey.upload_date, SshPublicKey.key_id)
        ).all()
        return {"SSHPublicKeys": [_ssh_shape(user, r) for r in rows], "IsTruncated": False}


def update_ssh_public_key(
    db: Database, account_id: str | None, user_name: str, ssh_public_key_id: str, status: str
) -> dict[str, Any]:
    check_status(status)
    with db.transaction() as session:
        user = callers.owner(session, db, account_id, user_name)
        row = _find_ssh(session, user, ssh_public_key_id)
        change_status(
            session, db, user, row, status, "UpdateSSHPublicKey", lambda r: _ssh_shape(user, r)
        )
    return {}


def delete_ssh_public_key(
    db: Database, account_id: str | None, user_name: str, ssh_public_key_id: str
) -> dict[str, Any]:
    with db.transaction() as session:
        user = callers.owner(session, db, account_id, user_name)
        row = _find_ssh(session, user, ssh_public_key_id)
        remove(session, db, user, row, "DeleteSSHPublicKey", _ssh_shape(user, row))
    return {}


# --- signing certificates ----------------------------------------------------------------------


def _cert_shape(user: User, row: SigningCertificate) -> dict[str, Any]:
    return {
        "UserName": user.name,
        "CertificateId": row.certificate_id,
        "CertificateBody": row.body,
        "Status": row.status,
        "UploadDate": row.upload_date,
    }


def _find_cert(session: Session, user: User, certificate_id: str) -> SigningCertificate:
    row = session.get(SigningCertificate, certificate_id)
    if row is None or row.user_pk != user.pk:
        raise IamError("NoSuchEntity", f"The Certificate with id {certificate_id} cannot be found.")
    return row


def upload_signing_certificate(
    db: Database,
    account_id: str | None,
    certificate_body: str,
    *,
    user_name: str | None = None,
    access_key_id: str | None = None,
    caller_arn: str | None = None,
) -> dict[str, Any]:
    body = check_text(certificate_body, "certificateBody")
    try:
        certificates = parse_pem_certificates(body)
    except KeyFormatError:
        raise IamError(
            "MalformedCertificate",
            "Unable to parse certificate. Please ensure the certificate is in PEM format.",
        ) from None
    if len(certificates) != 1:
        raise IamError("MalformedCertificate", "The body must hold exactly one certificate.")
    if certificates[0].not_after <= db.clock():
        raise IamError("InvalidCertificate", "The certificate has expired.")
    with db.transaction() as session:
        user = callers.owner(
            session, db, account_id, user_name, access_key_id=access_key_id, caller_arn=caller_arn
        )
        rows = session.scalars(
            select(SigningCertificate).where(SigningCertificate.user_pk == user.pk)
        ).all()
        for row in rows:
            if parse_pem_certificates(row.body)[0].der == certificates[0].der:
                raise IamError(
                    "DuplicateCertificate", "The certificate is already associated with the user."
                )
        if len(rows) >= MAX_SIGNING_CERTIFICATES:
            raise limit_exceeded(
                f"Cannot exceed quota for CertificatesPerUser: {MAX_SIGNING_CERTIFICATES}"
            )
        row = SigningCertificate(
            certificate_id=new_id("", 28, db.rng),
            account_id=user.account_id,
            user_pk=int(user.pk or 0),
            body=body,
            upload_date=db.now(),
        )
        session.add(row)
        out = _cert_shape(user, row)
        entities.record(
            session, db, user.account_id, "UploadSigningCertificate", "user", user.name, after=out
        )
    return {"Certificate": out}


def list_signing_certificates(
    db: Database,
    account_id: str | None,
    *,
    user_name: str | None = None,
    access_key_id: str | None = None,
    caller_arn: str | None = None,
) -> dict[str, Any]:
    with db.read() as session:
        user = callers.owner(
            session, db, account_id, user_name, access_key_id=access_key_id, caller_arn=caller_arn
        )
        rows = session.scalars(
            select(SigningCertificate)
            .where(SigningCertificate.user_pk == user.pk)
            .order_by(SigningCertificate.upload_date, SigningCertificate.certificate_id)
        ).all()
        return {"Certificates": [_cert_shape(user, r) for r in rows], "IsTruncated": False}


def update_signing_certificate(
    db: Database,
    account_id: str | None,
    certificate_id: str,
    status: str,
    *,
    user_name: str | None = None,
    access_key_id: str | None = None,
    caller_arn: str | None = None,
) -> dict[str, Any]:
    check_status(status)
    with db.transaction() as session:
        user = callers.owner(
            session, db, account_id, user_name, access_key_id=access_key_id, caller_arn=caller_arn
        )
        row = _find_cert(session, user, certificate_id)
        change_status(
            session,
            db,
            user,
            row,
            status,
            "UpdateSigningCertificate",
            lambda r: {"CertificateId": r.certificate_id, "Status": r.status},
        )
    return {}


def delete_signing_certificate(
    db: Database,
    account_id: str | None,
    certificate_id: str,
    *,
    user_name: str | None = None,
    access_key_id: str | None = None,
    caller_arn: str | None = None,
) -> dict[str, Any]:
    with db.transaction() as session:
        user = callers.owner(
            session, db, account_id, user_name, access_key_id=access_key_id, caller_arn=caller_arn
        )
        row = _find_cert(session, user, certificate_id)
        remove(session, db, user, row, "DeleteSigningCertificate", _cert_shape(user, row))
    return {}
