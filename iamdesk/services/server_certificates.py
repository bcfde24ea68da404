"""Server certificates (the SSL/TLS certificates IAM stores for load balancers and CloudFront).

IAM's rules: at most 20 per account; the name (1..128 of ``[\\w+=,.@-]``) is unique in the
account; the body and private key are PEM, up to 16,384 characters each, the chain up to
2,097,152; the private key must belong to the certificate (``KeyPairMismatch``: compared by RSA
modulus; other key types are checked for structure only); an expired certificate is refused.
Chains are checked to be well-formed certificates, not verified. The private key is never kept
(IAM never returns it): only its SHA-256. ``Expiration`` is the certificate's ``notAfter``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session

from iamdesk.core.keys import KeyFormatError, parse_pem_certificates, private_key_rsa_modulus
from iamdesk.services import entities, paging, tags
from iamdesk.services.errors import IamError, limit_exceeded
from iamdesk.services.tags import replace_tags
from iamdesk.services.user_credentials import check_text
from iamdesk.services.validation import check_name, check_path, check_tags
from iamdesk.store.db import Database, iso
from iamdesk.store.ids import iam_arn, new_id
from iamdesk.store.tables import ServerCertificate, Tag

log = logging.getLogger(__name__)

MAX_SERVER_CERTIFICATES = 20
MAX_CHAIN = 2_097_152
TAG_KIND = "server-certificate"


def _malformed(what: str) -> IamError:
    return IamError(
        "MalformedCertificate",
        f"Unable to parse {what}. Please ensure the {what} is in PEM format.",
    )


def metadata(row: ServerCertificate) -> dict[str, Any]:
    return {
        "Path": row.path,
        "ServerCertificateName": row.name,
        "ServerCertificateId": row.certificate_id,
        "Arn": row.arn,
        "UploadDate": row.upload_date,
        "Expiration": row.expiration,
    }


def _get(session: Session, account: str, name: str) -> ServerCertificate:
    row = session.scalars(
        select(ServerCertificate).where(
            ServerCertificate.account_id == account, ServerCertificate.name == name
        )
    ).first()
    if row is None:
        raise IamError(
            "NoSuchEntity", f"The Server Certificate with name {str(name)[:300]} cannot be found."
        )
    return row


def upload_server_certificate(
    db: Database,
    account_id: str | None,
    server_certificate_name: str,
    certificate_body: str,
    private_key: str,
    *,
    path: str | None = None,
    certificate_chain: str | None = None,
    tags: Iterable[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    check_name(server_certificate_name, "serverCertificateName")
    path = check_path(path)
    pairs = check_tags(tags)
    body = check_text(certificate_body, "certificateBody")
    key = check_text(private_key, "privateKey")
    chain = (
        None
        if certificate_chain is None
        else check_text(certificate_chain, "certificateChain", MAX_CHAIN)
    )
    try:
        certificates = parse_pem_certificates(body)
    except KeyFormatError:
        raise _malformed("certificate") from None
    if len(certificates) != 1:
        raise _malformed("certificate")
    certificate = certificates[0]
    if chain is not None:
        try:
            parse_pem_certificates(chain)
        except KeyFormatError:
            raise _malformed("certificate chain") from None
    try:
        modulus = private_key_rsa_modulus(key)
        certificate_modulus = certificate.rsa_modulus
    except KeyFormatError:
        raise _malformed("private key") from None
    if modulus is not None and modulus != certificate_modulus:
        raise IamError(
            "KeyPairMismatch", "The private key did not match the public key in the certificate."
        )
    if certificate.not_after <= db.clock():
        raise IamError("MalformedCertificate", "The certificate has expired.")
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        taken = session.scalars(
            select(ServerCertificate.pk).where(
                ServerCertificate.account_id == account,
                ServerCertificate.name == server_certificate_name,
            )
        ).first()
        if taken is not None:
            raise IamError(
                "EntityAlreadyExists",
                f"The Server Certificate with name {server_certificate_name} already exists.",
            )
        held = session.execute(
            select(func.count()).where(ServerCertificate.account_id == account)
        ).scalar_one()
        if held >= MAX_SERVER_CERTIFICATES:
            raise limit_exceeded(
                f"Cannot exceed quota for ServerCertificatesPerAccount: {MAX_SERVER_CERTIFICATES}"
            )
        row = ServerCertificate(
            account_id=account,
            name=server_certificate_name,
            path=path,
            certificate_id=new_id("ASCA", 21, db.rng),
            arn=iam_arn(account, "server-certificate", path, server_certificate_name),
            body=body,
            chain=chain,
            private_key_sha256=hashlib.sha256(key.encode("latin-1")).hexdigest(),
            upload_date=db.now(),
            expiration=iso(certificate.not_after),
        )
        session.add(row)
        session.flush()
        replace_tags(session, TAG_KIND, int(row.pk or 0), pairs)
        out: dict[str, Any] = {"ServerCertificateMetadata": metadata(row)}
        if pairs:
            out["Tags"] = [{"Key": k, "Value": v} for k, v in pairs]
        entities.record(
            session,
            db,
            account,
            "UploadServerCertificate",
            TAG_KIND,
            row.name,
            after=out["ServerCertificateMetadata"],
        )
    return out


def get_server_certificate(
    db: Database, account_id: str | None, server_certificate_name: str
) -> dict[str, Any]:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        row = _get(session, account, server_certificate_name)
        out: dict[str, Any] = {
            "ServerCertificateMetadata": metadata(row),
            "CertificateBody": row.body,
        }
        if row.chain:
            out["CertificateChain"] = row.chain
        out["Tags"] = entities.tags_of(session, TAG_KIND, int(row.pk or 0))
        return {"ServerCertificate": out}


def list_server_certificates(
    db: Database,
    account_id: str | None,
    *,
    path_prefix: str | None = None,
    marker: str | None = None,
    max_items: int | None = None,
) -> dict[str, Any]:
    rows, truncated = paging.page_by_name(
        db,
        account_id,
        ServerCertificate.__table__,  # type: ignore[attr-defined]
        ("path", "name", "certificate_id", "arn", "upload_date", "expiration"),
        path_prefix=path_prefix,
        marker=marker,
        max_items=max_items,
    )
    items = [
        {
            "Path": r.path,
            "ServerCertificateName": r.name,
            "ServerCertificateId": r.certificate_id,
            "Arn": r.arn,
            "UploadDate": r.upload_date,
            "Expiration": r.expiration,
        }
        for r in rows
    ]
    result: dict[str, Any] = {"ServerCertificateMetadataList": items, "IsTruncated": truncated}
    if truncated:
        result["Marker"] = items[-1]["ServerCertificateName"]
    return result


def update_server_certificate(
    db: Database,
    account_id: str | None,
    server_certificate_name: str,
    *,
    new_path: str | None = None,
    new_server_certificate_name: str | None = None,
) -> dict[str, Any]:
    if new_server_certificate_name is not None:
        check_name(new_server_certificate_name, "newServerCertificateName")
    path = check_path(new_path, "newPath") if new_path is not None else None
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = _get(session, account, server_certificate_name)
        before = metadata(row)
        name = new_server_certificate_name or row.name
        if name.lower() != row.name.lower():
            taken = session.scalars(
                select(ServerCertificate.pk).where(
                    ServerCertificate.account_id == account, ServerCertificate.name == name
                )
            ).first()
            if taken is not None:
                raise IamError(
                    "EntityAlreadyExists",
                    f"The Server Certificate with name {name} already exists.",
                )
        row.name = name
        row.path = path or row.path
        row.arn = iam_arn(account, "server-certificate", row.path, row.name)
        session.add(row)
        entities.record(
            session,
            db,
            account,
            "UpdateServerCertificate",
            TAG_KIND,
            row.name,
            before=before,
            after=metadata(row),
        )
    return {}


def delete_server_certificate(
    db: Database, account_id: str | None, server_certificate_name: str
) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = _get(session, account, server_certificate_name)
        before = metadata(row)
        session.execute(delete(Tag).where(Tag.entity_type == TAG_KIND, Tag.entity_pk == row.pk))
        session.delete(row)
        entities.record(
            session, db, account, "DeleteServerCertificate", TAG_KIND, row.name, before=before
        )
    return {}


def tag_resolver(session: Session, account: str, name: str) -> tuple[int, str]:
    """For ``iamdesk.services.tags``: the certificate's key and label."""
    row = _get(session, account, name)
    return int(row.pk or 0), row.name


tags.KINDS[TAG_KIND] = (tag_resolver, "ServerCertificate")
