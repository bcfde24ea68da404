"""From an analysis result to the thing it is about: an ``EntityRef`` opens in its view (switching
account when it lives in another modelled account), a ``StatementRef`` opens its policy in the
editor with the deciding statement highlighted, through the same save dialog (impact preview,
undoable save) that test access's "Edit this policy" uses.
"""

from __future__ import annotations

import logging
from typing import Any

from iamdesk.core.policy.document import PolicyKind, Position, Span
from iamdesk.ui.editor.targets import NotEditable, PolicyTarget, org_target, resource_target

log = logging.getLogger(__name__)

VIEW_OF_KIND = {
    "user": "users",
    "group": "groups",
    "role": "roles",
    "session": "roles",
    "policy": "policies",
    "resource": "resources",
    "account": "organization",
}
_AWS_MANAGED = ":iam::aws:policy/"


def entity_location(ref: Any) -> tuple[str, str] | None:
    """(view name, key to select) for an EntityRef, or None when no view shows it (an external
    account, a service principal)."""
    view = VIEW_OF_KIND.get(ref.kind)
    if view is None:
        return None
    arn = str(ref.arn)
    parent = getattr(ref, "parent", None)
    if ref.kind == "session" and parent:
        # A session opens its role or user (a user's session has no view of its own).
        return ("users" if ":user/" in parent else "roles"), str(parent)
    if ref.kind == "session":
        # arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION -> the role
        parts = arn.split(":", 5)
        role = parts[5].split("/")[1] if len(parts) > 5 and "/" in parts[5] else ref.name
        arn = f"arn:aws:iam::{parts[4] if len(parts) > 4 else ref.account_id}:role/{role}"
    if ref.kind == "account":
        return view, ""
    return view, arn


def span_of(ref: Any) -> Span:
    return Span(
        Position(int(ref.start_line), int(ref.start_column)),
        Position(int(ref.end_line), int(ref.end_column)),
    )


def _arn_account(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else None


def statement_target(db: Any, ref: Any, account_id: str) -> PolicyTarget:
    """Where the policy of a StatementRef lives; NotEditable says why it cannot open."""
    kind = ref.policy_kind
    owner = ref.owner
    if kind in ("managed", "boundary"):
        arn = str(ref.policy_arn or "")
        if not arn:
            raise NotEditable(f"{ref.policy_label} has no ARN")
        policy_kind = PolicyKind.PERMISSIONS_BOUNDARY if kind == "boundary" else PolicyKind.IDENTITY
        name = arn.rsplit("/", 1)[-1]
        return PolicyTarget("managed", _arn_account(arn) or account_id, name, policy_kind, arn=arn)
    if kind == "inline":
        if owner is None:
            raise NotEditable(f"the owner of {ref.policy_label} is unknown")
        return PolicyTarget(
            "inline",
            owner.account_id or account_id,
            str(ref.policy_name or ref.policy_label),
            PolicyKind.IDENTITY,
            owner_kind=owner.kind,
            owner_name=owner.name,
        )
    if kind == "trust":
        if owner is None:
            raise NotEditable(f"the role of {ref.policy_label} is unknown")
        role = str(owner.name)
        return PolicyTarget(
            "trust", owner.account_id or account_id, role, PolicyKind.TRUST, owner_name=role
        )
    if kind == "resource":
        if owner is None:
            raise NotEditable(f"the resource of {ref.policy_label} is unknown")
        return resource_target(db, str(owner.arn), str(owner.name), owner.account_id or account_id)
    if kind in ("scp", "rcp"):
        return org_target(db, account_id, kind, str(ref.policy_name or ref.policy_label))
    raise NotEditable(f"{ref.policy_label} ({kind} policy) cannot be opened in the editor")


def open_statement(parent: Any, context: Any, ref: Any) -> Any:
    """Open the policy of ``ref`` in the editor at its statement; returns the dialog, or None
    (after saying why) when it cannot be opened."""
    from iamdesk.ui import messages
    from iamdesk.ui.editor.save_dialog import PolicySaveDialog

    try:
        target = statement_target(context.database, ref, context.account_id)
        dialog = PolicySaveDialog(context, target, span_of(ref), parent)
    except NotEditable as exc:
        messages.warning(f"{ref.policy_label}: {exc}")
        return None
    if target.arn and _AWS_MANAGED in target.arn:
        # Readable, highlighted, but AWS managed policies cannot change.
        dialog.editor.set_read_only(True)
        dialog.save_button.setEnabled(False)
        dialog.message.setText("AWS managed policies cannot be changed; this copy is read-only.")
    dialog.open()
    return dialog
