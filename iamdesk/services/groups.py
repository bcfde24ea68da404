"""IAM groups and their membership."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete, exists, func, select

from iamdesk.services import entities, paging
from iamdesk.services.errors import IamError, already_exists, no_such_entity
from iamdesk.services.validation import check_name, check_path, check_quota
from iamdesk.store.db import Database
from iamdesk.store.ids import iam_arn, unique_id
from iamdesk.store.tables import (
    Group,
    GroupMembership,
    InlinePolicy,
    PolicyAttachment,
    User,
)

log = logging.getLogger(__name__)

MAX_GROUPS_PER_USER = 10


def create_group(
    db: Database, account_id: str | None, group_name: str, *, path: str | None = None
) -> dict[str, Any]:
    check_name(group_name, "groupName")
    path = check_path(path)
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        if entities.name_taken(session, Group, account, group_name):
            raise already_exists("group", group_name)
        row = Group(
            account_id=account,
            name=group_name,
            path=path,
            group_id=unique_id("group", db.rng),
            arn=iam_arn(account, "group", path, group_name),
            create_date=db.now(),
        )
        session.add(row)
        session.flush()
        out = entities.group_shape(row)
        entities.record(session, db, account, "CreateGroup", "group", group_name, after=out)
    return {"Group": out}


def _user_rows(session: Any, group_pk: int) -> list[dict[str, Any]]:
    t = User.__table__  # type: ignore[attr-defined]
    m = GroupMembership.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        select(t.c.path, t.c.name, t.c.user_id, t.c.arn, t.c.create_date, t.c.password_last_used)
        .join(m, m.c.user_pk == t.c.pk)
        .where(m.c.group_pk == group_pk)
        .order_by(m.c.pk)
    ).all()
    users = []
    for path, name, user_id, arn, created, last_used in rows:
        item = {
            "Path": path,
            "UserName": name,
            "UserId": user_id,
            "Arn": arn,
            "CreateDate": created,
        }
        if last_used:
            item["PasswordLastUsed"] = last_used
        users.append(item)
    return users


def get_group(db: Database, account_id: str | None, group_name: str) -> dict[str, Any]:
    """The group and its members (GetGroup)."""
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_group(session, account, group_name)
        return {
            "Users": _user_rows(session, int(row.pk or 0)),
            "Group": entities.group_shape(row),
            "IsTruncated": False,
        }


def list_groups(
    db: Database,
    account_id: str | None,
    *,
    path_prefix: str | None = None,
    marker: str | None = None,
    max_items: int | None = None,
) -> dict[str, Any]:
    rows, truncated = paging.page_by_name(
        db,
        account_id,
        Group.__table__,  # type: ignore[attr-defined]
        ("path", "name", "group_id", "arn", "create_date"),
        path_prefix=path_prefix,
        marker=marker,
        max_items=max_items,
    )
    groups = [
        {"Path": p, "GroupName": n, "GroupId": i, "Arn": a, "CreateDate": c}
        for p, n, i, a, c in rows
    ]
    return paging.page_result("Groups", groups, truncated)


def update_group(
    db: Database,
    account_id: str | None,
    group_name: str,
    *,
    new_path: str | None = None,
    new_group_name: str | None = None,
) -> dict[str, Any]:
    if new_group_name is not None:
        check_name(new_group_name, "newGroupName")
    if new_path is not None:
        check_path(new_path, "newPath")
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_group(session, account, group_name)
        entities.rename_entity(
            session,
            db,
            account,
            row,
            "group",
            "UpdateGroup",
            asked_name=group_name,
            new_name=new_group_name,
            new_path=new_path,
            shape=entities.group_shape,
        )
    return {}


def delete_group(db: Database, account_id: str | None, group_name: str) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        row = entities.get_group(session, account, group_name)
        owned = (
            (
                select(GroupMembership.pk).where(GroupMembership.group_pk == row.pk),
                "remove users from group",
            ),
            (select(InlinePolicy.pk).where(InlinePolicy.group_pk == row.pk), "delete policies"),
            (
                select(PolicyAttachment.pk).where(PolicyAttachment.group_pk == row.pk),
                "detach all policies",
            ),
        )
        paging.refuse_delete_while(session, owned)
        before = entities.group_shape(row)
        session.delete(row)
        entities.record(session, db, account, "DeleteGroup", "group", group_name, before=before)
    return {}


def add_user_to_group(
    db: Database, account_id: str | None, group_name: str, user_name: str
) -> dict[str, Any]:
    check_name(group_name, "groupName")
    check_name(user_name, "userName")
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        group = entities.get_group(session, account, group_name)
        user = entities.get_user(session, account, user_name)
        present = session.execute(
            select(
                exists().where(
                    GroupMembership.group_pk == group.pk, GroupMembership.user_pk == user.pk
                )
            )
        ).scalar()
        if present:
            return {}  # IAM answers success when the user is already a member
        count = session.execute(
            select(func.count()).where(GroupMembership.user_pk == user.pk)
        ).scalar_one()
        check_quota(count + 1, MAX_GROUPS_PER_USER, "GroupsPerUser")
        session.add(GroupMembership(group_pk=int(group.pk or 0), user_pk=int(user.pk or 0)))
        entities.record(
            session,
            db,
            account,
            "AddUserToGroup",
            "group",
            group.name,
            after={"UserName": user.name, "GroupName": group.name},
        )
    return {}


def remove_user_from_group(
    db: Database, account_id: str | None, group_name: str, user_name: str
) -> dict[str, Any]:
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        group = entities.get_group(session, account, group_name)
        user = entities.get_user(session, account, user_name)
        removed = session.execute(
            delete(GroupMembership).where(
                GroupMembership.group_pk == group.pk, GroupMembership.user_pk == user.pk
            )
        ).rowcount
        if not removed:
            raise IamError("NoSuchEntity", f"The user with name {user.name} cannot be found.")
        entities.record(
            session,
            db,
            account,
            "RemoveUserFromGroup",
            "group",
            group.name,
            before={"UserName": user.name, "GroupName": group.name},
        )
    return {}


def list_groups_for_user(db: Database, account_id: str | None, user_name: str) -> dict[str, Any]:
    t = Group.__table__  # type: ignore[attr-defined]
    m = GroupMembership.__table__  # type: ignore[attr-defined]
    with db.read(one_statement=True) as session:
        account = entities.resolve_account(session, db, account_id)
        rows = entities.owned_rows(
            session,
            User,
            account,
            user_name,
            (t.c.path, t.c.name, t.c.group_id, t.c.arn, t.c.create_date),
            ((m, m.c.user_pk == User.pk), (t, t.c.pk == m.c.group_pk)),
            m.c.pk,
        )
    if rows is None:
        raise no_such_entity("user", user_name)
    groups = [
        {"Path": p, "GroupName": n, "GroupId": i, "Arn": a, "CreateDate": c}
        for p, n, i, a, c in rows
    ]
    return {"Groups": groups, "IsTruncated": False}
