"""The account password policy and the check every new password goes through.

With no policy set, IAM's default rules apply: at least 8 characters and at least three of
uppercase, lowercase, digits and symbols.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from iamdesk.services import entities
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database
from iamdesk.store.secrets import verify_secret
from iamdesk.store.tables import PasswordHistory, PasswordPolicy

log = logging.getLogger(__name__)

SYMBOLS = set("!@#$%^&*()_+-=[]{}|'")
_NUMERIC = {
    "minimum_password_length": ("minimumPasswordLength", 6, 128),
    "max_password_age": ("maxPasswordAge", 1, 1095),
    "password_reuse_prevention": ("passwordReusePrevention", 1, 24),
}


def _policy_out(row: PasswordPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {
        "MinimumPasswordLength": row.minimum_password_length,
        "RequireSymbols": row.require_symbols,
        "RequireNumbers": row.require_numbers,
        "RequireUppercaseCharacters": row.require_uppercase_characters,
        "RequireLowercaseCharacters": row.require_lowercase_characters,
        "AllowUsersToChangePassword": row.allow_users_to_change_password,
        "ExpirePasswords": row.max_password_age is not None,
    }
    if row.max_password_age is not None:
        out["MaxPasswordAge"] = row.max_password_age
    if row.password_reuse_prevention is not None:
        out["PasswordReusePrevention"] = row.password_reuse_prevention
    if row.hard_expiry:
        out["HardExpiry"] = True
    return out


def get_account_password_policy(db: Database, account_id: str | None) -> dict[str, Any]:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        row = session.get(PasswordPolicy, account)
        if row is None:
            raise IamError(
                "NoSuchEntity",
                f"The Password Policy with domain name {account} cannot be found.",
            )
        return {"PasswordPolicy": _policy_out(row)}


def update_account_password_policy(
    db: Database,
    account_id: str | None,
    *,
    minimum_password_length: int | None = None,
    require_symbols: bool = False,
    require_numbers: bool = False,
    require_uppercase_characters: bool = False,
    require_lowercase_characters: bool = False,
    allow_users_to_change_password: bool = False,
    max_password_age: int | None = None,
    password_reuse_prevention: int | None = None,
    hard_expiry: bool = False,
) -> dict[str, Any]:
    """Replace the whole policy; omitted settings take IAM's defaults, as in IAM."""
    values = {
        "minimum_password_length": minimum_password_length,
        "max_password_age": max_password_age,
        "password_reuse_prevention": password_reuse_prevention,
    }
    for key, (field, low, high) in _NUMERIC.items():
        value = values[key]
        if value is not None and not low <= value <= high:
            raise IamError(
                "ValidationError",
                f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy"
                f" constraint: Member must have value between {low} and {high}",
            )
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = session.get(PasswordPolicy, account)
        before = _policy_out(row) if row else None
        if row is None:
            row = PasswordPolicy(account_id=account)
        row.minimum_password_length = minimum_password_length or 8
        row.require_symbols = require_symbols
        row.require_numbers = require_numbers
        row.require_uppercase_characters = require_uppercase_characters
        row.require_lowercase_characters = require_lowercase_characters
        row.allow_users_to_change_password = allow_users_to_change_password
        row.max_password_age = max_password_age
        row.password_reuse_prevention = password_reuse_prevention
        row.hard_expiry = hard_expiry
        session.add(row)
        entities.record(
            session,
            db,
            account,
            "UpdateAccountPasswordPolicy",
            "account",
            account,
            before=before,
            after=_policy_out(row),
        )
    return {}


def delete_account_password_policy(db: Database, account_id: str | None) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = session.get(PasswordPolicy, account)
        if row is None:
            raise IamError(
                "NoSuchEntity",
                "The account policy with name PasswordPolicy cannot be found.",
            )
        before = _policy_out(row)
        session.execute(delete(PasswordPolicy).where(PasswordPolicy.account_id == account))
        entities.record(
            session, db, account, "DeleteAccountPasswordPolicy", "account", account, before=before
        )
    return {}


def password_problems(policy: PasswordPolicy | None, password: str) -> list[str]:
    """What ``password`` lacks under ``policy`` (IAM's default rules when None)."""
    problems: list[str] = []
    upper = any(c.isascii() and c.isupper() for c in password)
    lower = any(c.isascii() and c.islower() for c in password)
    digit = any(c.isascii() and c.isdigit() for c in password)
    symbol = any(c in SYMBOLS for c in password)
    if policy is None:
        if len(password) < 8:
            problems.append("Password should have at least 8 characters.")
        if sum((upper, lower, digit, symbol)) < 3:
            problems.append(
                "Password should include at least three of: uppercase letters, lowercase"
                " letters, numbers and symbols."
            )
        return problems
    if len(password) < policy.minimum_password_length:
        problems.append(
            f"Password should have at least {policy.minimum_password_length} characters."
        )
    if policy.require_uppercase_characters and not upper:
        problems.append("Password should have at least one uppercase letter.")
    if policy.require_lowercase_characters and not lower:
        problems.append("Password should have at least one lowercase letter.")
    if policy.require_numbers and not digit:
        problems.append("Password should have at least one number.")
    if policy.require_symbols and not symbol:
        problems.append("Password should have at least one symbol.")
    return problems


def check_password(
    session: Session, account_id: str, password: str, *, user_pk: int | None = None
) -> None:
    """Raise ``PasswordPolicyViolation`` unless ``password`` satisfies the account's policy
    (including ``PasswordReusePrevention`` against the user's earlier passwords)."""
    if not isinstance(password, str) or not 1 <= len(password) <= 128:
        raise IamError(
            "ValidationError",
            "1 validation error detected: Value at 'password' failed to satisfy constraint:"
            " Member must have length between 1 and 128",
        )
    policy = session.get(PasswordPolicy, account_id)
    problems = password_problems(policy, password)
    if not problems and policy is not None and policy.password_reuse_prevention and user_pk:
        recent = session.scalars(
            select(PasswordHistory.password_hash)
            .where(PasswordHistory.user_pk == user_pk)
            .order_by(PasswordHistory.pk.desc())  # type: ignore[union-attr]
            .limit(policy.password_reuse_prevention)
        ).all()
        if any(verify_secret(password, h) for h in recent):
            problems.append(
                "Password has been used before: choose one not among the last"
                f" {policy.password_reuse_prevention}."
            )
    if problems:
        raise IamError(
            "PasswordPolicyViolation",
            "Password does not conform to the account password policy. " + " ".join(problems),
        )
