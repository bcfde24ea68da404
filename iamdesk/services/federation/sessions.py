"""AssumeRoleWithWebIdentity and AssumeRoleWithSAML over the model.

Neither has an IAM caller: the principal is the identity provider, so the decision is the role's
trust policy alone (it must allow ``sts:AssumeRoleWithWebIdentity``/``-WithSAML`` to the
``Federated`` provider), evaluated by the core evaluator with the context keys AWS sets from the
token or assertion (IAM User Guide, "Available keys for AWS OIDC federation" and "for SAML-based
AWS STS federation"). The session is recorded like AssumeRole's (its secret and token only as
hashes), so it is a principal the test-access panel and ``simulate-principal-policy`` can use;
``FederatedSession`` keeps where it came from.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.core.evaluator import ALLOWED, PolicyRef, PolicySet, Principal, Request, evaluate
from iamdesk.core.evaluator.compiled import compile_policy
from iamdesk.core.policy.parser import parse_policy
from iamdesk.services.entities import record
from iamdesk.services.errors import IamError
from iamdesk.services.federation import assertions, oidc, saml, tokens
from iamdesk.services.session_credentials import (
    check_duration,
    check_inputs,
    new_credentials,
    packed_size,
    session_policy_arns,
)
from iamdesk.store.db import Database, iso
from iamdesk.store.ids import assumed_role_arn
from iamdesk.store.tables import FederatedSession, Role, StsSession

log = logging.getLogger(__name__)

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
SAML = "sts:AssumeRoleWithSAML"
# OIDC issuers AWS knows without an IAM provider: a trust policy names them by host.
BUILT_IN_ISSUERS = ("accounts.google.com", "cognito-identity.amazonaws.com")


def _not_authorized(action: str) -> IamError:
    return IamError("AccessDenied", f"Not authorized to perform {action}")


def _role(session: Session, role_arn: str, action: str) -> Role:
    role = session.scalars(select(Role).where(Role.arn == role_arn)).first()
    if role is None:
        raise _not_authorized(action)
    return role


def _duration(role: Role, duration_seconds: int | None) -> int:
    return check_duration(
        3600 if duration_seconds is None else duration_seconds,
        role.max_session_duration,
        "MaxSessionDuration set for this role",
    )


def _trust_allows(role: Role, provider: str, action: str, context: Mapping[str, Any]) -> bool:
    trust = compile_policy(parse_policy(role.assume_role_policy))
    request = Request(
        Principal(provider, role.account_id),
        action,
        role.arn,
        resource_account=role.account_id,
        context=dict(context),
    )
    policies = PolicySet(resource_policy=PolicyRef("trust", trust), resource_policy_must_allow=True)
    return evaluate(request, policies).decision == ALLOWED


def _time_keys(now: datetime) -> dict[str, str]:
    return {
        "aws:CurrentTime": now.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:SecureTransport": "true",
    }


def _record_session(
    session: Session,
    db: Database,
    role: Role,
    *,
    kind: str,
    session_name: str,
    provider: str,
    subject: str,
    audience: str,
    context: Mapping[str, Any],
    duration: int,
    policy: str | None,
    managed: list[str],
    operation: str,
) -> dict[str, Any]:
    """The StsSession (and where it came from) for a granted request; STS's common output."""
    now = db.clock()
    credentials = new_credentials(db, now, duration)
    assumed_id = f"{role.role_id}:{session_name}"
    arn = assumed_role_arn(role.account_id, role.name, session_name)
    row = StsSession(
        account_id=role.account_id,
        role_pk=int(role.pk or 0),
        session_name=session_name,
        access_key_id=credentials.access_key_id,
        secret_hash=credentials.secret_hash,
        token_hash=credentials.token_hash,
        assumed_role_id=assumed_id,
        arn=arn,
        caller_arn=provider,
        session_policy=policy,
        policy_arns=json.dumps(managed),
        create_date=iso(now),
        expiration=credentials.expiration,
    )
    session.add(row)
    session.flush()
    session.add(
        FederatedSession(
            sts_session_pk=int(row.pk or 0),
            role_pk=int(role.pk or 0),
            kind=kind,
            provider_arn=provider,
            subject=subject,
            audience=audience,
            context=json.dumps(dict(context)),
        )
    )
    role.last_used_date = iso(now)
    role.last_used_region = "us-east-1"
    session.add(role)
    record(session, db, role.account_id, operation, "session", arn, after={"provider": provider})
    out: dict[str, Any] = {
        "Credentials": credentials.to_output(),
        "AssumedRoleUser": {"AssumedRoleId": assumed_id, "Arn": arn},
    }
    if policy is not None:
        out["PackedPolicySize"] = packed_size(policy, {})
    return out


# --- web identity ---------------------------------------------------------------------------


def _provider_for(session: Session, role: Role, claims: tokens.Claims) -> tuple[str, str, str]:
    """(principal the trust policy names, context-key prefix, audience) for the token's issuer;
    InvalidIdentityToken when the role's account has no such provider or the audience is not
    one of its client IDs."""
    rows = [r for r in oidc.by_url(session, claims.issuer) if r.account_id == role.account_id]
    if not rows:
        host = claims.issuer.removeprefix("https://").rstrip("/")
        if host in BUILT_IN_ISSUERS:
            return host, host, claims.authorized_party or claims.audiences[0]
        raise tokens.invalid_token(
            f"No OpenIDConnect provider found in your account for {claims.issuer}"
        )
    provider = rows[0]
    client_ids = set(json.loads(provider.client_ids))
    matched = [a for a in claims.audiences if a in client_ids]
    if claims.authorized_party in client_ids:
        matched.insert(0, str(claims.authorized_party))
    if not matched:
        raise tokens.invalid_token("Incorrect token audience")
    return provider.arn, provider.url, matched[0]


def web_identity_context(
    prefix: str, provider: str, audience: str, claims: tokens.Claims
) -> dict[str, Any]:
    """The keys a trust policy can test for this token (and the session keeps)."""
    context: dict[str, Any] = {
        "aws:FederatedProvider": provider,
        f"{prefix}:sub": claims.subject,
        f"{prefix}:aud": audience,
    }
    if claims.authorized_party is not None:  # aud then names the azp; oaud the token's aud
        context[f"{prefix}:oaud"] = list(claims.audiences)
    if claims.amr:
        context[f"{prefix}:amr"] = list(claims.amr)
    return context


def assume_role_with_web_identity(
    db: Database,
    *,
    role_arn: str,
    role_session_name: str,
    web_identity_token: str,
    provider_id: str | None = None,
    policy: str | None = None,
    policy_arns: Sequence[Mapping[str, str]] | None = None,
    duration_seconds: int | None = None,
    account_id: str | None = None,
) -> dict[str, Any]:
    """AWS's AssumeRoleWithWebIdentity (``account_id`` is the CLI's uniform keyword: the
    account is the role's). ``provider_id`` is for OAuth 2.0 access tokens of the built-in
    providers, which the model does not model; it is refused when given."""
    check_inputs(role_session_name, policy)
    if provider_id is not None:
        raise IamError(
            "InvalidParameterValue",
            "--provider-id is for OAuth 2.0 access tokens of www.amazon.com and "
            "graph.facebook.com, which the model does not model; give an OIDC ID token",
        )
    claims = tokens.decode(web_identity_token)
    now = db.clock()
    with db.transaction() as session:
        role = _role(session, role_arn, WEB_IDENTITY)
        provider, prefix, audience = _provider_for(session, role, claims)
        if claims.expires <= int(now.timestamp()):
            raise IamError(
                "ExpiredTokenException",
                f"Token expired: current date/time {int(now.timestamp())} must be before the "
                f"expiration date/time {claims.expires}",
            )
        if claims.not_before is not None and claims.not_before > int(now.timestamp()):
            raise tokens.invalid_token("The ID Token is not yet valid (nbf is in the future)")
        duration = _duration(role, duration_seconds)
        managed = session_policy_arns(session, role.account_id, policy_arns)
        context = web_identity_context(prefix, provider, audience, claims)
        request_keys = {**context, **_time_keys(now), "sts:RoleSessionName": role_session_name}
        if not _trust_allows(role, provider, WEB_IDENTITY, request_keys):
            raise _not_authorized(WEB_IDENTITY)
        out = _record_session(
            session,
            db,
            role,
            kind="web-identity",
            session_name=role_session_name,
            provider=provider,
            subject=claims.subject,
            audience=audience,
            context=context,
            duration=duration,
            policy=policy,
            managed=managed,
            operation="AssumeRoleWithWebIdentity",
        )
        return {
            **out,
            "SubjectFromWebIdentityToken": claims.subject,
            "Provider": provider,
            "Audience": audience,
        }


# --- SAML -----------------------------------------------------------------------------------


def name_qualifier(issuer: str, account_id: str, provider_name: str) -> str:
    """``saml:namequalifier``: base64 of SHA-1 of Issuer + account + "/" + provider name."""
    digest = hashlib.sha1(f"{issuer}{account_id}/{provider_name}".encode(), usedforsecurity=False)
    return base64.b64encode(digest.digest()).decode("ascii")


def saml_context(
    found: assertions.Assertion, account_id: str, provider_name: str, provider_arn: str
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "aws:FederatedProvider": provider_arn,
        "saml:aud": found.recipient,
        "saml:iss": found.issuer,
        "saml:sub": found.subject,
        "saml:sub_type": found.subject_type,
        "saml:namequalifier": name_qualifier(found.issuer, account_id, provider_name),
        "saml:doc": f"{account_id}/{provider_name}",
    }
    for name, key in assertions.OID_KEYS.items():
        if found.attributes.get(name):
            context[key] = found.attributes[name]
    return context


def assume_role_with_saml(
    db: Database,
    *,
    role_arn: str,
    principal_arn: str,
    saml_assertion: str,
    policy: str | None = None,
    policy_arns: Sequence[Mapping[str, str]] | None = None,
    duration_seconds: int | None = None,
    account_id: str | None = None,
) -> dict[str, Any]:
    """AWS's AssumeRoleWithSAML; the session name is the assertion's RoleSessionName."""
    root = assertions.decode(saml_assertion)
    found = assertions.read(root)
    now = db.clock()
    with db.transaction() as session:
        role = _role(session, role_arn, SAML)
        provider = saml.by_arn(session, principal_arn)
        if provider is None or provider.account_id != role.account_id:
            raise tokens.invalid_token("Specified provider doesn't exist")
        if found.issuer != provider.entity_id:
            raise tokens.invalid_token(
                f"Issuer {found.issuer[:300]!r} of the assertion is not the provider's entity "
                f"{provider.entity_id!r}"
            )
        if datetime.fromisoformat(provider.valid_until) <= now:
            raise tokens.invalid_token("The SAML provider's metadata is no longer valid")
        if not assertions.recipient_ok(found.recipient):
            raise assertions.rejected(
                f"The assertion's Recipient {found.recipient[:300]!r} is not AWS's SAML endpoint "
                "(https://signin.aws.amazon.com/saml)"
            )
        until = found.not_on_or_after
        if until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        if now >= until:
            raise IamError(
                "ExpiredTokenException",
                f"Token expired: the SAML assertion's NotOnOrAfter {until.isoformat()} has passed",
            )
        assertions.check_conditions(root, now)
        if (role.arn, provider.arn) not in found.role_pairs:
            raise assertions.rejected(
                f"The assertion's {assertions.ROLE_ATTRIBUTE} attribute does not pair role "
                f"{role.arn} with provider {provider.arn}"
            )
        if found.session_name is None:
            raise tokens.invalid_token(
                f"The assertion has no {assertions.SESSION_NAME_ATTRIBUTE} attribute"
            )
        check_inputs(found.session_name, policy)
        wanted = duration_seconds if duration_seconds is not None else found.session_duration
        duration = _duration(role, wanted)
        managed = session_policy_arns(session, role.account_id, policy_arns)
        context = saml_context(found, role.account_id, provider.name, provider.arn)
        request_keys = {**context, **_time_keys(now), "sts:RoleSessionName": found.session_name}
        if not _trust_allows(role, provider.arn, SAML, request_keys):
            raise _not_authorized(SAML)
        out = _record_session(
            session,
            db,
            role,
            kind="saml",
            session_name=found.session_name,
            provider=provider.arn,
            subject=found.subject,
            audience=found.recipient,
            context=context,
            duration=duration,
            policy=policy,
            managed=managed,
            operation="AssumeRoleWithSAML",
        )
        return {
            **out,
            "Subject": found.subject,
            "SubjectType": found.subject_type,
            "Issuer": found.issuer,
            "Audience": found.recipient,
            "NameQualifier": context["saml:namequalifier"],
        }


def federated_sessions(db: Database, account_id: str | None = None) -> dict[str, str]:
    """Session ARN -> "web-identity" | "saml", for the sessions federation made."""
    with db.read() as session:
        query = select(StsSession.arn, FederatedSession.kind).join(
            FederatedSession, FederatedSession.sts_session_pk == StsSession.pk
        )
        if account_id is not None:
            query = query.where(StsSession.account_id == account_id)
        return {arn: kind for arn, kind in session.execute(query)}
