"""OIDC ID tokens (JWTs) as AssumeRoleWithWebIdentity reads them, offline.

A JWT is three base64url parts: header, claims, signature. The model has no network, so it cannot
fetch the IdP's keys (its JWKS) to verify the signature: tokens are accepted unsigned or signed
with anything, and everything else STS checks is checked (the README says so). What STS reads:
``iss`` (which provider), ``aud`` (one of its client IDs; a list is allowed), ``sub``, ``exp``
(and ``nbf``/``iat`` when present), ``azp`` and ``amr``.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass
from typing import Any

from iamdesk.core import jsontext
from iamdesk.services.errors import IamError

log = logging.getLogger(__name__)

MAX_TOKEN = 20_000  # STS's limit on WebIdentityToken


def invalid_token(message: str) -> IamError:
    return IamError("InvalidIdentityToken", message)


@dataclass(frozen=True)
class Claims:
    issuer: str
    audiences: tuple[str, ...]
    subject: str
    expires: int
    not_before: int | None
    authorized_party: str | None
    amr: tuple[str, ...]
    raw: dict[str, Any]


def _part(text: str) -> dict[str, Any]:
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        value = jsontext.loads(data, max_depth=16)
    except (binascii.Error, ValueError, json.JSONDecodeError):
        raise invalid_token(
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an "
            "Access Token)"
        ) from None
    if not isinstance(value, dict):
        raise invalid_token(
            "The ID Token provided is not a valid JWT: its claims are not an object"
        )
    return value


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return ()


def _time(claims: dict[str, Any], name: str) -> int | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid_token(f"The ID Token's {name} claim is not a number of seconds")
    return int(value)


def decode(token: str) -> Claims:
    """The token's claims, checked for shape (not for signature, nor against a provider)."""
    if not isinstance(token, str) or not 4 <= len(token) <= MAX_TOKEN:
        raise IamError(
            "ValidationError",
            "1 validation error detected: Value at 'webIdentityToken' failed to satisfy "
            f"constraint: Member must have length between 4 and {MAX_TOKEN}",
        )
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise invalid_token(
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an "
            "Access Token)"
        )
    header, claims = _part(parts[0]), _part(parts[1])
    if "alg" not in header:
        raise invalid_token("The ID Token provided is not a valid JWT: its header has no alg")
    issuer = claims.get("iss")
    subject = claims.get("sub")
    expires = _time(claims, "exp")
    if not isinstance(issuer, str) or not issuer:
        raise invalid_token("The ID Token has no iss (issuer) claim")
    if not isinstance(subject, str) or not subject:
        raise invalid_token("The ID Token has no sub (subject) claim")
    if expires is None:
        raise invalid_token("The ID Token has no exp (expiration) claim")
    audiences = _strings(claims.get("aud"))
    if not audiences:
        raise invalid_token("The ID Token has no aud (audience) claim")
    azp = claims.get("azp")
    return Claims(
        issuer=issuer,
        audiences=audiences,
        subject=subject,
        expires=expires,
        not_before=_time(claims, "nbf"),
        authorized_party=azp if isinstance(azp, str) else None,
        amr=_strings(claims.get("amr")),
        raw=claims,
    )


def encode_unsigned(claims: dict[str, Any]) -> str:
    """An unsigned JWT (``alg: none``) with these claims: what tests and the demo present."""

    def part(value: dict[str, Any]) -> str:
        text = json.dumps(value, separators=(",", ":")).encode("utf-8")
        return base64.urlsafe_b64encode(text).decode("ascii").rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."
