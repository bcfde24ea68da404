"""Undoable edits of the organization: OUs, member accounts, their place in the tree, and the
SCPs and RCPs attached at each node. Each goes through ``services.organizations`` as the
management account (the only one AWS lets change an organization); an undo puts back the same
ids and ARNs (``services.organizations.removal``), not look-alikes with new ids."""

from __future__ import annotations

import logging
from typing import Any

from iamdesk.ui.commands.base import ServiceCommand, Step, created_once, execute
from iamdesk.ui.context import AppContext

log = logging.getLogger(__name__)

KINDS = ("organization",)


def _push(context: AppContext, text: str, do: Any, undo: Any) -> Any:
    return execute(context, ServiceCommand(context, text, do, undo, KINDS))


def create_ou(context: AppContext, caller: str, parent_id: str, name: str) -> dict[str, Any]:
    from iamdesk.services import organizations as orgs
    from iamdesk.services.organizations import removal

    db = context.database

    def create() -> dict[str, Any]:
        ou = orgs.create_organizational_unit(db, parent_id=parent_id, name=name, account_id=caller)
        return removal.ou_snapshot(db, ou_id=ou["OrganizationalUnit"]["Id"], account_id=caller)

    do, made = created_once(
        create, lambda snapshot: removal.restore_organizational_unit(db, snapshot)
    )

    def undo() -> None:
        orgs.delete_organizational_unit(db, organizational_unit_id=made["Id"], account_id=caller)

    result: dict[str, Any] = _push(context, f"Create OU {name}", do, undo)
    return result


def delete_ou(context: AppContext, caller: str, ou_id: str) -> None:
    """AWS's DeleteOrganizationalUnit (refused for a non-empty OU); undo restores it, same id."""
    from iamdesk.services import organizations as orgs
    from iamdesk.services.organizations import removal

    db = context.database
    before = removal.ou_snapshot(db, ou_id=ou_id, account_id=caller)
    _push(
        context,
        f"Delete OU {before['Name']}",
        lambda: orgs.delete_organizational_unit(
            db, organizational_unit_id=ou_id, account_id=caller
        ),
        lambda: removal.restore_organizational_unit(db, before),
    )


def create_account(
    context: AppContext,
    caller: str,
    *,
    name: str,
    email: str,
    new_account_id: str | None,
    parent_id: str | None,
) -> str:
    """CreateAccount at the root (as AWS does), or straight into ``parent_id`` when given (one
    service transaction: a refused move leaves nothing behind); one undo step. Undo removes an
    account the model did not have, or puts an enrolled standalone account back as it was."""
    from iamdesk.services import organizations as orgs
    from iamdesk.services.organizations import removal

    db = context.database
    states: dict[str, Any] = {}

    def do() -> str:
        if "after" in states:
            removal.put_account_state(db, member_account_id=states["id"], state=states["after"])
            return str(states["id"])
        before = (
            removal.account_state(db, member_account_id=new_account_id) if new_account_id else None
        )
        if parent_id is None:
            out = orgs.create_account(
                db, email=email, account_name=name, new_account_id=new_account_id, account_id=caller
            )
        else:
            out = orgs.create_account_in_parent(
                db,
                email=email,
                account_name=name,
                parent_id=parent_id,
                new_account_id=new_account_id,
                account_id=caller,
            )
        member = str(out["CreateAccountStatus"]["AccountId"])
        states.update(id=member, before=before)
        states["after"] = removal.account_state(db, member_account_id=member)
        return member

    def undo() -> None:
        removal.put_account_state(db, member_account_id=states["id"], state=states["before"])

    member: str = _push(context, f"Create account {name}", do, undo)
    return member


def move_account(
    context: AppContext, caller: str, member: str, source_id: str, destination_id: str
) -> None:
    from iamdesk.services import organizations as orgs

    db = context.database

    def move(source: str, destination: str) -> None:
        orgs.move_account(
            db,
            member_account_id=member,
            source_parent_id=source,
            destination_parent_id=destination,
            account_id=caller,
        )

    _push(
        context,
        f"Move account {member}",
        lambda: move(source_id, destination_id),
        lambda: move(destination_id, source_id),
    )


def attach_policy(
    context: AppContext, caller: str, policy_id: str, policy_name: str, target_id: str
) -> None:
    attach, detach = _attachment(context, caller, policy_id, target_id)
    _push(context, f"Attach {policy_name} to {target_id}", attach, detach)


def detach_policy(
    context: AppContext, caller: str, policy_id: str, policy_name: str, target_id: str
) -> None:
    attach, detach = _attachment(context, caller, policy_id, target_id)
    _push(context, f"Detach {policy_name} from {target_id}", detach, attach)


def _attachment(
    context: AppContext, caller: str, policy_id: str, target_id: str
) -> tuple[Step, Step]:
    """AttachPolicy and DetachPolicy of one policy at one target: each the other's undo."""
    from iamdesk.services import organizations as orgs

    db = context.database
    where = {"policy_id": policy_id, "target_id": target_id, "account_id": caller}
    return (lambda: orgs.attach_policy(db, **where), lambda: orgs.detach_policy(db, **where))


def create_policy(
    context: AppContext,
    caller: str,
    *,
    name: str,
    policy_type: str,
    content: str,
    description: str,
) -> dict[str, Any]:
    from iamdesk.services import organizations as orgs
    from iamdesk.services.organizations import removal

    db = context.database

    def create() -> dict[str, Any]:
        out = orgs.create_policy(
            db,
            name=name,
            policy_type=policy_type,
            content=content,
            description=description,
            account_id=caller,
        )
        policy_id = out["Policy"]["PolicySummary"]["Id"]
        return removal.policy_snapshot(db, policy_id=policy_id, account_id=caller)

    do, made = created_once(create, lambda snapshot: removal.restore_policy(db, snapshot))

    def undo() -> None:
        orgs.delete_policy(db, policy_id=made["id"], account_id=caller)

    word = "SCP" if policy_type == orgs.SCP else "RCP"
    result: dict[str, Any] = _push(context, f"Create {word} {name}", do, undo)
    return result


def delete_policy(context: AppContext, caller: str, policy_id: str) -> None:
    """AWS's DeletePolicy (refused while attached anywhere); undo restores it, same id."""
    from iamdesk.services import organizations as orgs
    from iamdesk.services.organizations import removal

    db = context.database
    before = removal.policy_snapshot(db, policy_id=policy_id, account_id=caller)
    _push(
        context,
        f"Delete policy {before['name']}",
        lambda: orgs.delete_policy(db, policy_id=policy_id, account_id=caller),
        lambda: removal.restore_policy(db, before),
    )
