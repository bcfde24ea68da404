"""What every STS operation shares (``sts``, ``user_sessions``, ``federation.sessions``): the
rules of their common inputs (session names, session policies and their packed size, managed
session policies, session tags, durations), STS's errors in its own words, the caller behind an
access key or ARN, and new temporary credentials.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.parser import parse_policy
from iamdesk.services.errors import IamError
from iamdesk.services.managed_policies import materialize
from iamdesk.services.validation import failed_constraint
from iamdesk.store.db import Database, iso
from iamdesk.store.ids import secret_access_key, unique_id
from iamdesk.store.secrets import hash_secret
from iamdesk.store.tables import AccessKey, ManagedPolicy, StsSession, User, UserSession

MIN_DURATION = 900
MAX_SESSION_POLICY = 2048  # characters of the plain-text session policy
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)


def validation_error(value: Any, field: str, constraint: str) -> IamError:
    """STS's ValidationError: the member must ``constraint``."""
    return failed_constraint(value, field, f"must {constraint}")


def denied(caller: str, role_arn: str, action: str = "sts:AssumeRole") -> IamError:
    return IamError(
        "AccessDenied",
        f"User: {caller} is not authorized to perform: {action} on resource: {role_arn}",
    )


def session_policy_arns(
    session: Session, account_id: str, policy_arns: Sequence[Mapping[str, str]] | None
) -> list[str]:
    """The managed session policies (``--policy-arns arn=...``): at most 10, each a policy of
    the role's account or an AWS managed one (materialized so the session can be simulated)."""
    arns = [str(item.get("arn") or item.get("Arn") or "") for item in policy_arns or []]
    if len(arns) > 10:
        raise validation_error(len(arns), "policyArns", "have length less than or equal to 10")
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


def session_tag_map(tags: Sequence[Mapping[str, str]] | None) -> dict[str, str]:
    """``[{"Key": k, "Value": v}]`` -> ``{k: v}``, with STS's limits (50 tags, 128/256 chars)."""
    out: dict[str, str] = {}
    for index, tag in enumerate(tags or [], start=1):
        key, value = tag.get("Key"), tag.get("Value", "")
        if not isinstance(key, str) or not isinstance(value, str) or not 1 <= len(key) <= 128:
            raise validation_error(tag, f"tags.{index}.member", "have a Key of 1 to 128 characters")
        if len(value) > 256:
            raise validation_error(value, f"tags.{index}.member.value", "have length <= 256")
        if key.lower() in (k.lower() for k in out):
            raise IamError("InvalidParameterValue", f"Duplicate tag keys found: {key}")
        out[key] = value
    if len(out) > 50:
        raise validation_error(len(out), "tags", "have length less than or equal to 50")
    return out


def invalid_token() -> IamError:
    return IamError(
        "InvalidClientTokenId", "The security token included in the request is invalid."
    )


def caller_from_key(session: Session, access_key_id: str, now: datetime) -> tuple[str, Any]:
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
            raise invalid_token()
        if datetime.fromisoformat(sts.expiration) <= now:
            raise IamError("ExpiredToken", "The security token included in the request is expired")
        return sts.arn, sts
    key = session.get(AccessKey, access_key_id)
    if key is None or key.status != "Active":
        raise invalid_token()
    user = session.get(User, key.user_pk)
    assert user is not None
    return user.arn, user


def caller_from_arn(session: Session, arn: str, now: datetime) -> tuple[str, Any]:
    """The row (User or the newest live StsSession) of a caller named by its ARN."""
    user = session.scalars(select(User).where(User.arn == arn)).first()
    if user is not None:
        return arn, user
    table = UserSession if ":federated-user/" in arn else StsSession
    sts = session.scalars(
        select(table).where(table.arn == arn).order_by(table.expiration.desc())  # type: ignore[attr-defined]
    ).first()
    if sts is None or datetime.fromisoformat(sts.expiration) <= now:
        raise invalid_token()
    return arn, sts


def check_inputs(role_session_name: str, policy: str | None) -> None:
    if not _SESSION_NAME.fullmatch(role_session_name):
        raise validation_error(
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


def session_token(db: Database) -> str:
    raw = bytes(db.rng.getrandbits(8) for _ in range(240)) if db.rng else secrets.token_bytes(240)
    return "IQoJb3JpZ2luX2Vj" + base64.b64encode(raw).decode("ascii")


def check_duration(duration: int, maximum: int, limit: str | None = None) -> int:
    """``duration`` (seconds) within STS's minimum and ``maximum``; past the maximum, AWS's
    ValidationError names the ``limit`` that set it (none: the field's own constraint)."""
    if duration < MIN_DURATION:
        raise validation_error(
            duration, "durationSeconds", f"have value greater than or equal to {MIN_DURATION}"
        )
    if duration > maximum:
        if limit is not None:
            raise IamError("ValidationError", f"The requested DurationSeconds exceeds the {limit}.")
        raise validation_error(
            duration, "durationSeconds", f"have value less than or equal to {maximum}"
        )
    return duration


@dataclass(frozen=True)
class Credentials:
    """New temporary credentials: what STS hands out, and the hashes the model keeps."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: str

    @property
    def secret_hash(self) -> str:
        return hash_secret(self.secret_access_key)

    @property
    def token_hash(self) -> str:
        return hash_secret(self.session_token)

    def to_output(self) -> dict[str, str]:
        """STS's ``Credentials`` structure."""
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": self.expiration,
        }


def new_credentials(db: Database, now: datetime, duration: int) -> Credentials:
    """An ASIA key, its secret and session token, valid ``duration`` seconds from ``now``."""
    return Credentials(
        unique_id("session-key", db.rng),
        secret_access_key(db.rng),
        session_token(db),
        iso(now + timedelta(seconds=duration)),
    )
