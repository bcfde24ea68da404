"""Undoable edits of identity providers: create (undo deletes) and delete (undo creates the
provider again with the same URL or name, client IDs, thumbprints, metadata and tags)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from iamdesk.ui.commands.base import ServiceCommand, execute
from iamdesk.ui.context import AppContext

log = logging.getLogger(__name__)

# Providers are shown in the Roles view (and its trust tab), so their edits refresh "roles".
_KINDS = ("roles",)


def create_oidc_provider(
    context: AppContext,
    url: str,
    client_ids: Sequence[str],
    thumbprints: Sequence[str] = (),
) -> Any:
    from iamdesk.services.federation import oidc

    db, account = context.database, context.account_id
    arn_box: list[str] = []

    def do() -> Any:
        result = oidc.create_open_id_connect_provider(
            db, account, url, client_id_list=list(client_ids), thumbprint_list=list(thumbprints)
        )
        arn_box[:] = [result["OpenIDConnectProviderArn"]]
        return result

    return execute(
        context,
        ServiceCommand(
            context,
            f"Create OIDC provider {url}",
            do,
            lambda: oidc.delete_open_id_connect_provider(db, account, arn_box[0]),
            _KINDS,
        ),
    )


def create_saml_provider(context: AppContext, name: str, metadata: str) -> Any:
    from iamdesk.services.federation import saml

    db, account = context.database, context.account_id
    arn_box: list[str] = []

    def do() -> Any:
        result = saml.create_saml_provider(db, account, metadata, name)
        arn_box[:] = [result["SAMLProviderArn"]]
        return result

    return execute(
        context,
        ServiceCommand(
            context,
            f"Create SAML provider {name}",
            do,
            lambda: saml.delete_saml_provider(db, account, arn_box[0]),
            _KINDS,
        ),
    )


def delete_identity_provider(context: AppContext, arn: str) -> Any:
    from iamdesk.services.federation import oidc, saml

    db, account = context.database, context.account_id
    if ":oidc-provider/" in arn:
        before = oidc.get_open_id_connect_provider(db, account, arn)

        def recreate() -> Any:
            return oidc.create_open_id_connect_provider(
                db,
                account,
                "https://" + before["Url"],
                client_id_list=before["ClientIDList"],
                thumbprint_list=before["ThumbprintList"],
                tags=before["Tags"] or None,
            )

        delete: Any = lambda: oidc.delete_open_id_connect_provider(db, account, arn)  # noqa: E731
        label = before["Url"]
    else:
        before = saml.get_saml_provider(db, account, arn)
        name = arn.rsplit("/", 1)[-1]

        def recreate() -> Any:
            return saml.create_saml_provider(
                db, account, before["SAMLMetadataDocument"], name, tags=before["Tags"] or None
            )

        delete = lambda: saml.delete_saml_provider(db, account, arn)  # noqa: E731
        label = name
    kind = "OIDC" if ":oidc-provider/" in arn else "SAML"
    return execute(
        context,
        ServiceCommand(context, f"Delete {kind} provider {label}", delete, recreate, _KINDS),
    )
