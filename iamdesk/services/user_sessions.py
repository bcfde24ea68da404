"""GetSessionToken and GetFederationToken: temporary credentials of an IAM user.

STS API reference, in the order the operations check:
- Both must be called with an IAM user's long-term credentials: session credentials are refused
  (``AccessDenied: Cannot call GetSessionToken with session credentials``).
- GetSessionToken needs no permission (it authenticates; policies cannot control it). With
  ``SerialNumber``/``TokenCode`` the code is checked (TOTP) against the user's own virtual MFA
  device, and the session then carries ``aws:MultiFactorAuthPresent`` = true and its
  ``aws:MultiFactorAuthAge``. The session acts as the user (same ARN and policies).
- GetFederationToken needs ``sts:GetFederationToken`` on the federated user
  (``arn:aws:sts::ACCOUNT:federated-user/NAME``) and, with tags, ``sts:TagSession``. The session
  is that federated user: its permissions are the user's intersected with the session policies
  passed (none passed: no permissions). Session tags override the user's tags of the same key.
- Durations: 900 to 129,600 seconds, 43,200 by default.
- Using them: GetSessionToken's credentials call no IAM operation unless the session was made
  with MFA, and GetFederationToken's call none at all (through the CLI or API); IAM answers
  ``InvalidClientTokenId`` (``may_call_iam``).

Sessions are recorded (secret and token only as hashes) so they can be named by their ASIA key
(``get-caller-identity``, ``simulate-principal-policy --policy-source-arn ASIA…``, the caller of
``assume-role``) and, for federated users, by their ARN.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from iamdesk.services.entities import record
from iamdesk.services.errors import IamError
from iamdesk.services.mfa import verify_token
from iamdesk.services.session_credentials import (
    caller_from_arn,
    caller_from_key,
    check_duration,
    check_inputs,
    denied,
    new_credentials,
    packed_size,
    session_policy_arns,
    session_tag_map,
    validation_error,
)
from iamdesk.services.simulate import simulate_principal_policy
from iamdesk.store.db import Database, iso
from iamdesk.store.tables import MfaDevice, User, UserSession

log = logging.getLogger(__name__)

SESSION_TOKEN = "session-token"
FEDERATION = "federation"
MAX_DURATION = 129600
DEFAULT_DURATION = 43200
_FEDERATED_NAME = re.compile(r"[\w+=,.@-]{2,32}", re.ASCII)


def federated_user_arn(account_id: str, name: str) -> str:
    return f"arn:aws:sts::{account_id}:federated-user/{name}"


def _calling_user(
    db: Database, session: Any, operation: str, caller_arn: str | None, access_key_id: str | None
) -> User:
    """The IAM user whose long-term credentials call ``operation``."""
    if (caller_arn is None) == (access_key_id is None):
        raise IamError(
            "InvalidInput", "Name the caller with exactly one of --caller-arn and --access-key-id."
        )
    now = db.clock()
    if access_key_id is not None:
        _, row = caller_from_key(session, access_key_id, now)
    else:
        _, row = caller_from_arn(session, str(caller_arn), now)
    if not isinstance(row, User):
        raise IamError("AccessDenied", f"Cannot call {operation} with session credentials")
    return row


def may_call_iam(db: Database, access_key_id: str) -> None:
    """Refuse an IAM operation signed with a user session's credentials that IAM refuses:
    GetSessionToken's without MFA, GetFederationToken's always. Other keys pass (an unknown
    one is refused where the caller is looked up)."""
    if not access_key_id.startswith("ASIA"):
        return
    with db.read() as session:
        row = session.scalars(
            select(UserSession).where(UserSession.access_key_id == access_key_id)
        ).first()
        if row is None or (row.kind == SESSION_TOKEN and row.mfa_authenticated):
            return
    raise IamError("InvalidClientTokenId", "The security token included in the request is invalid.")


def _record_session(
    db: Database, session: Any, user: User, kind: str, arn: str, **fields: Any
) -> dict[str, Any]:
    now = db.clock()
    credentials = new_credentials(db, now, fields.pop("duration"))
    session.add(
        UserSession(
            account_id=user.account_id,
            user_pk=user.pk,
            kind=kind,
            arn=arn,
            access_key_id=credentials.access_key_id,
            secret_hash=credentials.secret_hash,
            token_hash=credentials.token_hash,
            create_date=iso(now),
            expiration=credentials.expiration,
            **fields,
        )
    )
    operation = "GetSessionToken" if kind == SESSION_TOKEN else "GetFederationToken"
    record(session, db, user.account_id, operation, "session", arn, after={"caller": user.arn})
    return credentials.to_output()


def get_session_token(
    db: Database,
    *,
    duration_seconds: int | None = None,
    serial_number: str | None = None,
    token_code: str | None = None,
    caller_arn: str | None = None,
    access_key_id: str | None = None,
    account_id: str | None = None,
) -> dict[str, Any]:
    """AWS's GetSessionToken for the user who calls (``account_id``: the CLI's signature)."""
    duration = check_duration(
        DEFAULT_DURATION if duration_seconds is None else duration_seconds, MAX_DURATION
    )
    if (serial_number is None) != (token_code is None):
        raise IamError("InvalidInput", "--serial-number and --token-code go together.")
    with db.transaction() as session:
        user = _calling_user(db, session, "GetSessionToken", caller_arn, access_key_id)
        mfa = False
        if serial_number is not None:
            device = session.scalars(
                select(MfaDevice).where(MfaDevice.serial_number == serial_number)
            ).first()
            if (
                device is None
                or device.user_pk != user.pk
                or not verify_token(session, serial_number, str(token_code), db.clock())
            ):
                raise IamError(
                    "AccessDenied",
                    "MultiFactorAuthentication failed with invalid MFA one time pass code.",
                )
            mfa = True
        credentials = _record_session(
            db,
            session,
            user,
            SESSION_TOKEN,
            user.arn,
            duration=duration,
            mfa_authenticated=mfa,
            mfa_serial=serial_number if mfa else None,
        )
    log.info("session token for %s (mfa=%s)", user.arn, mfa)
    return {"Credentials": credentials}


def get_federation_token(
    db: Database,
    *,
    name: str,
    policy: str | None = None,
    policy_arns: Sequence[Mapping[str, str]] | None = None,
    duration_seconds: int | None = None,
    tags: Sequence[Mapping[str, str]] | None = None,
    caller_arn: str | None = None,
    access_key_id: str | None = None,
    account_id: str | None = None,
) -> dict[str, Any]:
    """AWS's GetFederationToken: a federated-user session of the calling IAM user."""
    if not _FEDERATED_NAME.fullmatch(name or ""):
        raise validation_error(
            name,
            "name",
            r"satisfy regular expression pattern: [\w+=,.@-]* and have length between 2 and 32",
        )
    check_inputs(name, policy)
    session_tags = session_tag_map(tags)
    packed = packed_size(policy, session_tags)
    duration = check_duration(
        DEFAULT_DURATION if duration_seconds is None else duration_seconds, MAX_DURATION
    )
    with db.transaction() as session:
        user = _calling_user(db, session, "GetFederationToken", caller_arn, access_key_id)
        managed = session_policy_arns(session, user.account_id, policy_arns)
        arn = federated_user_arn(user.account_id, name)
        actions = ["sts:GetFederationToken"] + (["sts:TagSession"] if session_tags else [])
        context: dict[str, Any] = {}
        if session_tags:
            context["aws:TagKeys"] = list(session_tags)
            context.update({f"aws:RequestTag/{k}": v for k, v in session_tags.items()})
        session.flush()
        result = simulate_principal_policy(
            db,
            policy_source_arn=user.arn,
            action_names=actions,
            resource_arns=[arn],
            context_entries=context,
            explain=False,
        )
        for action, decision in zip(actions, result.decisions, strict=True):
            if not decision.allowed:
                raise denied(user.arn, arn, action)
        credentials = _record_session(
            db,
            session,
            user,
            FEDERATION,
            arn,
            duration=duration,
            federated_name=name,
            session_policy=policy,
            policy_arns=json.dumps(managed),
            session_tags=json.dumps([{"Key": k, "Value": v} for k, v in session_tags.items()]),
        )
    out: dict[str, Any] = {
        "Credentials": credentials,
        "FederatedUser": {"FederatedUserId": f"{user.account_id}:{name}", "Arn": arn},
    }
    if policy is not None or managed or session_tags:
        out["PackedPolicySize"] = packed
    return out


def list_user_sessions(db: Database, account_id: str | None = None) -> list[dict[str, Any]]:
    """Unexpired sessions of users (newest first): what test access can run as."""
    now = iso(db.clock())
    with db.read() as session:
        query = select(UserSession, User.name).join(User, User.pk == UserSession.user_pk)
        if account_id is not None:
            query = query.where(UserSession.account_id == account_id)
        rows = session.execute(query.order_by(UserSession.pk.desc()))  # type: ignore[union-attr]
        return [
            {
                "Principal": row.access_key_id if row.kind == SESSION_TOKEN else row.arn,
                "Arn": row.arn,
                "Kind": row.kind,
                "UserName": user_name,
                "FederatedName": row.federated_name,
                "AccessKeyId": row.access_key_id,
                "MfaAuthenticated": row.mfa_authenticated,
                "AccountId": row.account_id,
                "Expiration": row.expiration,
            }
            for row, user_name in rows
            if row.expiration > now
        ]
