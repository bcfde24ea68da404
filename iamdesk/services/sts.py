"""AWS STS over the model: ``assume-role`` and ``get-caller-identity``.

``assume_role`` decides the way AWS does: the role's trust policy must allow the caller (it is a
resource policy that must allow even within the account) and the caller's own policies must allow
``sts:AssumeRole`` on the role (evaluated together by ``simulate``, with the SCPs and boundary of
the caller). MFA codes are checked with pyotp against the caller's enabled device. The session is
recorded in the model (its secret and token only as hashes), so it can be simulated as a
principal and named by its ASIA key in ``get-caller-identity``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from iamdesk.services import session_chain
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
from iamdesk.store.ids import assumed_role_arn
from iamdesk.store.tables import MfaDevice, Role, StsSession, User, UserSession

log = logging.getLogger(__name__)

CHAINED_MAX_DURATION = 3600  # role chaining caps a session at one hour
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)


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
    check_inputs(role_session_name, policy)
    passed_tags = session_tag_map(tags)
    transitive = session_chain.transitive_keys(transitive_tag_keys, passed_tags)
    if external_id is not None and not _EXTERNAL_ID.fullmatch(external_id):
        raise validation_error(
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
            caller, row = caller_from_key(session, access_key_id, now)
        elif str(caller_arn).startswith("arn:aws:sts:"):
            caller, row = caller_from_arn(session, str(caller_arn), now)
        else:
            caller = str(caller_arn)
            row = session.scalars(select(User).where(User.arn == caller)).first()
        # STS API reference: a federated user's credentials cannot call STS (but
        # GetCallerIdentity); a get-session-token session acts as its user.
        if isinstance(row, UserSession) and row.federated_name is not None:
            raise denied(caller, role_arn)
        # The simulation names a user's session by its key, so that its MFA counts.
        source = access_key_id if isinstance(row, UserSession) else caller
        role = session.scalars(select(Role).where(Role.arn == role_arn)).first()
        if role is None:
            raise denied(caller, role_arn)
        chained = caller.startswith("arn:aws:sts:")
        inherited = session_chain.inherited_from(row)
        session_tags = session_chain.merge_tags(inherited.tags, passed_tags)
        transitive = list(inherited.tags) + transitive
        effective_source = session_chain.source_identity(inherited.source_identity, source_identity)
        packed = packed_size(policy, session_tags)
        duration = check_duration(
            CHAINED_MAX_DURATION if duration_seconds is None else duration_seconds,
            CHAINED_MAX_DURATION if chained else role.max_session_duration,
            "1 hour session limit for roles assumed by role chaining"
            if chained
            else "MaxSessionDuration set for this role",
        )
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
        managed = session_policy_arns(session, role.account_id, policy_arns)
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
                raise denied(caller, role_arn, action)
        credentials = new_credentials(db, now, duration)
        assumed_id = f"{role.role_id}:{role_session_name}"
        arn = assumed_role_arn(role.account_id, role.name, role_session_name)
        session.add(
            StsSession(
                account_id=role.account_id,
                role_pk=role.pk,
                session_name=role_session_name,
                access_key_id=credentials.access_key_id,
                secret_hash=credentials.secret_hash,
                token_hash=credentials.token_hash,
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
                expiration=credentials.expiration,
            )
        )
        role.last_used_date = iso(now)
        role.last_used_region = "us-east-1"
        session.add(role)
        record(session, db, role.account_id, "AssumeRole", "session", arn, after={"caller": caller})
        out: dict[str, Any] = {
            "Credentials": credentials.to_output(),
            "AssumedRoleUser": {"AssumedRoleId": assumed_id, "Arn": arn},
        }
        if policy is not None or passed_tags:
            out["PackedPolicySize"] = packed
        if effective_source:
            out["SourceIdentity"] = effective_source
        return out


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
            arn, row = caller_from_arn(session, caller_arn, db.clock())
        else:
            arn, row = caller_from_key(session, str(access_key_id), db.clock())
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
