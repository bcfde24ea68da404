"""AWS STS over the model: ``assume-role`` and ``get-caller-identity``.

``assume_role`` decides the way AWS does: the role's trust policy must allow the caller (it is a
resource policy that must allow even within the account) and the caller's own policies must allow
``sts:AssumeRole`` on the role (evaluated together by ``simulate``, with the SCPs and boundary of
the caller). MFA codes are checked with pyotp against the caller's enabled device. The session is
recorded in the model (its secret and token only as hashes), so it can be simulated as a
principal and named by its ASIA key in ``get-caller-identity``.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.parser import parse_policy
from iamdesk.services import session_chain
from iamdesk.services.entities import record
from iamdesk.services.errors import IamError
from iamdesk.services.managed_policies import materialize
from iamdesk.services.mfa import verify_token
from iamdesk.services.simulate import simulate_principal_policy
from iamdesk.store.db import Database, iso
from iamdesk.store.ids import assumed_role_arn, secret_access_key, unique_id
from iamdesk.store.secrets import hash_secret
from iamdesk.store.tables import (
    AccessKey,
    ManagedPolicy,
    MfaDevice,
    Role,
    StsSession,
    User,
    UserSession,
)

log = logging.getLogger(__name__)

MIN_DURATION = 900
CHAINED_MAX_DURATION = 3600  # role chaining caps a session at one hour
MAX_SESSION_POLICY = 2048  # characters of the plain-text session policy
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)


def _validation(value: Any, field: str, constraint: str) -> IamError:
    return IamError(
        "ValidationError",
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: Member must {constraint}",
    )


def _denied(caller: str, role_arn: str, action: str = "sts:AssumeRole") -> IamError:
    return IamError(
        "AccessDenied",
        f"User: {caller} is not authorized to perform: {action} on resource: {role_arn}",
    )


def _session_policy_arns(
    session: Session, account_id: str, policy_arns: Sequence[Mapping[str, str]] | None
) -> list[str]:
    """The managed session policies (``--policy-arns arn=...``): at most 10, each a policy of
    the role's account or an AWS managed one (materialized so the session can be simulated)."""
    arns = [str(item.get("arn") or item.get("Arn") or "") for item in policy_arns or []]
    if len(arns) > 10:
        raise _validation(len(arns), "policyArns", "have length less than or equal to 10")
    for arn in arns:
        row = session.scalars(select(ManagedPolicy).where(ManagedPolicy.arn == arn)).first()
        if row is not None:
            usable = row.account_id in (None, account_id)
        else:
            usable = materialize(session, arn) is not None
        if not usable:
            raise IamError(
                "InvalidParameterValue", f"Policy {arn} does not exist or is not attachable."
            )
    return arns


def _session_tags(tags: Sequence[Mapping[str, str]] | None) -> dict[str, str]:
    """``[{"Key": k, "Value": v}]`` -> ``{k: v}``, with STS's limits (50 tags, 128/256 chars)."""
    out: dict[str, str] = {}
    for index, tag in enumerate(tags or [], start=1):
        key, value = tag.get("Key"), tag.get("Value", "")
        if not isinstance(key, str) or not isinstance(value, str) or not 1 <= len(key) <= 128:
            raise _validation(tag, f"tags.{index}.member", "have a Key of 1 to 128 characters")
        if len(value) > 256:
            raise _validation(value, f"tags.{index}.member.value", "have length <= 256")
        if key.lower() in (k.lower() for k in out):
            raise IamError("InvalidParameterValue", f"Duplicate tag keys found: {key}")
        out[key] = value
    if len(out) > 50:
        raise _validation(len(out), "tags", "have length less than or equal to 50")
    return out


def _invalid_token() -> IamError:
    return IamError(
        "InvalidClientTokenId", "The security token included in the request is invalid."
    )


def _caller_from_key(session: Session, access_key_id: str, now: datetime) -> tuple[str, Any]:
    """The ARN and row (User or StsSession) that an access key id belongs to."""
    if access_key_id.startswith("ASIA"):
        sts: StsSession | UserSession | None = session.scalars(
            select(StsSession).where(StsSession.access_key_id == access_key_id)
        ).first()
        if sts is None:  # a user's session (get-session-token, get-federation-token)
            sts = session.scalars(
                select(UserSession).where(UserSession.access_key_id == access_key_id)
            ).first()
        if sts is None:
            raise _invalid_token()
        if datetime.fromisoformat(sts.expiration) <= now:
            raise IamError("ExpiredToken", "The security token included in the request is expired")
        return sts.arn, sts
    key = session.get(AccessKey, access_key_id)
    if key is None or key.status != "Active":
        raise _invalid_token()
    user = session.get(User, key.user_pk)
    assert user is not None
    return user.arn, user


def _caller_from_arn(session: Session, arn: str, now: datetime) -> tuple[str, Any]:
    """The row (User or the newest live StsSession) of a caller named by its ARN."""
    user = session.scalars(select(User).where(User.arn == arn)).first()
    if user is not None:
        return arn, user
    table = UserSession if ":federated-user/" in arn else StsSession
    sts = session.scalars(
        select(table).where(table.arn == arn).order_by(table.expiration.desc())  # type: ignore[attr-defined]
    ).first()
    if sts is None or datetime.fromisoformat(sts.expiration) <= now:
        raise _invalid_token()
    return arn, sts


def _check_inputs(role_session_name: str, policy: str | None) -> None:
    if not _SESSION_NAME.fullmatch(role_session_name):
        raise _validation(
            role_session_name,
            "roleSessionName",
            r"satisfy regular expression pattern: [\w+=,.@-]* and have length between 2 and 64",
        )
    if policy is None:
        return
    try:
        document = parse_policy(policy)
    except PolicyParseError as exc:
        raise IamError(
            "MalformedPolicyDocument", f"The policy is not in the valid JSON format. {exc}"
        ) from None
    if any(s.principal or s.not_principal for s in document.statements):
        raise IamError("MalformedPolicyDocument", "Policy document should not specify a principal.")
    if len(re.sub(r"\s+", "", policy)) > MAX_SESSION_POLICY:
        raise IamError(
            "PackedPolicyTooLarge",
            "Packed policy consumes more than 100% of the allotted space for session policies.",
        )


def assume_role(
    db: Database,
    *,
    role_arn: str,
    role_session_name: str,
    caller_arn: str | None = None,
    access_key_id: str | None = None,
    policy: str | None = None,
    duration_seconds: int | None = None,
    serial_number: str | None = None,
    token_code: str | None = None,
    source_identity: str | None = None,
    tags: Sequence[Mapping[str, str]] | None = None,
    transitive_tag_keys: Sequence[str] | None = None,
    policy_arns: Sequence[Mapping[str, str]] | None = None,
    external_id: str | None = None,
    account_id: str | None = None,
) -> dict[str, Any]:
    """AWS's AssumeRole. The caller is ``caller_arn`` (a modelled user or role session) or the
    owner of ``access_key_id`` (a user's AKIA key, or the ASIA key of a role session or of a
    user's get-session-token session); ``account_id`` is accepted for the CLI's uniform
    signature."""
    _check_inputs(role_session_name, policy)
    passed_tags = _session_tags(tags)
    transitive = session_chain.transitive_keys(transitive_tag_keys, passed_tags)
    if external_id is not None and not _EXTERNAL_ID.fullmatch(external_id):
        raise _validation(
            external_id,
            "externalId",
            r"satisfy regular expression pattern: [\w+=,.@:\/-]* and have length between 2 "
            "and 1224",
        )
    if (caller_arn is None) == (access_key_id is None):
        raise IamError(
            "InvalidInput", "Name the caller with exactly one of --caller-arn and --access-key-id."
        )
    if (serial_number is None) != (token_code is None):
        raise IamError("InvalidInput", "--serial-number and --token-code go together.")
    now = db.clock()
    with db.transaction() as session:
        if access_key_id is not None:
            caller, row = _caller_from_key(session, access_key_id, now)
        elif str(caller_arn).startswith("arn:aws:sts:"):
            caller, row = _caller_from_arn(session, str(caller_arn), now)
        else:
            caller = str(caller_arn)
            row = session.scalars(select(User).where(User.arn == caller)).first()
        # STS API reference: a federated user's credentials cannot call STS (but
        # GetCallerIdentity); a get-session-token session acts as its user.
        if isinstance(row, UserSession) and row.federated_name is not None:
            raise _denied(caller, role_arn)
        # The simulation names a user's session by its key, so that its MFA counts.
        source = access_key_id if isinstance(row, UserSession) else caller
        role = session.scalars(select(Role).where(Role.arn == role_arn)).first()
        if role is None:
            raise _denied(caller, role_arn)
        chained = caller.startswith("arn:aws:sts:")
        inherited = session_chain.inherited_from(row)
        session_tags = session_chain.merge_tags(inherited.tags, passed_tags)
        transitive = list(inherited.tags) + transitive
        effective_source = session_chain.source_identity(inherited.source_identity, source_identity)
        packed = packed_size(policy, session_tags)
        maximum = CHAINED_MAX_DURATION if chained else role.max_session_duration
        duration = CHAINED_MAX_DURATION if duration_seconds is None else duration_seconds
        if duration < MIN_DURATION:
            raise _validation(
                duration, "durationSeconds", f"have value greater than or equal to {MIN_DURATION}"
            )
        if duration > maximum:
            limit = (
                "1 hour session limit for roles assumed by role chaining"
                if chained
                else "MaxSessionDuration set for this role"
            )
            raise IamError("ValidationError", f"The requested DurationSeconds exceeds the {limit}.")
        context: dict[str, Any] = {"aws:RoleSessionName": role_session_name}
        if external_id is not None:  # what a trust policy's sts:ExternalId condition reads
            context["sts:ExternalId"] = external_id
        mfa = False
        if serial_number is not None:
            device = session.scalars(
                select(MfaDevice).where(MfaDevice.serial_number == serial_number)
            ).first()
            owner = row.user_pk if isinstance(row, UserSession) else getattr(row, "pk", None)
            owner_ok = device is not None and owner is not None and device.user_pk == owner
            if not owner_ok or not verify_token(session, serial_number, str(token_code), now):
                raise IamError(
                    "AccessDenied",
                    "MultiFactorAuthentication failed with invalid MFA one time pass code.",
                )
            mfa = True
            context.update({"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "0"})
        elif isinstance(row, UserSession) and row.mfa_authenticated:
            mfa = True  # the session's MFA (its age comes with it) carries into the role session
        elif not chained:
            context["aws:MultiFactorAuthPresent"] = "false"
        # Passing tags or a source identity needs its own permission in the trust policy (and
        # the caller's policies), evaluated with the same request context.
        managed = _session_policy_arns(session, role.account_id, policy_arns)
        actions = ["sts:AssumeRole"]
        if passed_tags:
            actions.append("sts:TagSession")
            context["aws:TagKeys"] = list(passed_tags)
            context.update({f"aws:RequestTag/{k}": v for k, v in passed_tags.items()})
        if transitive_tag_keys:
            context["sts:TransitiveTagKeys"] = list(transitive_tag_keys)
        if source_identity:
            actions.append("sts:SetSourceIdentity")
            context["sts:SourceIdentity"] = source_identity
        session.flush()
        result = simulate_principal_policy(
            db,
            policy_source_arn=str(source),
            action_names=actions,
            resource_arns=[role_arn],
            context_entries=context,
            explain=False,
        )
        for action, decision in zip(actions, result.decisions, strict=True):
            if not decision.allowed:
                raise _denied(caller, role_arn, action)
        access_key = unique_id("session-key", db.rng)
        secret = secret_access_key(db.rng)
        token = _session_token(db)
        expiration = iso(now + timedelta(seconds=duration))
        assumed_id = f"{role.role_id}:{role_session_name}"
        arn = assumed_role_arn(role.account_id, role.name, role_session_name)
        session.add(
            StsSession(
                account_id=role.account_id,
                role_pk=role.pk,
                session_name=role_session_name,
                access_key_id=access_key,
                secret_hash=hash_secret(secret),
                token_hash=hash_secret(token),
                assumed_role_id=assumed_id,
                arn=arn,
                caller_arn=caller,
                source_identity=effective_source,
                session_policy=policy,
                policy_arns=json.dumps(managed),
                session_tags=json.dumps([{"Key": k, "Value": v} for k, v in session_tags.items()]),
                transitive_tag_keys=json.dumps(transitive),
                mfa_authenticated=mfa,
                mfa_serial=serial_number if mfa else None,
                create_date=iso(now),
                expiration=expiration,
            )
        )
        role.last_used_date = iso(now)
        role.last_used_region = "us-east-1"
        session.add(role)
        record(session, db, role.account_id, "AssumeRole", "session", arn, after={"caller": caller})
        out: dict[str, Any] = {
            "Credentials": {
                "AccessKeyId": access_key,
                "SecretAccessKey": secret,
                "SessionToken": token,
                "Expiration": expiration,
            },
            "AssumedRoleUser": {"AssumedRoleId": assumed_id, "Arn": arn},
        }
        if policy is not None or passed_tags:
            out["PackedPolicySize"] = packed
        if effective_source:
            out["SourceIdentity"] = effective_source
        return out


def packed_size(policy: str | None, tags: Mapping[str, str]) -> int:
    """The percentage of STS's packed space that the session policy and session tags use
    (AWS's ``PackedPolicySize``); over 100: PackedPolicyTooLarge. AWS packs them in a binary
    form it does not describe; the model counts the policy's characters outside whitespace and
    each tag's key and value, against the session policy's 2,048 characters."""
    used = len(re.sub(r"\s+", "", policy or "")) + sum(len(k) + len(v) for k, v in tags.items())
    percent = used * 100 // MAX_SESSION_POLICY
    if percent > 100:
        raise IamError(
            "PackedPolicyTooLarge",
            "Packed policy consumes more than 100% of the allotted space for session policies "
            "and tags.",
        )
    return percent


def _session_token(db: Database) -> str:
    raw = bytes(db.rng.getrandbits(8) for _ in range(240)) if db.rng else secrets.token_bytes(240)
    return "IQoJb3JpZ2luX2Vj" + base64.b64encode(raw).decode("ascii")


def get_caller_identity(
    db: Database,
    *,
    access_key_id: str | None = None,
    caller_arn: str | None = None,
    account_id: str | None = None,
) -> dict[str, Any]:
    """Who an access key (AKIA… of a user, ASIA… of a session) belongs to, or the identity of
    a modelled user or session named by its ARN."""
    if (caller_arn is None) == (access_key_id is None):
        raise IamError("InvalidInput", "Name the caller with exactly one access key or ARN.")
    with db.read() as session:
        if caller_arn is not None:
            arn, row = _caller_from_arn(session, caller_arn, db.clock())
        else:
            arn, row = _caller_from_key(session, str(access_key_id), db.clock())
        if isinstance(row, UserSession):  # a user's session acts as the user; or federated
            user = session.get(User, row.user_pk)
            assert user is not None
            if row.federated_name is None:
                return {"UserId": user.user_id, "Account": row.account_id, "Arn": arn}
            federated_id = f"{row.account_id}:{row.federated_name}"
            return {"UserId": federated_id, "Account": row.account_id, "Arn": arn}
        if isinstance(row, User):
            return {"UserId": row.user_id, "Account": row.account_id, "Arn": arn}
        return {"UserId": row.assumed_role_id, "Account": row.account_id, "Arn": arn}
