"""``aws iam`` commands for OIDC and SAML identity providers (``iamdesk.services.federation``)."""

from __future__ import annotations

import functools
from typing import Any

from iamdesk.cli.iam import command
from iamdesk.cli.iam.commands import operation_name
from iamdesk.services import tags
from iamdesk.services.federation import oidc, saml

OIDC_ARN = "open_id_connect_provider_arn!"
SAML_ARN = "saml_provider_arn!"

# command name, service function, option specs (see iamdesk.cli.iam.parse_spec)
TABLE: list[tuple[str, Any, str]] = [
    (
        "create-open-id-connect-provider",
        oidc.create_open_id_connect_provider,
        "url! client_id_list:list thumbprint_list:list tags:tags",
    ),
    ("get-open-id-connect-provider", oidc.get_open_id_connect_provider, OIDC_ARN),
    ("list-open-id-connect-providers", oidc.list_open_id_connect_providers, ""),
    ("delete-open-id-connect-provider", oidc.delete_open_id_connect_provider, OIDC_ARN),
    (
        "add-client-id-to-open-id-connect-provider",
        oidc.add_client_id_to_open_id_connect_provider,
        f"{OIDC_ARN} client_id!",
    ),
    (
        "remove-client-id-from-open-id-connect-provider",
        oidc.remove_client_id_from_open_id_connect_provider,
        f"{OIDC_ARN} client_id!",
    ),
    (
        "update-open-id-connect-provider-thumbprint",
        oidc.update_open_id_connect_provider_thumbprint,
        f"{OIDC_ARN} thumbprint_list:list!",
    ),
    (
        "create-saml-provider",
        saml.create_saml_provider,
        "saml_metadata_document! name! tags:tags assertion_encryption_mode add_private_key",
    ),
    ("get-saml-provider", saml.get_saml_provider, SAML_ARN),
    ("list-saml-providers", saml.list_saml_providers, ""),
    (
        "update-saml-provider",
        saml.update_saml_provider,
        f"{SAML_ARN} saml_metadata_document assertion_encryption_mode add_private_key"
        " remove_private_key",
    ),
    ("delete-saml-provider", saml.delete_saml_provider, SAML_ARN),
]

# CLI noun, tag kind, the ARN option's keyword
_TAGGED = (
    ("open-id-connect-provider", oidc.ENTITY, "open_id_connect_provider_arn"),
    ("saml-provider", saml.ENTITY, "saml_provider_arn"),
)


def _operation(name: str) -> str:
    return (
        operation_name(name)
        .replace("OpenIdConnect", "OpenIDConnect")
        .replace("ClientId", "ClientID")
        .replace("Saml", "SAML")
    )


def _tag(kind: str, key: str, db: Any, account_id: Any, **o: Any) -> Any:
    return tags.tag(db, account_id, kind, o[key], o["tags"])


def _untag(kind: str, key: str, db: Any, account_id: Any, **o: Any) -> Any:
    return tags.untag(db, account_id, kind, o[key], o["tag_keys"])


def _list_tags(kind: str, key: str, db: Any, account_id: Any, **o: Any) -> Any:
    return tags.list_tags(db, account_id, kind, o[key])


def register_iam_commands(register: Any) -> None:
    for name, function, specs in TABLE:
        command(name, _operation(name), function, *specs.split())
    for noun, kind, key in _TAGGED:
        command(
            f"tag-{noun}",
            _operation(f"tag-{noun}"),
            functools.partial(_tag, kind, key),
            f"{key}!",
            "tags:tags!",
        )
        command(
            f"untag-{noun}",
            _operation(f"untag-{noun}"),
            functools.partial(_untag, kind, key),
            f"{key}!",
            "tag_keys:list!",
        )
        command(
            f"list-{noun}-tags",
            _operation(f"list-{noun}-tags"),
            functools.partial(_list_tags, kind, key),
            f"{key}!",
        )
