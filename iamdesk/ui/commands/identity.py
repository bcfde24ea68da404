"""Undoable edits of users, groups, roles, group membership and tags.

Each function builds a command over one service operation and its inverse, runs it and pushes it
(``execute``); a service's ``IamError`` propagates before anything is pushed.

Undoing a delete recreates the entity with its name, path, tags (and for roles the trust policy
and settings); IAM would give the new entity a new unique id, and so does iamdesk.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from iamdesk.ui.commands.base import ServiceCommand, execute
from iamdesk.ui.context import AppContext

log = logging.getLogger(__name__)


def _tags(pairs: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in pairs.items()]


def create_user(
    context: AppContext, name: str, path: str = "/", tags: Mapping[str, str] | None = None
) -> Any:
    from iamdesk.services import users

    db, account = context.database, context.account_id
    tag_list = _tags(tags or {})
    return execute(
        context,
        ServiceCommand(
            context,
            f"Create user {name}",
            lambda: users.create_user(db, account, name, path=path, tags=tag_list or None),
            lambda: users.delete_user(db, account, name),
            ("users", "account"),
        ),
    )


def delete_user(context: AppContext, name: str) -> Any:
    from iamdesk.services import users
    from iamdesk.services.restoring import restore_user

    db, account = context.database, context.account_id
    before = users.get_user(db, account, name)["User"]
    return execute(
        context,
        ServiceCommand(
            context,
            f"Delete user {name}",
            lambda: users.delete_user(db, account, name),
            # Undo brings the same user back: its UserId and CreateDate, not new ones.
            lambda: restore_user(db, account, before),
            # Trust and resource policies that name the user show its ID, then its ARN again.
            ("users", "account", "roles", "resources"),
        ),
    )


def create_group(context: AppContext, name: str, path: str = "/") -> Any:
    from iamdesk.services import groups

    db, account = context.database, context.account_id
    return execute(
        context,
        ServiceCommand(
            context,
            f"Create group {name}",
            lambda: groups.create_group(db, account, name, path=path),
            lambda: groups.delete_group(db, account, name),
            ("groups", "account"),
        ),
    )


def delete_group(context: AppContext, name: str) -> Any:
    from iamdesk.services import groups

    db, account = context.database, context.account_id
    path = groups.get_group(db, account, name)["Group"]["Path"]
    return execute(
        context,
        ServiceCommand(
            context,
            f"Delete group {name}",
            lambda: groups.delete_group(db, account, name),
            lambda: groups.create_group(db, account, name, path=path),
            ("groups", "account"),
        ),
    )


def add_user_to_group(context: AppContext, group: str, user: str) -> Any:
    from iamdesk.services import groups

    db, account = context.database, context.account_id
    return execute(
        context,
        ServiceCommand(
            context,
            f"Add {user} to group {group}",
            lambda: groups.add_user_to_group(db, account, group, user),
            lambda: groups.remove_user_from_group(db, account, group, user),
            ("users", "groups"),
        ),
    )


def remove_user_from_group(context: AppContext, group: str, user: str) -> Any:
    from iamdesk.services import groups

    db, account = context.database, context.account_id
    return execute(
        context,
        ServiceCommand(
            context,
            f"Remove {user} from group {group}",
            lambda: groups.remove_user_from_group(db, account, group, user),
            lambda: groups.add_user_to_group(db, account, group, user),
            ("users", "groups"),
        ),
    )


def create_role(
    context: AppContext,
    name: str,
    trust_policy: str,
    *,
    path: str = "/",
    description: str | None = None,
    max_session_duration: int | None = None,
    tags: Mapping[str, str] | None = None,
) -> Any:
    from iamdesk.services import roles

    db, account = context.database, context.account_id
    tag_list = _tags(tags or {})
    return execute(
        context,
        ServiceCommand(
            context,
            f"Create role {name}",
            lambda: roles.create_role(
                db,
                account,
                name,
                trust_policy,
                path=path,
                description=description,
                max_session_duration=max_session_duration,
                tags=tag_list or None,
            ),
            lambda: roles.delete_role(db, account, name),
            ("roles", "account"),
        ),
    )


def delete_role(context: AppContext, name: str) -> Any:
    from iamdesk.services import roles
    from iamdesk.services.restoring import restore_role

    db, account = context.database, context.account_id
    before = roles.get_role(db, account, name)["Role"]
    return execute(
        context,
        ServiceCommand(
            context,
            f"Delete role {name}",
            lambda: roles.delete_role(db, account, name),
            # Undo brings the same role back: its RoleId and CreateDate, not new ones.
            lambda: restore_role(db, account, before),
            ("roles", "account", "resources"),  # policies naming the role show its ID
        ),
    )


def update_trust_policy(context: AppContext, role: str, document: str) -> Any:
    import json

    from iamdesk.services import roles

    db, account = context.database, context.account_id
    old = roles.get_role(db, account, role)["Role"]["AssumeRolePolicyDocument"]
    old_text = old if isinstance(old, str) else json.dumps(old, indent=4)
    return execute(
        context,
        ServiceCommand(
            context,
            f"Edit trust policy of {role}",
            lambda: roles.update_assume_role_policy(db, account, role, document),
            lambda: roles.update_assume_role_policy(db, account, role, old_text),
            ("roles",),
        ),
    )


def tag_command(context: AppContext, entity_type: str, name: str, tags: Mapping[str, str]) -> Any:
    """Add or overwrite tags; undo restores the previous values and removes the new keys."""
    from iamdesk.services import tags as tag_service

    db, account = context.database, context.account_id
    before = {
        t["Key"]: t["Value"] for t in tag_service.list_tags(db, account, entity_type, name)["Tags"]
    }
    restore = {k: before[k] for k in tags if k in before}
    added = [k for k in tags if k not in before]

    def undo() -> None:
        if added:
            tag_service.untag(db, account, entity_type, name, added)
        if restore:
            tag_service.tag(db, account, entity_type, name, _tags(restore))

    keys = ", ".join(tags)
    return execute(
        context,
        ServiceCommand(
            context,
            f"Tag {name} with {keys}",
            lambda: tag_service.tag(db, account, entity_type, name, _tags(tags)),
            undo,
            ("tags", _kind_of(entity_type)),
        ),
    )


def untag_command(context: AppContext, entity_type: str, name: str, keys: Iterable[str]) -> Any:
    from iamdesk.services import tags as tag_service

    db, account = context.database, context.account_id
    keys = list(keys)
    before = {
        t["Key"]: t["Value"]
        for t in tag_service.list_tags(db, account, entity_type, name)["Tags"]
        if t["Key"].lower() in {k.lower() for k in keys}
    }
    return execute(
        context,
        ServiceCommand(
            context,
            f"Remove tag {', '.join(keys)} from {name}",
            lambda: tag_service.untag(db, account, entity_type, name, keys),
            lambda: (
                tag_service.tag(db, account, entity_type, name, _tags(before)) if before else None
            ),
            ("tags", _kind_of(entity_type)),
        ),
    )


def _kind_of(entity_type: str) -> str:
    return {"user": "users", "role": "roles", "policy": "policies", "group": "groups"}.get(
        entity_type, "account"
    )


def rename_entity(
    context: AppContext, kind: str, name: str, old_path: str, new_name: str, new_path: str
) -> Any:
    """UpdateUser / UpdateGroup: rename and/or move; undo puts name and path back."""
    from iamdesk.services import groups, users

    db, account = context.database, context.account_id
    updates: dict[str, Callable[..., Any]] = {
        "user": users.update_user,
        "group": groups.update_group,
    }
    update = updates[kind]
    new_key = {"user": "new_user_name", "group": "new_group_name"}[kind]

    def move(current: str, target: str, path: str) -> Any:
        return update(db, account, current, new_path=path, **{new_key: target})

    what = "Rename" if new_name != name else "Move"
    return execute(
        context,
        ServiceCommand(
            context,
            f"{what} {kind} {name}" + (f" to {new_name}" if new_name != name else ""),
            lambda: move(name, new_name, new_path),
            lambda: move(new_name, name, old_path),
            # A user's new ARN follows into the trust and resource policies that name it.
            (f"{kind}s", "roles", "resources") if kind == "user" else (f"{kind}s",),
        ),
    )


def update_role_settings(
    context: AppContext,
    name: str,
    old: tuple[str, int],
    description: str,
    max_session_duration: int,
) -> Any:
    """UpdateRole: description and maximum session duration; undo restores both."""
    from iamdesk.services import roles

    db, account = context.database, context.account_id

    def apply(values: tuple[str, int]) -> Any:
        return roles.update_role(
            db, account, name, description=values[0], max_session_duration=values[1]
        )

    return execute(
        context,
        ServiceCommand(
            context,
            f"Edit role {name}",
            lambda: apply((description, max_session_duration)),
            lambda: apply(old),
            ("roles",),
        ),
    )
