"""Principals are entities: trust and resource policies keep a user or role by its unique ID.

AWS turns a principal ARN into the entity's unique ID when it saves a trust or resource policy
and back into the ARN when it shows it, so (IAM User Guide, "Role trust policy" examples):
- saving a policy that names a user or role that does not exist fails with
  ``Invalid principal in policy: "AWS":"arn:..."``;
- after the entity is deleted the policy shows its old ID (``AIDA…``/``AROA…``), and a user or
  role created again under the same name is not trusted: it has another ID;
- renaming a user (or moving it to another path) keeps it trusted, under its new ARN.

The model stores what AWS would show: the ARN while the entity exists, its ID once it is gone.
Writes are checked here (for accounts the model holds; others are taken on trust, as are
account roots, services and ``*``), and the delete, rename and undo-of-delete operations
rewrite every stored trust and resource policy that names the entity. The evaluator then needs
nothing new: an ID is a principal no request matches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.parser import parse_policy
from iamdesk.core.policy.principal_refs import ENTITY_ARN, entity_arns, replace_principals
from iamdesk.services.errors import IamError, malformed_policy
from iamdesk.store.tables import Account, Resource, Role, User

log = logging.getLogger(__name__)

_CHUNK = 500  # keeps IN (...) lists well under SQLite's bound-parameter limit


def invalid_principal_message(arn: str) -> str:
    return f'Invalid principal in policy: "AWS":"{arn}"'


def check_principals(
    session: Session,
    text: str,
    error: Callable[[str], IamError] = malformed_policy,
) -> None:
    """Refuse ``text`` (with ``error(message)``) when it names, as a principal, a user or role
    of a modelled account that does not exist. The text was parsed by the caller already."""
    try:
        arns = entity_arns(parse_policy(text))
    except PolicyParseError:
        return  # the caller's own check reports the syntax
    missing = missing_entities(session, arns)
    for arn in arns:
        if arn in missing:
            raise error(invalid_principal_message(arn))


def missing_entities(session: OrmSession, arns: Iterable[str]) -> set[str]:
    """Which of the user and role ARNs ``arns`` name an entity the model should have (its
    account is modelled) but does not: the principals IAM would refuse to save."""
    wanted: dict[str, set[str]] = {"user": set(), "role": set()}
    candidates = set(arns)
    if not candidates:
        return set()
    modelled = set(session.scalars(select(Account.account_id)))
    for arn in candidates:
        match = ENTITY_ARN.fullmatch(arn)
        if match is not None and match.group(1) in modelled:
            wanted[match.group(2)].add(arn)
    missing: set[str] = set()
    for kind, model in (("user", User), ("role", Role)):
        names = sorted(wanted[kind])
        for start in range(0, len(names), _CHUNK):
            chunk = names[start : start + _CHUNK]
            column = model.arn  # type: ignore[attr-defined]
            found = set(session.scalars(select(column).where(column.in_(chunk))))
            missing.update(arn for arn in chunk if arn not in found)
    return missing


def _rewrite(session: Session, old: str, new: str) -> int:
    """Replace principal ``old`` by ``new`` in every stored trust and resource policy; the
    number of policies changed."""
    changed = 0
    pattern = f"%{old}%"
    for role in session.scalars(select(Role).where(Role.assume_role_policy.like(pattern))):  # type: ignore[attr-defined]
        text = replace_principals(role.assume_role_policy, {old: new})
        if text != role.assume_role_policy:
            role.assume_role_policy = text
            session.add(role)
            changed += 1
    for row in session.scalars(select(Resource).where(Resource.policy.like(pattern))):  # type: ignore[union-attr]
        assert row.policy is not None
        text = replace_principals(row.policy, {old: new})
        if text != row.policy:
            row.policy = text
            session.add(row)
            changed += 1
    if changed:
        log.info("principal %s -> %s in %d policies", old, new, changed)
    return changed


def entity_deleted(session: Session, arn: str, unique_id: str) -> int:
    """A deleted user or role: policies naming it now show its unique ID."""
    return _rewrite(session, arn, unique_id)


def entity_restored(session: Session, unique_id: str, arn: str) -> int:
    """A user put back with its old ID (the model's undo): policies name it by ARN again."""
    return _rewrite(session, unique_id, arn)


def entity_renamed(session: Session, old_arn: str, new_arn: str) -> int:
    """A renamed or moved user: policies follow it to its new ARN (they hold its ID)."""
    if old_arn == new_arn:
        return 0
    return _rewrite(session, old_arn, new_arn)
