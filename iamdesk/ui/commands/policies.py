"""Undoable edits of policies: attach/detach, inline policies, permissions boundaries, customer
managed policies and their versions."""

from __future__ import annotations

import json
import logging
from typing import Any

from iamdesk.ui.commands.base import CompositeCommand, ServiceCommand, Step, execute
from iamdesk.ui.context import AppContext

log = logging.getLogger(__name__)

KIND_VIEWS = {"user": "users", "group": "groups", "role": "roles"}


def _short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def attach_policies(context: AppContext, kind: str, name: str, arns: list[str]) -> Any:
    """Attach one or more managed policies as one undoable edit (all or none)."""
    from iamdesk.services import attachments

    db, account = context.database, context.account_id

    def step(arn: str) -> tuple[Step, Step]:
        return (
            lambda: attachments.attach_policy(db, account, kind, name, arn),
            lambda: attachments.detach_policy(db, account, kind, name, arn),
        )

    steps = [step(arn) for arn in arns]
    label = _short(arns[0]) if len(arns) == 1 else f"{len(arns)} policies"
    return execute(
        context,
        CompositeCommand(
            context, f"Attach {label} to {name}", steps, (KIND_VIEWS[kind], "policies")
        ),
    )


def detach_policy(context: AppContext, kind: str, name: str, arn: str) -> Any:
    from iamdesk.services import attachments

    db, account = context.database, context.account_id
    return execute(
        context,
        ServiceCommand(
            context,
            f"Detach {_short(arn)} from {name}",
            lambda: attachments.detach_policy(db, account, kind, name, arn),
            lambda: attachments.attach_policy(db, account, kind, name, arn),
            (KIND_VIEWS[kind], "policies"),
        ),
    )


def _inline_text(db: Any, account: str, kind: str, owner: str, policy: str) -> str | None:
    from iamdesk.services import inline_policies
    from iamdesk.services.errors import IamError

    try:
        document = inline_policies.get_inline_policy(db, account, kind, owner, policy)
    except IamError as exc:
        if exc.code == "NoSuchEntity":
            return None
        raise
    value = document["PolicyDocument"]
    return value if isinstance(value, str) else json.dumps(value, indent=4)


def put_inline_policy(
    context: AppContext, kind: str, owner: str, policy: str, document: str
) -> Any:
    """Add or replace an inline policy; undo restores the previous text or removes it."""
    from iamdesk.services import inline_policies

    db, account = context.database, context.account_id
    previous = _inline_text(db, account, kind, owner, policy)

    def undo() -> Any:
        if previous is None:
            return inline_policies.delete_inline_policy(db, account, kind, owner, policy)
        return inline_policies.put_inline_policy(db, account, kind, owner, policy, previous)

    verb = "Add" if previous is None else "Edit"
    return execute(
        context,
        ServiceCommand(
            context,
            f"{verb} inline policy {policy} of {owner}",
            lambda: inline_policies.put_inline_policy(db, account, kind, owner, policy, document),
            undo,
            (KIND_VIEWS[kind],),
        ),
    )


def delete_inline_policy(context: AppContext, kind: str, owner: str, policy: str) -> Any:
    from iamdesk.services import inline_policies

    db, account = context.database, context.account_id
    previous = _inline_text(db, account, kind, owner, policy) or "{}"
    return execute(
        context,
        ServiceCommand(
            context,
            f"Remove inline policy {policy} of {owner}",
            lambda: inline_policies.delete_inline_policy(db, account, kind, owner, policy),
            lambda: inline_policies.put_inline_policy(db, account, kind, owner, policy, previous),
            (KIND_VIEWS[kind],),
        ),
    )


def set_boundary(
    context: AppContext, kind: str, name: str, arn: str | None, old: str | None
) -> Any:
    """Set (``arn``) or remove (None) the permissions boundary; ``old`` is the current one."""
    from iamdesk.services import attachments

    db, account = context.database, context.account_id

    def apply(value: str | None) -> Any:
        if value is None:
            return attachments.delete_permissions_boundary(db, account, kind, name)
        return attachments.put_permissions_boundary(db, account, kind, name, value)

    text = f"Set boundary {_short(arn)} on {name}" if arn else f"Remove boundary from {name}"
    return execute(
        context,
        ServiceCommand(
            context, text, lambda: apply(arn), lambda: apply(old), (KIND_VIEWS[kind], "policies")
        ),
    )


def create_policy(
    context: AppContext,
    name: str,
    document: str,
    *,
    path: str = "/",
    description: str | None = None,
) -> Any:
    from iamdesk.services import policies

    db, account = context.database, context.account_id
    created: dict[str, str] = {}

    def do() -> Any:
        result = policies.create_policy(
            db, account, name, document, path=path, description=description
        )
        created["arn"] = result["Policy"]["Arn"]
        return result

    return execute(
        context,
        ServiceCommand(
            context,
            f"Create policy {name}",
            do,
            lambda: policies.delete_policy(db, account, created["arn"]),
            ("policies", "account"),
        ),
    )


def delete_policy(context: AppContext, arn: str) -> Any:
    from iamdesk.services import policies

    db, account = context.database, context.account_id
    info = policies.get_policy(db, account, arn)["Policy"]
    document = policies.default_document(db, account, arn)
    return execute(
        context,
        ServiceCommand(
            context,
            f"Delete policy {info['PolicyName']}",
            lambda: policies.delete_policy(db, account, arn),
            lambda: policies.create_policy(
                db,
                account,
                info["PolicyName"],
                document,
                path=info.get("Path", "/"),
                description=info.get("Description") or None,
            ),
            ("policies", "account"),
        ),
    )


def create_policy_version(context: AppContext, arn: str, document: str) -> Any:
    """Save an edited document as a new default version; undo restores the previous default
    and deletes the new version."""
    from iamdesk.services import policies

    db, account = context.database, context.account_id
    previous = policies.get_policy(db, account, arn)["Policy"]["DefaultVersionId"]
    made: dict[str, str] = {}

    def do() -> Any:
        result = policies.create_policy_version(db, account, arn, document, set_as_default=True)
        made["version"] = result["PolicyVersion"]["VersionId"]
        return result

    def undo() -> None:
        policies.set_default_policy_version(db, account, arn, previous)
        policies.delete_policy_version(db, account, arn, made["version"])

    return execute(
        context,
        ServiceCommand(context, f"Save new version of {_short(arn)}", do, undo, ("policies",)),
    )
