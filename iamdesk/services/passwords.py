"""ChangePassword: an IAM user changes their own console password.

IAM's rules, in the order it applies them: the caller must be an IAM user (``InvalidUserType``
for a role session) with a console password (``NoSuchEntity``); the account password policy's
``AllowUsersToChangePassword`` lets every user change their own, otherwise the user's policies
must allow ``iam:ChangePassword`` on their own ARN (``AccessDenied``); with ``HardExpiry`` an
expired password can only be reset by an administrator; the old password must be right; the new
one must satisfy the policy, including ``PasswordReusePrevention``. Success clears the login
profile's ``PasswordResetRequired``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from iamdesk.services import callers, entities
from iamdesk.services.errors import IamError
from iamdesk.services.password_policy import check_password
from iamdesk.store.db import Database
from iamdesk.store.secrets import hash_secret, verify_secret
from iamdesk.store.tables import LoginProfile, PasswordHistory, PasswordPolicy, User

log = logging.getLogger(__name__)


def _may_change(db: Database, user: User, policy: PasswordPolicy | None) -> bool:
    if policy is not None and policy.allow_users_to_change_password:
        return True
    from iamdesk.services.simulate import simulate_principal_policy

    result = simulate_principal_policy(
        db,
        policy_source_arn=user.arn,
        action_names=["iam:ChangePassword"],
        resource_arns=[user.arn],
    )
    return all(r["EvalDecision"] == "allowed" for r in result.evaluation_results)


def change_password(
    db: Database,
    account_id: str | None,
    old_password: str,
    new_password: str,
    *,
    access_key_id: str | None = None,
    caller_arn: str | None = None,
) -> dict[str, Any]:
    del account_id  # the caller's own account
    with db.read() as session:
        user = callers.caller_user(session, access_key_id=access_key_id, caller_arn=caller_arn)
        policy = session.get(PasswordPolicy, user.account_id)
        if session.get(LoginProfile, user.pk) is None:
            raise IamError("NoSuchEntity", f"Login Profile for User {user.name} cannot be found.")
    if not _may_change(db, user, policy):
        raise IamError(
            "AccessDenied",
            f"User: {user.arn} is not authorized to perform: iam:ChangePassword on resource:"
            f" user {user.name}",
        )
    digest = hash_secret(new_password) if isinstance(new_password, str) else ""
    with db.transaction() as session:
        profile = session.get(LoginProfile, user.pk)
        if profile is None:
            raise IamError("NoSuchEntity", f"Login Profile for User {user.name} cannot be found.")
        if policy is not None and policy.hard_expiry and policy.max_password_age:
            changed = datetime.fromisoformat(profile.password_last_changed)
            if changed + timedelta(days=policy.max_password_age) <= db.clock():
                raise IamError(
                    "EntityTemporarilyUnmodifiable",
                    "The password has expired and the account password policy (HardExpiry)"
                    " requires an administrator to reset it.",
                )
        if not isinstance(old_password, str) or not verify_secret(
            old_password, profile.password_hash
        ):
            raise IamError("InvalidUserType", "The old password is incorrect.")
        check_password(session, user.account_id, new_password, user_pk=user.pk)
        before = {"PasswordResetRequired": profile.password_reset_required}
        profile.password_hash = digest
        profile.password_last_changed = db.now()
        profile.password_reset_required = False
        session.add(profile)
        session.add(
            PasswordHistory(user_pk=int(user.pk or 0), password_hash=digest, create_date=db.now())
        )
        entities.record(
            session,
            db,
            user.account_id,
            "ChangePassword",
            "user",
            user.name,
            before=before,
            after={"PasswordResetRequired": False, "PasswordChanged": True},
        )
    return {}
