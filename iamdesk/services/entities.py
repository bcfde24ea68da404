"""Finding IAM entities by name or ARN inside a transaction, and their AWS output shapes.

Every service resolves its account and entities through these functions, so "cannot be found"
reads the same everywhere and the output dicts have the keys, order and optional members the AWS
CLI prints.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, exists, select, update
from sqlmodel import Session

from iamdesk.core import jsontext
from iamdesk.services.errors import IamError, already_exists, no_such_entity, unmodifiable
from iamdesk.store.changelog import record_change
from iamdesk.store.db import Database
from iamdesk.store.ids import iam_arn
from iamdesk.store.tables import (
    AccessReportJob,
    Account,
    Group,
    InstanceProfile,
    ManagedPolicy,
    Role,
    Tag,
    User,
)

log = logging.getLogger(__name__)


def resolve_account(session: Session, db: Database, account_id: str | None) -> str:
    """``account_id``, or the model's default account when None; it must exist in the model.
    Every service asks this first; a read reuses the answer until the model changes (on a
    server that saves a round trip per read)."""
    return db.remembered(
        session, ("account", account_id), lambda: _resolve_account(session, account_id)
    )


def _resolve_account(session: Session, account_id: str | None) -> str:
    if account_id is None:
        found = session.execute(
            select(Account.account_id).where(Account.is_default == True)  # noqa: E712
        ).scalar()
        if found is None:
            raise IamError("NoSuchEntity", "The model has no default account.")
        return str(found)
    if session.get(Account, account_id) is None:
        raise IamError("NoSuchEntity", f"The account with id {account_id} cannot be found.")
    return account_id


def name_taken(session: Session, model: Any, account_id: str, name: str) -> bool:
    """Whether the account has a ``model`` (User, Group, Role) called ``name``, in any case."""
    found = session.execute(
        select(exists().where(model.account_id == account_id, model.name == name))
    ).scalar()
    return bool(found)


def rename_entity(
    session: Session,
    db: Database,
    account: str,
    row: Any,
    kind: str,
    operation: str,
    *,
    asked_name: str,
    new_name: str | None,
    new_path: str | None,
    shape: Callable[[Any], dict[str, Any]],
) -> None:
    """UpdateUser / UpdateGroup: a new name and/or path, the ARN following both; a name another
    entity of the kind has (in any case) is IAM's EntityAlreadyExists. Logged under the name as
    the caller asked for it."""
    model = type(row)
    before = shape(row)
    name = new_name if new_name is not None else row.name
    if (
        new_name is not None
        and new_name.lower() != row.name.lower()
        and name_taken(session, model, account, new_name)
    ):
        raise already_exists(kind, new_name)
    path = new_path if new_path is not None else row.path
    session.execute(
        update(model)
        .where(model.pk == row.pk)
        .values(name=name, path=path, arn=iam_arn(account, kind, path, name))
    )
    session.refresh(row)
    record(session, db, account, operation, kind, asked_name, before=before, after=shape(row))


def record(
    session: Session,
    db: Database,
    account_id: str | None,
    operation: str,
    entity_type: str,
    entity_name: str,
    *,
    before: Any = None,
    after: Any = None,
) -> None:
    record_change(
        session,
        at=db.now(),
        actor=db.actor,
        account_id=account_id,
        operation=operation,
        entity_type=entity_type,
        entity_name=entity_name,
        before=before,
        after=after,
    )


def get_user(session: Session, account_id: str, name: str) -> User:
    row = session.scalars(
        select(User).where(User.account_id == account_id, User.name == name)
    ).first()
    if row is None:
        raise no_such_entity("user", name)
    return row


# The user, group and role tables, by the kind names services use.
OWNERS: dict[str, Any] = {"user": User, "group": Group, "role": Role}


Join = tuple[Any, ColumnElement[bool]]  # a table and how it joins the ones before it


def owned_rows(
    session: Session,
    owner: Any,
    account_id: str,
    name: str,
    columns: tuple[Any, ...],
    joins: Sequence[Join],
    *order_by: Any,
) -> list[Row[Any]] | None:
    """``columns`` of the rows of ``joins`` (outer joins in turn, from the owner's row) that
    belong to the ``owner`` (User, Group, Role) called ``name`` in the account, in one
    statement (finding the owner and reading its rows apart costs a server a round trip more):
    None when there is no such owner, [] when it has no such rows. The first of ``columns`` is
    never NULL in a joined row: the outer join's one all-NULL row is how an owner without any
    shows. (A chain of outer joins, not a nested join: SQLite would scan the nested one.)"""
    query = select(*columns).select_from(owner)
    for table, on in joins:
        query = query.outerjoin(table, on)
    rows = session.execute(
        query.where(owner.account_id == account_id, owner.name == name).order_by(*order_by)
    ).all()
    if not rows:
        return None
    return [] if rows[0][0] is None else list(rows)


def get_group(session: Session, account_id: str, name: str) -> Group:
    row = session.scalars(
        select(Group).where(Group.account_id == account_id, Group.name == name)
    ).first()
    if row is None:
        raise no_such_entity("group", name)
    return row


def get_role(session: Session, account_id: str, name: str) -> Role:
    row = session.scalars(
        select(Role).where(Role.account_id == account_id, Role.name == name)
    ).first()
    if row is None:
        raise no_such_entity("role", name)
    return row


def get_instance_profile(session: Session, account_id: str, name: str) -> InstanceProfile:
    row = session.scalars(
        select(InstanceProfile).where(
            InstanceProfile.account_id == account_id, InstanceProfile.name == name
        )
    ).first()
    if row is None:
        raise IamError("NoSuchEntity", f"Instance Profile {name} cannot be found.")
    return row


def get_report_job(session: Session, account_id: str, job_id: str, kind: str) -> AccessReportJob:
    """A kept access report of ``kind`` (Access Advisor's ``service``, Organizations'
    ``organizations``) that ``account_id`` generated; another account's job, or a job of the
    other kind, is not found either, as in IAM."""
    row = session.get(AccessReportJob, job_id)
    if row is None or row.account_id != account_id or row.kind != kind:
        raise IamError("NoSuchEntity", f"Job with ID {str(job_id)[:300]} cannot be found.")
    return row


def find_policy(session: Session, account_id: str, arn: str) -> ManagedPolicy | None:
    """A customer managed policy of this account, or an AWS managed policy (materialized from
    the catalog on first use), by ARN."""
    row = session.scalars(select(ManagedPolicy).where(ManagedPolicy.arn == arn)).first()
    if row is None and arn.startswith("arn:aws:iam::aws:policy/"):
        from iamdesk.services import managed_policies

        pk = managed_policies.materialize(session, arn)
        row = session.get(ManagedPolicy, pk) if pk is not None else None
    if row is None or (row.account_id is not None and row.account_id != account_id):
        return None
    return row


def find_policy_readonly(session: Session, account_id: str, arn: str) -> ManagedPolicy | None:
    """Like ``find_policy`` but never materializes (for read-only snapshots)."""
    row = session.scalars(select(ManagedPolicy).where(ManagedPolicy.arn == arn)).first()
    if row is None or (row.account_id is not None and row.account_id != account_id):
        return None
    return row


def get_policy(
    session: Session, account_id: str, arn: str, *, attachable: bool = False
) -> ManagedPolicy:
    row = find_policy(session, account_id, arn)
    if row is None:
        if attachable:
            raise IamError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")
        raise IamError("NoSuchEntity", f"Policy {arn} was not found.")
    return row


def get_customer_policy(session: Session, account: str, arn: str) -> ManagedPolicy:
    """A policy that may be changed: AWS managed ones answer UnmodifiableEntity."""
    if arn.startswith("arn:aws:iam::aws:policy/"):
        from iamdesk.services import managed_policies

        if managed_policies.get(arn) is None:
            raise IamError("NoSuchEntity", f"Policy {arn} was not found.")
        raise unmodifiable(arn)
    return get_policy(session, account, arn)


def tags_of(session: Session, entity_type: str, pk: int) -> list[dict[str, str]]:
    rows = session.execute(
        select(Tag.key, Tag.value)
        .where(Tag.entity_type == entity_type, Tag.entity_pk == pk)
        .order_by(Tag.pk)
    ).all()
    return [{"Key": key, "Value": value} for key, value in rows]


def boundary_shape(session: Session, policy_pk: int | None) -> dict[str, str] | None:
    if policy_pk is None:
        return None
    arn = session.execute(select(ManagedPolicy.arn).where(ManagedPolicy.pk == policy_pk)).scalar()
    return boundary_of(str(arn))


def boundary_of(arn: str) -> dict[str, str]:
    """The ``PermissionsBoundary`` member naming the policy ``arn``."""
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}


def document_object(text: str) -> Any:
    """A stored policy document as the AWS CLI prints it (decoded JSON)."""
    try:
        return jsontext.loads(text)
    except json.JSONDecodeError:
        log.warning("stored policy document is not JSON; returning it as text")
        return text


def user_shape(
    row: User, *, boundary: dict[str, str] | None = None, tags: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Path": row.path,
        "UserName": row.name,
        "UserId": row.user_id,
        "Arn": row.arn,
        "CreateDate": row.create_date,
    }
    if row.password_last_used:
        out["PasswordLastUsed"] = row.password_last_used
    if boundary:
        out["PermissionsBoundary"] = boundary
    if tags:
        out["Tags"] = tags
    return out


def group_shape(row: Group) -> dict[str, Any]:
    return {
        "Path": row.path,
        "GroupName": row.name,
        "GroupId": row.group_id,
        "Arn": row.arn,
        "CreateDate": row.create_date,
    }


def role_shape(
    row: Role,
    *,
    boundary: dict[str, str] | None = None,
    tags: list[dict[str, str]] | None = None,
    last_used: bool = False,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Path": row.path,
        "RoleName": row.name,
        "RoleId": row.role_id,
        "Arn": row.arn,
        "CreateDate": row.create_date,
        "AssumeRolePolicyDocument": document_object(row.assume_role_policy),
    }
    if row.description is not None:
        out["Description"] = row.description
    out["MaxSessionDuration"] = row.max_session_duration
    if boundary:
        out["PermissionsBoundary"] = boundary
    if tags:
        out["Tags"] = tags
    if last_used:
        used: dict[str, str] = {}
        if row.last_used_date:
            used["LastUsedDate"] = row.last_used_date
        if row.last_used_region:
            used["Region"] = row.last_used_region
        out["RoleLastUsed"] = used
    return out


def instance_profile_shape(row: InstanceProfile, roles: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Path": row.path,
        "InstanceProfileName": row.name,
        "InstanceProfileId": row.instance_profile_id,
        "Arn": row.arn,
        "CreateDate": row.create_date,
        "Roles": roles,
    }
