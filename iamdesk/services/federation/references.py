"""Which identity providers roles trust, for the views: every provider of an account with the
roles whose trust policy names it, and for one trust policy each ``Federated`` principal with
whether the model has that provider (a trust policy may name one that does not exist: then no
token or assertion can ever assume the role)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from iamdesk.core import jsontext
from iamdesk.services import entities
from iamdesk.services.federation.sessions import BUILT_IN_ISSUERS
from iamdesk.store.db import Database
from iamdesk.store.tables import OidcProvider, Role, SamlProvider

log = logging.getLogger(__name__)

# Web identity providers AWS knows without an IAM provider entity.
BUILT_IN = frozenset({*BUILT_IN_ISSUERS, "graph.facebook.com", "www.amazon.com"})


def federated_principals(trust_text: str) -> list[str]:
    """The ``Federated`` principals an Allow statement of a trust policy names, in order."""
    try:
        document = jsontext.loads(trust_text)
    except json.JSONDecodeError:
        return []
    found: list[str] = []
    for principal in _principal_blocks(document):
        names = principal.get("Federated") if isinstance(principal, dict) else None
        for name in [names] if isinstance(names, str) else names or []:
            if isinstance(name, str) and name not in found:
                found.append(name)
    return found


def _principal_blocks(document: Any) -> Iterator[Any]:
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    for statement in [statements] if isinstance(statements, dict) else statements:
        if isinstance(statement, dict) and statement.get("Effect") == "Allow":
            yield statement.get("Principal")


def trust_providers(db: Database, account_id: str | None, trust_text: str) -> list[dict[str, Any]]:
    """Each Federated principal of the trust policy: ``Principal``, ``Type`` (``OIDC``,
    ``SAML``, ``built-in``, ``unknown``), ``Exists`` and a ``Detail`` line in words."""
    principals = federated_principals(trust_text)
    if not principals:
        return []
    with db.read() as session:
        entities.resolve_account(session, db, account_id)
        oidc = {r.arn: r for r in session.scalars(select(OidcProvider))}
        saml = {r.arn.lower(): r for r in session.scalars(select(SamlProvider))}
    out = []
    for name in principals:
        if ":oidc-provider/" in name:
            row = oidc.get(name)
            detail = (
                f"client IDs: {', '.join(jsontext.loads(row.client_ids)) or 'none'}"
                if row is not None
                else "no such OIDC provider in the model: web identity tokens can't assume this"
                " role"
            )
            out.append(_entry(name, "OIDC", row is not None, detail))
        elif ":saml-provider/" in name:
            found = saml.get(name.lower())
            detail = (
                f"IdP entity {found.entity_id}"
                if found is not None
                else "no such SAML provider in the model: assertions can't assume this role"
            )
            out.append(_entry(name, "SAML", found is not None, detail))
        elif name in BUILT_IN:
            detail = "a web identity provider AWS knows without an IAM entity"
            out.append(_entry(name, "built-in", True, detail))
        else:
            detail = "neither an IAM provider ARN nor a provider AWS knows"
            out.append(_entry(name, "unknown", False, detail))
    return out


def _entry(principal: str, kind: str, exists: bool, detail: str) -> dict[str, Any]:
    return {"Principal": principal, "Type": kind, "Exists": exists, "Detail": detail}


def identity_provider_rows(db: Database, account_id: str | None) -> list[dict[str, Any]]:
    """The account's OIDC and SAML providers with the roles that trust each, for a table."""
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        trusting: dict[str, list[str]] = {}
        for role in session.scalars(select(Role).where(Role.account_id == account)):
            for name in federated_principals(role.assume_role_policy):
                trusting.setdefault(name.lower(), []).append(role.name)
        rows: list[dict[str, Any]] = []
        for oidc in session.scalars(select(OidcProvider).where(OidcProvider.account_id == account)):
            rows.append({
                "Arn": oidc.arn, "Type": "OIDC", "Name": oidc.url,
                "Audiences": ", ".join(jsontext.loads(oidc.client_ids)),
                "CreateDate": oidc.create_date,
                "Roles": sorted(trusting.get(oidc.arn.lower(), []), key=str.lower),
            })  # fmt: skip
        for saml in session.scalars(select(SamlProvider).where(SamlProvider.account_id == account)):
            rows.append({
                "Arn": saml.arn, "Type": "SAML", "Name": saml.name,
                "Audiences": saml.entity_id, "CreateDate": saml.create_date,
                "Roles": sorted(trusting.get(saml.arn.lower(), []), key=str.lower),
            })  # fmt: skip
        return rows
