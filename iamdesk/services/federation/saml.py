"""IAM SAML providers: create/get/list/update/delete and tags.

IAM's rules: a name of 1-128 characters from ``[\\w._-]``, unique in the account without regard to
case (ARN ``arn:aws:iam::ACCOUNT:saml-provider/NAME``); a metadata document of 1,000 to 10,000,000
characters that is an IdP's SAML 2.0 metadata (an ``EntityDescriptor`` with an ``entityID``:
the Issuer its assertions must carry), else ``InvalidInput: Could not parse metadata``; at most
100 providers per account. ``ValidUntil`` is the metadata's ``validUntil``, or 100 years after
creation as IAM sets it. Assertion encryption (``--assertion-encryption-mode``, private keys)
is not modelled: asking for it is refused with a one-line reason.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session

from iamdesk.services import entities
from iamdesk.services import tags as tag_service
from iamdesk.services.errors import IamError, invalid_input, limit_exceeded
from iamdesk.services.federation import xmldoc
from iamdesk.services.validation import check_tags
from iamdesk.store.db import Database, iso
from iamdesk.store.ids import BASE32_ALPHABET, random_text
from iamdesk.store.tables import SamlProvider, Tag

log = logging.getLogger(__name__)

ENTITY = "saml-provider"
MAX_PROVIDERS = 100
MIN_METADATA = 1000
MAX_METADATA = 10_000_000
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,128}")
_ARN = re.compile(r"arn:aws:iam::(\d{12}):saml-provider/([A-Za-z0-9_.-]{1,128})")


def provider_arn(account_id: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:saml-provider/{name}"


def read_metadata(document: str) -> tuple[str, str | None]:
    """The metadata's entityID and validUntil; IAM's errors for anything else."""
    if not isinstance(document, str) or not MIN_METADATA <= len(document) <= MAX_METADATA:
        size = len(document) if isinstance(document, str) else 0
        raise IamError(
            "ValidationError",
            "1 validation error detected: Value at 'sAMLMetadataDocument' failed to satisfy "
            f"constraint: Member must have length between {MIN_METADATA} and {MAX_METADATA} "
            f"(it has {size})",
        )
    try:
        root = xmldoc.parse(document, 4 * MAX_METADATA)
    except xmldoc.XmlRejected as exc:
        raise invalid_input(f"Could not parse metadata: {exc}") from None
    if root.tag != f"{{{xmldoc.SAML_METADATA}}}EntityDescriptor" or not root.attrib.get("entityID"):
        raise invalid_input(
            "Could not parse metadata: expected a SAML 2.0 md:EntityDescriptor with an entityID"
        )
    valid_until = root.attrib.get("validUntil")
    if valid_until is not None:
        try:
            valid_until = iso(datetime.fromisoformat(valid_until.replace("Z", "+00:00")))
        except ValueError:
            raise invalid_input("Could not parse metadata: validUntil is not a date") from None
    return root.attrib["entityID"], valid_until


def _hundred_years_on(moment: str) -> str:
    when = datetime.fromisoformat(moment)
    try:
        return iso(when.replace(year=when.year + 100))
    except ValueError:  # 29 February
        return iso(when.replace(year=when.year + 100, day=28))


def not_found(arn: str) -> IamError:
    return IamError("NoSuchEntity", f"Manifest not found for arn {arn}")


def find(session: Session, account: str, arn: str) -> SamlProvider | None:
    match = _ARN.fullmatch(arn) if isinstance(arn, str) else None
    if match is None:
        raise invalid_input(f"Invalid ARN {str(arn)[:300]}: not a SAML provider's ARN")
    if match.group(1) != account:
        return None
    return session.scalars(
        select(SamlProvider).where(
            SamlProvider.account_id == account, SamlProvider.name == match.group(2)
        )
    ).first()


def get_row(session: Session, account: str, arn: str) -> SamlProvider:
    row = find(session, account, arn)
    if row is None:
        raise not_found(arn)
    return row


def by_arn(session: Session, arn: str) -> SamlProvider | None:
    """The provider an ARN names, in whichever account (no error for a malformed ARN)."""
    match = _ARN.fullmatch(arn)
    if match is None:
        return None
    return session.scalars(
        select(SamlProvider).where(
            SamlProvider.account_id == match.group(1), SamlProvider.name == match.group(2)
        )
    ).first()


def shape(session: Session, row: SamlProvider) -> dict[str, Any]:
    return {
        "SAMLProviderUUID": row.uuid,
        "SAMLMetadataDocument": row.metadata_document,
        "CreateDate": row.create_date,
        "ValidUntil": row.valid_until,
        "Tags": entities.tags_of(session, ENTITY, int(row.pk or 0)),
    }


def _summary(row: SamlProvider) -> dict[str, Any]:
    """What the change log keeps (not the whole metadata document)."""
    return {"Arn": row.arn, "EntityId": row.entity_id, "ValidUntil": row.valid_until}


def _resolve(session: Session, account: str, arn: str) -> tuple[int, str]:
    row = get_row(session, account, arn)
    return int(row.pk or 0), row.arn


# Tag/Untag/ListSAMLProviderTags: the tag service's shared rules, with this kind registered.
tag_service.KINDS[ENTITY] = (_resolve, "SAMLProvider")


def _no_encryption(assertion_encryption_mode: str | None, add_private_key: str | None) -> None:
    if assertion_encryption_mode is not None or add_private_key is not None:
        raise invalid_input(
            "iamdesk does not model SAML assertion encryption (AssertionEncryptionMode, private "
            "keys): assertions given to assume-role-with-saml are read unencrypted."
        )


def create_saml_provider(
    db: Database,
    account_id: str | None,
    saml_metadata_document: str,
    name: str,
    *,
    tags: Iterable[Mapping[str, Any]] | None = None,
    assertion_encryption_mode: str | None = None,
    add_private_key: str | None = None,
) -> dict[str, Any]:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise invalid_input(
            f"The specified value for name '{str(name)[:300]}' is invalid. It must be 1 to 128 "
            "characters from letters, digits and _ . -"
        )
    _no_encryption(assertion_encryption_mode, add_private_key)
    entity_id, valid_until = read_metadata(saml_metadata_document)
    pairs = check_tags(tags)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        if entities.name_taken(session, SamlProvider, account, name):
            raise IamError("EntityAlreadyExists", f"SAMLProvider {name} already exists.")
        count = session.execute(
            select(func.count()).where(SamlProvider.account_id == account)
        ).scalar_one()
        if count >= MAX_PROVIDERS:
            raise limit_exceeded(
                f"Cannot exceed quota for SAMLProvidersPerAccount: {MAX_PROVIDERS}"
            )
        now = db.now()
        row = SamlProvider(
            account_id=account,
            name=name,
            arn=provider_arn(account, name),
            uuid="SAML" + random_text(BASE32_ALPHABET, 22, db.rng),
            metadata_document=saml_metadata_document,
            entity_id=entity_id,
            create_date=now,
            valid_until=valid_until or _hundred_years_on(now),
        )
        session.add(row)
        session.flush()
        tag_service.replace_tags(session, ENTITY, int(row.pk or 0), pairs)
        entities.record(
            session, db, account, "CreateSAMLProvider", ENTITY, row.arn, after=_summary(row)
        )
        result: dict[str, Any] = {"SAMLProviderArn": row.arn}
        if pairs:
            result["Tags"] = [{"Key": k, "Value": v} for k, v in pairs]
        return result


def get_saml_provider(
    db: Database, account_id: str | None, saml_provider_arn: str
) -> dict[str, Any]:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        return shape(session, get_row(session, account, saml_provider_arn))


def list_saml_providers(db: Database, account_id: str | None) -> dict[str, Any]:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        rows = session.scalars(
            select(SamlProvider)
            .where(SamlProvider.account_id == account)
            .order_by(SamlProvider.arn)
        )
        return {
            "SAMLProviderList": [
                {"Arn": r.arn, "ValidUntil": r.valid_until, "CreateDate": r.create_date}
                for r in rows
            ]
        }


def update_saml_provider(
    db: Database,
    account_id: str | None,
    saml_provider_arn: str,
    *,
    saml_metadata_document: str | None = None,
    assertion_encryption_mode: str | None = None,
    add_private_key: str | None = None,
    remove_private_key: str | None = None,
) -> dict[str, Any]:
    _no_encryption(assertion_encryption_mode, add_private_key or remove_private_key)
    if saml_metadata_document is None:
        raise invalid_input("No updates are defined: give --saml-metadata-document.")
    entity_id, valid_until = read_metadata(saml_metadata_document)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = get_row(session, account, saml_provider_arn)
        before = _summary(row)
        row.metadata_document = saml_metadata_document
        row.entity_id = entity_id
        row.valid_until = valid_until or _hundred_years_on(row.create_date)
        session.add(row)
        session.flush()
        entities.record(
            session,
            db,
            account,
            "UpdateSAMLProvider",
            ENTITY,
            row.arn,
            before=before,
            after=_summary(row),
        )
        return {"SAMLProviderArn": row.arn}


def delete_saml_provider(
    db: Database, account_id: str | None, saml_provider_arn: str
) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = get_row(session, account, saml_provider_arn)
        before = _summary(row)
        session.execute(delete(Tag).where(Tag.entity_type == ENTITY, Tag.entity_pk == row.pk))
        session.delete(row)
        entities.record(session, db, account, "DeleteSAMLProvider", ENTITY, row.arn, before=before)
    return {}
