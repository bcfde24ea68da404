"""Instance profiles: the container EC2 uses to hand a role to an instance (one role each)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlmodel import Session

from iamdesk.services import entities
from iamdesk.services.errors import IamError, already_exists, delete_conflict, limit_exceeded
from iamdesk.services.tags import replace_tags
from iamdesk.services.validation import check_name, check_path, check_path_prefix, check_tags
from iamdesk.store.db import Database
from iamdesk.store.ids import iam_arn, unique_id
from iamdesk.store.tables import InstanceProfile, InstanceProfileRole, Role, Tag

log = logging.getLogger(__name__)


def _roles(session: Session, profile_pk: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Role)
        .join(InstanceProfileRole, InstanceProfileRole.role_pk == Role.pk)
        .where(InstanceProfileRole.instance_profile_pk == profile_pk)
    ).all()
    return [entities.role_shape(row) for row in rows]


def _shape(session: Session, row: InstanceProfile, *, tags: bool = False) -> dict[str, Any]:
    out = entities.instance_profile_shape(row, _roles(session, int(row.pk or 0)))
    if tags:
        found = entities.tags_of(session, "instance-profile", int(row.pk or 0))
        if found:
            out["Tags"] = found
    return out


def create_instance_profile(
    db: Database,
    account_id: str | None,
    instance_profile_name: str,
    *,
    path: str | None = None,
    tags: Iterable[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    check_name(instance_profile_name, "instanceProfileName")
    path = check_path(path)
    pairs = check_tags(tags)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        taken = session.execute(
            select(
                exists().where(
                    InstanceProfile.account_id == account,
                    InstanceProfile.name == instance_profile_name,
                )
            )
        ).scalar()
        if taken:
            raise already_exists("instance profile", instance_profile_name)
        row = InstanceProfile(
            account_id=account,
            name=instance_profile_name,
            path=path,
            instance_profile_id=unique_id("instance-profile", db.rng),
            arn=iam_arn(account, "instance-profile", path, instance_profile_name),
            create_date=db.now(),
        )
        session.add(row)
        session.flush()
        replace_tags(session, "instance-profile", int(row.pk or 0), pairs)
        out = _shape(session, row, tags=True)
        entities.record(
            session,
            db,
            account,
            "CreateInstanceProfile",
            "instance-profile",
            instance_profile_name,
            after=out,
        )
    return {"InstanceProfile": out}


def get_instance_profile(
    db: Database, account_id: str | None, instance_profile_name: str
) -> dict[str, Any]:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_instance_profile(session, account, instance_profile_name)
        return {"InstanceProfile": _shape(session, row, tags=True)}


def _role_rows(session: Session, profile_pks: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each profile's roles in one Core query (listing thousands of profiles stays fast)."""
    r = Role.__table__  # type: ignore[attr-defined]
    link = InstanceProfileRole.__table__  # type: ignore[attr-defined]
    found: dict[int, list[dict[str, Any]]] = {pk: [] for pk in profile_pks}
    if not profile_pks:
        return found
    rows = session.execute(
        select(
            link.c.instance_profile_pk,
            r.c.path,
            r.c.name,
            r.c.role_id,
            r.c.arn,
            r.c.create_date,
            r.c.assume_role_policy,
        )
        .join(r, r.c.pk == link.c.role_pk)
        .where(link.c.instance_profile_pk.in_(profile_pks))
    ).all()
    for profile_pk, path, name, role_id, arn, created, trust in rows:
        found[profile_pk].append(
            {
                "Path": path,
                "RoleName": name,
                "RoleId": role_id,
                "Arn": arn,
                "CreateDate": created,
                "AssumeRolePolicyDocument": entities.document_object(trust),
            }
        )
    return found


def _list(session: Session, where: Any, prefix: str = "/") -> list[dict[str, Any]]:
    t = InstanceProfile.__table__  # type: ignore[attr-defined]
    query = (
        select(t.c.pk, t.c.path, t.c.name, t.c.instance_profile_id, t.c.arn, t.c.create_date)
        .where(where)
        .order_by(t.c.name)
    )
    if prefix != "/":
        query = query.where(func.substr(t.c.path, 1, len(prefix)) == prefix)
    rows = session.execute(query).all()
    roles = _role_rows(session, [row[0] for row in rows])
    return [
        {
            "Path": path,
            "InstanceProfileName": name,
            "InstanceProfileId": profile_id,
            "Arn": arn,
            "CreateDate": created,
            "Roles": roles[pk],
        }
        for pk, path, name, profile_id, arn, created in rows
    ]


def list_instance_profiles(
    db: Database, account_id: str | None, *, path_prefix: str | None = None
) -> dict[str, Any]:
    prefix = check_path_prefix(path_prefix)
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        profiles = _list(session, InstanceProfile.account_id == account, prefix)
    return {"InstanceProfiles": profiles, "IsTruncated": False}


def list_instance_profiles_for_role(
    db: Database, account_id: str | None, role_name: str
) -> dict[str, Any]:
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        role = entities.get_role(session, account, role_name)
        held = select(InstanceProfileRole.instance_profile_pk).where(
            InstanceProfileRole.role_pk == role.pk
        )
        profiles = _list(session, InstanceProfile.pk.in_(held))  # type: ignore[union-attr]
    return {"InstanceProfiles": profiles, "IsTruncated": False}


def delete_instance_profile(
    db: Database, account_id: str | None, instance_profile_name: str
) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_instance_profile(session, account, instance_profile_name)
        held = session.execute(
            select(InstanceProfileRole.role_pk).where(
                InstanceProfileRole.instance_profile_pk == row.pk
            )
        ).first()
        if held is not None:
            raise delete_conflict(
                "Cannot delete entity, must remove roles from instance profile first."
            )
        before = _shape(session, row, tags=True)
        session.execute(
            delete(Tag).where(Tag.entity_type == "instance-profile", Tag.entity_pk == row.pk)
        )
        session.delete(row)
        entities.record(
            session,
            db,
            account,
            "DeleteInstanceProfile",
            "instance-profile",
            row.name,
            before=before,
        )
    return {}


def add_role_to_instance_profile(
    db: Database, account_id: str | None, instance_profile_name: str, role_name: str
) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        profile = entities.get_instance_profile(session, account, instance_profile_name)
        role = entities.get_role(session, account, role_name)
        current = session.get(InstanceProfileRole, profile.pk)
        if current is not None:
            raise limit_exceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
        session.add(
            InstanceProfileRole(instance_profile_pk=int(profile.pk or 0), role_pk=int(role.pk or 0))
        )
        entities.record(
            session,
            db,
            account,
            "AddRoleToInstanceProfile",
            "instance-profile",
            profile.name,
            after={"RoleName": role.name},
        )
    return {}


def remove_role_from_instance_profile(
    db: Database, account_id: str | None, instance_profile_name: str, role_name: str
) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        profile = entities.get_instance_profile(session, account, instance_profile_name)
        role = entities.get_role(session, account, role_name)
        removed = session.execute(
            delete(InstanceProfileRole).where(
                InstanceProfileRole.instance_profile_pk == profile.pk,
                InstanceProfileRole.role_pk == role.pk,
            )
        ).rowcount
        if not removed:
            raise IamError("NoSuchEntity", f"The role with name {role.name} cannot be found.")
        entities.record(
            session,
            db,
            account,
            "RemoveRoleFromInstanceProfile",
            "instance-profile",
            profile.name,
            before={"RoleName": role.name},
        )
    return {}
