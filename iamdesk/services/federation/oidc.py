"""IAM OpenID Connect providers: create/get/list/delete, client IDs, thumbprints, tags.

IAM's rules: the URL begins with ``https://`` (a host, maybe a path; no query or fragment; at
most 255 characters) and names the provider: its ARN is
``arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`` and a URL can be registered once per account.
At most 100 providers per account, 100 client IDs (audiences, 1-255 characters each) and 5
thumbprints (40 hex digits: the SHA-1 of the IdP's certificate; optional since IAM verifies
well-known CAs itself) per provider. Adding a client ID that is there already, removing one that
is not, and deleting a provider that does not exist all succeed, as IAM's are idempotent.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session

from iamdesk.core import jsontext
from iamdesk.services import entities
from iamdesk.services import tags as tag_service
from iamdesk.services.errors import IamError, invalid_input, limit_exceeded
from iamdesk.services.validation import check_tags
from iamdesk.store.db import Database
from iamdesk.store.tables import OidcProvider, Tag

log = logging.getLogger(__name__)

ENTITY = "oidc-provider"  # the change log's and the tag table's word
MAX_PROVIDERS = 100
MAX_CLIENT_IDS = 100
MAX_THUMBPRINTS = 5
MAX_URL = 255
MAX_CLIENT_ID = 255
_THUMBPRINT = re.compile(r"[0-9A-Fa-f]{40}")
_ARN = re.compile(r"arn:aws:iam::(\d{12}):oidc-provider/(.+)")


def provider_arn(account_id: str, url: str) -> str:
    return f"arn:aws:iam::{account_id}:oidc-provider/{url}"


def check_url(url: str) -> str:
    """``https://host[/path]`` -> ``host[/path]`` (what IAM keeps and prints)."""
    if not isinstance(url, str) or not 1 <= len(url) <= MAX_URL:
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value at 'url' failed to satisfy constraint: Member "
            f"must have length between 1 and {MAX_URL}",
        )
    if not url.lower().startswith("https://"):
        raise invalid_input("Invalid Open ID Connect Provider URL: it must begin with https://")
    rest = url[len("https://") :].rstrip("/")
    host = rest.split("/", 1)[0]
    if not host or any(c in rest for c in "?# ") or not re.fullmatch(r"[A-Za-z0-9.:-]+", host):
        raise invalid_input(
            "Invalid Open ID Connect Provider URL: a host and an optional path, without query or"
            " fragment"
        )
    return rest


def check_client_ids(client_ids: Iterable[str] | None) -> list[str]:
    out: list[str] = []
    for client_id in client_ids or []:
        if not isinstance(client_id, str) or not 1 <= len(client_id) <= MAX_CLIENT_ID:
            raise IamError(
                "ValidationError",
                "1 validation error detected: Value at 'clientIDList' failed to satisfy "
                f"constraint: Member must have length between 1 and {MAX_CLIENT_ID}",
            )
        if client_id not in out:
            out.append(client_id)
    if len(out) > MAX_CLIENT_IDS:
        raise limit_exceeded(
            f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}"
        )
    return out


def check_thumbprints(thumbprints: Iterable[str] | None) -> list[str]:
    out: list[str] = []
    for thumbprint in thumbprints or []:
        if not isinstance(thumbprint, str) or not _THUMBPRINT.fullmatch(thumbprint):
            raise invalid_input(
                f"Thumbprint {str(thumbprint)[:60]!r} is not 40 hexadecimal digits (the SHA-1 "
                "fingerprint of the IdP's certificate)."
            )
        if thumbprint.lower() not in (t.lower() for t in out):
            out.append(thumbprint)
    if len(out) > MAX_THUMBPRINTS:
        raise limit_exceeded(
            f"Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: {MAX_THUMBPRINTS}"
        )
    return out


def not_found(arn: str) -> IamError:
    return IamError("NoSuchEntity", f"OpenIDConnect Provider not found for arn {arn}")


def find(session: Session, account: str, arn: str) -> OidcProvider | None:
    if not isinstance(arn, str) or not _ARN.fullmatch(arn):
        raise invalid_input(f"Invalid ARN {str(arn)[:300]}: not an OpenID Connect provider's ARN")
    return session.scalars(
        select(OidcProvider).where(OidcProvider.account_id == account, OidcProvider.arn == arn)
    ).first()


def get_row(session: Session, account: str, arn: str) -> OidcProvider:
    row = find(session, account, arn)
    if row is None:
        raise not_found(arn)
    return row


def by_url(session: Session, url: str) -> list[OidcProvider]:
    """Every account's provider registered for ``url`` (an ``iss`` claim; with or without
    ``https://``)."""
    rest = url[len("https://") :] if url.lower().startswith("https://") else url
    rest = rest.rstrip("/")
    return list(
        session.scalars(select(OidcProvider).where(func.lower(OidcProvider.url) == rest.lower()))
    )


def shape(session: Session, row: OidcProvider) -> dict[str, Any]:
    """GetOpenIDConnectProvider's output for ``row``."""
    return {
        "Url": row.url,
        "ClientIDList": jsontext.loads(row.client_ids),
        "ThumbprintList": jsontext.loads(row.thumbprints),
        "CreateDate": row.create_date,
        "Tags": entities.tags_of(session, ENTITY, int(row.pk or 0)),
    }


def _resolve(session: Session, account: str, arn: str) -> tuple[int, str]:
    row = get_row(session, account, arn)
    return int(row.pk or 0), row.arn


# Tag/Untag/ListOpenIDConnectProviderTags use the tag service's shared rules (50 tags, keys
# without case), with this kind registered beside the kinds it ships with.
tag_service.KINDS[ENTITY] = (_resolve, "OpenIDConnectProvider")


def create_open_id_connect_provider(
    db: Database,
    account_id: str | None,
    url: str,
    *,
    client_id_list: Sequence[str] | None = None,
    thumbprint_list: Sequence[str] | None = None,
    tags: Iterable[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    rest = check_url(url)
    client_ids = check_client_ids(client_id_list)
    thumbprints = check_thumbprints(thumbprint_list)
    pairs = check_tags(tags)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        taken = any(row.account_id == account for row in by_url(session, rest))
        if taken:
            raise IamError("EntityAlreadyExists", f"Provider with url {url} already exists.")
        count = session.execute(
            select(func.count()).where(OidcProvider.account_id == account)
        ).scalar_one()
        if count >= MAX_PROVIDERS:
            raise limit_exceeded(
                f"Cannot exceed quota for OpenIdConnectProvidersPerAccount: {MAX_PROVIDERS}"
            )
        row = OidcProvider(
            account_id=account,
            url=rest,
            arn=provider_arn(account, rest),
            client_ids=json.dumps(client_ids),
            thumbprints=json.dumps(thumbprints),
            create_date=db.now(),
        )
        session.add(row)
        session.flush()
        _replace_tags(session, int(row.pk or 0), pairs)
        out = shape(session, row)
        entities.record(
            session, db, account, "CreateOpenIDConnectProvider", ENTITY, row.arn, after=out
        )
        result: dict[str, Any] = {"OpenIDConnectProviderArn": row.arn}
        if pairs:
            result["Tags"] = [{"Key": k, "Value": v} for k, v in pairs]
        return result


def _replace_tags(session: Session, pk: int, pairs: list[tuple[str, str]]) -> None:
    tag_service.replace_tags(session, ENTITY, pk, pairs)


def get_open_id_connect_provider(
    db: Database, account_id: str | None, open_id_connect_provider_arn: str
) -> dict[str, Any]:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        return shape(session, get_row(session, account, open_id_connect_provider_arn))


def list_open_id_connect_providers(db: Database, account_id: str | None) -> dict[str, Any]:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        rows = session.scalars(
            select(OidcProvider)
            .where(OidcProvider.account_id == account)
            .order_by(OidcProvider.arn)
        )
        return {"OpenIDConnectProviderList": [{"Arn": row.arn} for row in rows]}


def delete_open_id_connect_provider(
    db: Database, account_id: str | None, open_id_connect_provider_arn: str
) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = find(session, account, open_id_connect_provider_arn)
        if row is None:
            return {}  # IAM's DeleteOpenIDConnectProvider is idempotent
        before = shape(session, row)
        session.execute(delete(Tag).where(Tag.entity_type == ENTITY, Tag.entity_pk == row.pk))
        session.delete(row)
        entities.record(
            session, db, account, "DeleteOpenIDConnectProvider", ENTITY, row.arn, before=before
        )
    return {}


def _change(
    db: Database, account_id: str | None, arn: str, operation: str, edit: Any
) -> dict[str, Any]:
    """One change to a provider's lists, logged with its before and after."""
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = get_row(session, account, arn)
        before = shape(session, row)
        edit(row)
        session.add(row)
        session.flush()
        entities.record(
            session,
            db,
            account,
            operation,
            ENTITY,
            row.arn,
            before=before,
            after=shape(session, row),
        )
    return {}


def add_client_id_to_open_id_connect_provider(
    db: Database, account_id: str | None, open_id_connect_provider_arn: str, client_id: str
) -> dict[str, Any]:
    check_client_ids([client_id])

    def edit(row: OidcProvider) -> None:
        row.client_ids = json.dumps(check_client_ids([*jsontext.loads(row.client_ids), client_id]))

    return _change(
        db, account_id, open_id_connect_provider_arn, "AddClientIDToOpenIDConnectProvider", edit
    )


def remove_client_id_from_open_id_connect_provider(
    db: Database, account_id: str | None, open_id_connect_provider_arn: str, client_id: str
) -> dict[str, Any]:
    check_client_ids([client_id])

    def edit(row: OidcProvider) -> None:
        kept = [c for c in jsontext.loads(row.client_ids) if c != client_id]
        row.client_ids = json.dumps(kept)

    return _change(
        db,
        account_id,
        open_id_connect_provider_arn,
        "RemoveClientIDFromOpenIDConnectProvider",
        edit,
    )


def update_open_id_connect_provider_thumbprint(
    db: Database,
    account_id: str | None,
    open_id_connect_provider_arn: str,
    thumbprint_list: Sequence[str],
) -> dict[str, Any]:
    thumbprints = check_thumbprints(thumbprint_list)

    def edit(row: OidcProvider) -> None:
        row.thumbprints = json.dumps(thumbprints)

    return _change(
        db,
        account_id,
        open_id_connect_provider_arn,
        "UpdateOpenIDConnectProviderThumbprint",
        edit,
    )
