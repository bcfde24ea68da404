"""Tags on users, roles, customer managed policies, instance profiles and MFA devices.

IAM caps an entity at 50 tags; keys are unique without regard to case, and tagging an existing
key replaces its value (keeping the key's original spelling, as IAM does).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlmodel import Session

from iamdesk.services import entities
from iamdesk.services.errors import IamError, limit_exceeded, no_such_entity
from iamdesk.services.validation import MAX_TAGS, check_tags
from iamdesk.store.db import Database
from iamdesk.store.tables import MfaDevice, Tag

log = logging.getLogger(__name__)


def replace_tags(session: Session, entity_type: str, pk: int, pairs: list[tuple[str, str]]) -> None:
    """Set tags on an entity (used by the create operations; ``pairs`` already checked)."""
    session.execute(delete(Tag).where(Tag.entity_type == entity_type, Tag.entity_pk == pk))
    if pairs:
        session.execute(
            insert(Tag),
            [{"entity_type": entity_type, "entity_pk": pk, "key": k, "value": v} for k, v in pairs],
        )


def _add_tags(session: Session, entity_type: str, pk: int, pairs: list[tuple[str, str]]) -> None:
    for key, value in pairs:
        changed = session.execute(
            update(Tag)
            .where(Tag.entity_type == entity_type, Tag.entity_pk == pk, Tag.key == key)
            .values(value=value)
        ).rowcount
        if not changed:
            session.execute(
                insert(Tag),
                {"entity_type": entity_type, "entity_pk": pk, "key": key, "value": value},
            )
    total = session.execute(
        select(func.count()).where(Tag.entity_type == entity_type, Tag.entity_pk == pk)
    ).scalar_one()
    if total > MAX_TAGS:
        raise limit_exceeded("The number of tags has reached the maximum limit.")


def _check_keys(keys: Iterable[str]) -> list[str]:
    result = list(keys)
    for index, key in enumerate(result, start=1):
        if not isinstance(key, str) or not key or len(key) > 128:
            raise IamError(
                "ValidationError",
                f"1 validation error detected: Value '{key}' at 'tagKeys.{index}.member' failed to"
                " satisfy constraint: Member must have length between 1 and 128",
            )
    if len(result) > MAX_TAGS:
        raise limit_exceeded("The number of tags has reached the maximum limit.")
    return result


Resolver = Callable[[Session, str, str], tuple[int, str]]


def _user(session: Session, account: str, name: str) -> tuple[int, str]:
    row = entities.get_user(session, account, name)
    return int(row.pk or 0), row.name


def _role(session: Session, account: str, name: str) -> tuple[int, str]:
    row = entities.get_role(session, account, name)
    return int(row.pk or 0), row.name


def _policy(session: Session, account: str, arn: str) -> tuple[int, str]:
    row = entities.get_policy(session, account, arn)
    if row.aws_managed:
        raise IamError("InvalidInput", f"Cannot tag an AWS managed policy: {arn}")
    return int(row.pk or 0), row.arn


def _instance_profile(session: Session, account: str, name: str) -> tuple[int, str]:
    row = entities.get_instance_profile(session, account, name)
    return int(row.pk or 0), row.name


def _mfa(session: Session, account: str, serial: str) -> tuple[int, str]:
    row = session.scalars(
        select(MfaDevice).where(MfaDevice.account_id == account, MfaDevice.serial_number == serial)
    ).first()
    if row is None:
        raise IamError("NoSuchEntity", f"VirtualMFADevice with serial {serial} doesn't exist.")
    return int(row.pk or 0), row.serial_number


# entity type -> (resolver, AWS operation suffix)
KINDS: dict[str, tuple[Resolver, str]] = {
    "user": (_user, "User"),
    "role": (_role, "Role"),
    "policy": (_policy, "Policy"),
    "instance-profile": (_instance_profile, "InstanceProfile"),
    "mfa": (_mfa, "MFADevice"),
}


def tag(
    db: Database,
    account_id: str | None,
    entity_type: str,
    name: str,
    tags: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """TagUser / TagRole / TagPolicy / TagInstanceProfile / TagMFADevice."""
    resolver, suffix = KINDS[entity_type]
    pairs = check_tags(tags)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        pk, label = resolver(session, account, name)
        before = entities.tags_of(session, entity_type, pk)
        _add_tags(session, entity_type, pk, pairs)
        after = entities.tags_of(session, entity_type, pk)
        entities.record(
            session, db, account, f"Tag{suffix}", entity_type, label, before=before, after=after
        )
    return {}


def untag(
    db: Database, account_id: str | None, entity_type: str, name: str, tag_keys: Iterable[str]
) -> dict[str, Any]:
    """UntagUser / UntagRole / …: keys not present are ignored, as IAM ignores them."""
    resolver, suffix = KINDS[entity_type]
    keys = _check_keys(tag_keys)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        pk, label = resolver(session, account, name)
        before = entities.tags_of(session, entity_type, pk)
        if keys:
            session.execute(
                delete(Tag).where(
                    Tag.entity_type == entity_type,
                    Tag.entity_pk == pk,
                    func.lower(Tag.key).in_([k.lower() for k in keys]),
                )
            )
        after = entities.tags_of(session, entity_type, pk)
        entities.record(
            session, db, account, f"Untag{suffix}", entity_type, label, before=before, after=after
        )
    return {}


def list_tags(db: Database, account_id: str | None, entity_type: str, name: str) -> dict[str, Any]:
    resolver, _ = KINDS[entity_type]
    owner = entities.OWNERS.get(entity_type)
    if owner is None:  # a policy, an instance profile, an MFA device: found their own ways
        with db.read() as session:
            account = entities.resolve_account(session, db, account_id)
            pk, _label = resolver(session, account, name)
            return {"Tags": entities.tags_of(session, entity_type, pk), "IsTruncated": False}
    with db.read(one_statement=True) as session:
        account = entities.resolve_account(session, db, account_id)
        rows = entities.owned_rows(
            session,
            owner,
            account,
            name,
            (Tag.key, Tag.value),
            ((Tag, and_(Tag.entity_type == entity_type, Tag.entity_pk == owner.pk)),),
            Tag.pk,
        )
    if rows is None:
        raise no_such_entity(entity_type, name)
    return {"Tags": [{"Key": k, "Value": v} for k, v in rows], "IsTruncated": False}
