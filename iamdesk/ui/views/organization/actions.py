"""What the Organization view changes, as the console's Organizations pages do: create OUs and
accounts, move accounts, delete empty OUs, attach and detach SCPs and RCPs, create and delete
those policies. Each is one undoable command run as the management account; AWS's refusals
(a non-empty OU, a policy still attached, the last SCP of a node) are said in a box.

Reachable from the buttons above the tree and the policy list, the context menus of both, and
the keyboard (Ins: new OU, Del: delete the selected OU or detach the selected policy).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu, QPushButton, QTreeWidget, QTreeWidgetItem, QWidget

from iamdesk.ui import messages
from iamdesk.ui.context import AppContext
from iamdesk.ui.views.tabs import ITEM_ROLE

log = logging.getLogger(__name__)

Action = tuple[str, str, Callable[[], Any]]  # text, objectName suffix, slot


class OrganizationActions:
    """Mixed into ``OrganizationView`` (which provides the tree, the policy list, the context
    and ``management``, the management account's id)."""

    context: AppContext
    tree: QTreeWidget
    policies: QTreeWidget
    management: str | None

    def node(self) -> dict[str, Any] | None:
        item = self.tree.currentItem()
        return item.data(0, ITEM_ROLE) if item is not None else None

    def node_id(self, data: dict[str, Any]) -> str:
        return str(data["Id"])

    def is_account(self, data: dict[str, Any]) -> bool:
        return "Management" in data

    def parents(self) -> list[tuple[str, str]]:
        """Root and every OU, indented by depth, for the dialogs' Parent fields."""
        found: list[tuple[str, str]] = []

        def walk(item: QTreeWidgetItem, depth: int) -> None:
            data = item.data(0, ITEM_ROLE)
            if self.is_account(data):
                return
            found.append(("    " * depth + f"{data['Name']}  ({data['Id']})", data["Id"]))
            for i in range(item.childCount()):
                child = item.child(i)
                if child is not None:
                    walk(child, depth + 1)

        top = self.tree.topLevelItem(0)
        if top is not None:
            walk(top, 0)
        return found

    def container_of(self, data: dict[str, Any] | None) -> str | None:
        """The root or OU a new OU or account goes in: the selected one, or an account's."""
        item = self.tree.currentItem()
        if data is None or item is None:
            return None
        if self.is_account(data):
            parent = item.parent()
            return parent.data(0, ITEM_ROLE)["Id"] if parent is not None else None
        return self.node_id(data)

    # Buttons and menus ---------------------------------------------------------------------
    def add_buttons(self, parent: QWidget, specs: list[Action]) -> dict[str, QPushButton]:
        buttons = {}
        for text, name, slot in specs:
            button = QPushButton(text, parent)
            button.setObjectName(f"organization{name}Button")
            button.clicked.connect(lambda _c=False, s=slot: s())
            buttons[name] = button
        return buttons

    def tree_actions(self) -> list[Action]:
        data = self.node()
        if data is None:
            return []
        found: list[Action] = [
            ("New OU…", "NewOu", self.new_ou),
            ("New account…", "NewAccount", self.new_account),
            ("Attach policy…", "Attach", self.attach),
        ]
        if self.is_account(data):
            found.insert(2, ("Move account…", "Move", self.move))
        elif data["Kind"] == "ORGANIZATIONAL_UNIT":
            found.append(("Delete OU…", "DeleteOu", self.delete_ou))
        return found

    def policy_actions(self) -> list[Action]:
        item = self.policies.currentItem()
        found: list[Action] = [("New SCP or RCP…", "NewPolicy", self.new_policy)]
        if item is None:
            return found
        policy = item.data(0, ITEM_ROLE)
        if item.text(2) == "this node" and "Id" in policy:
            found.insert(0, ("Detach from this node", "Detach", self.detach))
        if not policy["AwsManaged"] and "Id" in policy:
            found.append(("Delete policy…", "DeletePolicy", self.delete_policy))
        return found

    def popup(self, widget: QTreeWidget, actions: list[Action], position: QPoint) -> QMenu:
        menu = QMenu(widget)
        menu.setObjectName(f"{widget.objectName()}Menu")
        for text, name, slot in actions:
            action = menu.addAction(text)
            action.setObjectName(f"organization{name}Action")
            action.triggered.connect(lambda _c=False, s=slot: s())
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(widget.viewport().mapToGlobal(position))
        return menu

    def tree_menu(self, position: QPoint) -> QMenu:
        item = self.tree.itemAt(position)
        if item is not None:
            self.tree.setCurrentItem(item)
        return self.popup(self.tree, self.tree_actions(), position)

    def policy_menu(self, position: QPoint) -> QMenu:
        item = self.policies.itemAt(position)
        if item is not None:
            self.policies.setCurrentItem(item)
        return self.popup(self.policies, self.policy_actions(), position)

    # The changes -----------------------------------------------------------------------------
    def _dialog(self, dialog: Any) -> Any:
        dialog.finished.connect(lambda _r: self._focus_back())
        dialog.open()
        return dialog

    def _focus_back(self) -> None:
        """After a dialog: the keyboard is back in the tree (Ctrl+Z, Ins, Del answer)."""
        self.tree.window().activateWindow()
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    def new_ou(self) -> Any:
        from iamdesk.ui.dialogs.organization_dialogs import CreateOuDialog

        return self._placed(CreateOuDialog)

    def new_account(self) -> Any:
        from iamdesk.ui.dialogs.organization_dialogs import CreateAccountDialog

        return self._placed(CreateAccountDialog)

    def _placed(self, kind: type[Any]) -> Any:
        """A dialog creating something in a root or OU: the selection's, preset."""
        if self.management is None:
            return None
        where = self.container_of(self.node())
        return self._dialog(kind(self.context, self.management, self.parents(), where, self.tree))

    def move(self) -> Any:
        from iamdesk.ui.dialogs.organization_dialogs import MoveAccountDialog

        data = self.node()
        if self.management is None or data is None or not self.is_account(data):
            return None
        source = self.container_of(data)
        assert source is not None
        member = (str(data["Id"]), str(data["Name"]))
        return self._dialog(
            MoveAccountDialog(
                self.context, self.management, member, source, self.parents(), self.tree
            )
        )

    def attach(self) -> Any:
        from iamdesk.ui.dialogs.organization_dialogs import AttachOrgPolicyDialog

        data = self.node()
        if self.management is None or data is None:
            return None
        attached = {p["Id"] for p in data["Policies"]}
        target = (str(data["Id"]), str(data["Name"]))
        return self._dialog(
            AttachOrgPolicyDialog(self.context, self.management, target, attached, self.tree)
        )

    def new_policy(self) -> Any:
        from iamdesk.ui.dialogs.organization_dialogs import CreateOrgPolicyDialog

        if self.management is None:
            return None
        return self._dialog(CreateOrgPolicyDialog(self.context, self.management, self.tree))

    def _refused(self, title: str, call: Callable[[], Any]) -> None:
        from iamdesk.services.errors import IamError

        try:
            call()
        except IamError as exc:
            messages.show_error(self.tree, title, f"{exc.code}: {exc.message}")

    def delete_ou(self) -> Any:
        from iamdesk.ui.commands.organization import delete_ou

        data = self.node()
        if self.management is None or data is None or data.get("Kind") != "ORGANIZATIONAL_UNIT":
            return None
        caller, ou_id = self.management, str(data["Id"])
        return messages.confirm(
            self.tree,
            "Delete OU",
            f"Delete the OU {data['Name']} ({ou_id})?",
            lambda: self._refused("Delete OU", lambda: delete_ou(self.context, caller, ou_id)),
            informative="AWS deletes only an empty OU. Edit ▸ Undo brings it back, same id.",
            yes_text="Delete",
            object_name="confirmDeleteBox",
        )

    def detach(self) -> None:
        from iamdesk.ui.commands.organization import detach_policy

        data, item = self.node(), self.policies.currentItem()
        if self.management is None or data is None or item is None:
            return
        policy = item.data(0, ITEM_ROLE)
        if item.text(2) != "this node":
            messages.show_error(
                self.tree,
                "Detach policy",
                f"{policy['Name']} is attached at {item.text(2)}: select that node to detach it.",
            )
            return
        caller, target = self.management, str(data["Id"])
        self._refused(
            "Detach policy",
            lambda: detach_policy(self.context, caller, policy["Id"], policy["Name"], target),
        )

    def delete_policy(self) -> Any:
        from iamdesk.ui.commands.organization import delete_policy

        item = self.policies.currentItem()
        if self.management is None or item is None:
            return None
        policy = item.data(0, ITEM_ROLE)
        caller = self.management
        return messages.confirm(
            self.tree,
            "Delete policy",
            f"Delete the policy {policy['Name']} ({policy['Id']})?",
            lambda: self._refused(
                "Delete policy", lambda: delete_policy(self.context, caller, policy["Id"])
            ),
            informative="AWS deletes only a policy attached nowhere. Edit ▸ Undo brings it back.",
            yes_text="Delete",
            object_name="confirmDeleteBox",
        )
