"""Organization: the tree of root, OUs and accounts, with the service control policies and
resource control policies attached at the selected node (or every policy of the organization)
and the selected policy's text. A customer SCP or RCP opens in the policy editor; its save is
one undoable UpdatePolicy. The changes to the tree and attachments live in ``actions``."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iamdesk.ui import theme
from iamdesk.ui.context import AppContext
from iamdesk.ui.fitting import OverflowBar
from iamdesk.ui.icons import icon
from iamdesk.ui.shortcuts import local_shortcut
from iamdesk.ui.views.document_view import DocumentView, document_text
from iamdesk.ui.views.organization.actions import OrganizationActions
from iamdesk.ui.views.reloading import ReloadWhenShown
from iamdesk.ui.views.tabs import ITEM_ROLE, add_item, make_list

log = logging.getLogger(__name__)

TYPE_WORDS = {"SERVICE_CONTROL_POLICY": "SCP", "RESOURCE_CONTROL_POLICY": "RCP"}


SCOPES = (("Governing this node", "node"), ("Every SCP and RCP", "all"))


class OrganizationView(OrganizationActions, ReloadWhenShown, QWidget):
    navigateRequested = Signal(str, str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("organizationView")
        self.context = context
        self._dirty = True
        self.management: str | None = None
        self.all_policies: list[dict[str, Any]] = []
        self.heading = QLabel()
        self.heading.setObjectName("organizationHeading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.tree = QTreeWidget()
        self.tree.setObjectName("organizationTree")
        self.tree.setHeaderLabels(["Name", "Id", "SCPs", "RCPs"])
        # The name takes what is left; ids and counts always show whole (a narrow window
        # elided the account ids).
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setAlternatingRowColors(True)
        self.tree.currentItemChanged.connect(self._show_node)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self.tree_menu)
        self.node_title = QLabel()
        self.node_title.setObjectName("organizationNodeTitle")
        self.node_title.setTextFormat(Qt.TextFormat.RichText)
        self.node_title.setWordWrap(True)  # else its one long line sets the pane's minimum width
        self.policies = make_list(
            ["Policy", "Type", "Attached at", "Managed by", "Description"], "organizationPolicies"
        )
        self.policies.header().resizeSection(0, 200)
        self.policies.header().resizeSection(1, 50)
        self.policies.header().resizeSection(2, 170)
        self.policies.currentItemChanged.connect(self._show_policy)
        self.policies.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.policies.customContextMenuRequested.connect(self.policy_menu)
        self.scope = QComboBox()
        self.scope.setObjectName("organizationPolicyScope")
        for label, value in SCOPES:
            self.scope.addItem(label, value)
        self.scope.currentIndexChanged.connect(lambda _i: self._show_node(self.tree.currentItem()))
        self.document = DocumentView(self, read_only=True, kind="scp")
        self.document.setObjectName("organizationPolicyDocument")
        self.edit_button = QPushButton("Edit policy…")
        self.edit_button.setObjectName("organizationEditPolicy")
        self.edit_button.setEnabled(False)
        self.edit_button.clicked.connect(self.edit_policy)
        self.edit_dialog: Any = None
        tree_buttons = self.add_buttons(
            self,
            [
                ("New OU…", "NewOu", self.new_ou),
                ("New account…", "NewAccount", self.new_account),
                ("Move…", "Move", self.move),
                ("Delete OU", "DeleteOu", self.delete_ou),
            ],
        )
        policy_buttons = self.add_buttons(
            self,
            [
                ("Attach…", "Attach", self.attach),
                ("Detach", "Detach", self.detach),
                ("New policy…", "NewPolicy", self.new_policy),
                ("Delete policy", "DeletePolicy", self.delete_policy),
            ],
        )
        self.action_buttons = {**tree_buttons, **policy_buttons}
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        # Rows of buttons fold what has no room into ">>" rather than widen the window.
        tree_row = QHBoxLayout()
        tree_bar = OverflowBar(self)
        tree_bar.setObjectName("organizationTreeButtons")
        for button in tree_buttons.values():
            tree_bar.addWidget(button)
        tree_row.addWidget(tree_bar)
        tree_row.addStretch(1)
        left_layout.addLayout(tree_row)
        left_layout.addWidget(self.tree, 1)
        policy_row = QHBoxLayout()
        policy_row.addWidget(self.scope)
        policy_row.addStretch(1)
        policy_bar = OverflowBar(self)
        policy_bar.setObjectName("organizationPolicyButtons")
        for button in policy_buttons.values():
            policy_bar.addWidget(button)
        policy_row.addWidget(policy_bar)
        edit_row = QHBoxLayout()
        edit_row.addStretch(1)
        edit_row.addWidget(self.edit_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.node_title)
        right_layout.addLayout(policy_row)
        right_layout.addWidget(self.policies, 1)
        right_layout.addWidget(self.document, 3)
        right_layout.addLayout(edit_row)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("organizationSplitter")
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([560, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addWidget(self.heading)
        layout.addWidget(splitter, 1)
        # Ins creates, Del removes, in whichever of the two lists has the focus. (The context
        # is set after construction: PySide's constructor argument left it WindowShortcut,
        # so the two lists' keys were ambiguous and neither fired.)
        for widget, key, slot in (
            (self.tree, "Ins", self.new_ou),
            (self.tree, QKeySequence.StandardKey.Delete, self.delete_ou),
            (self.policies, "Ins", self.attach),
            (self.policies, QKeySequence.StandardKey.Delete, self.detach),
        ):
            local_shortcut(widget, key, slot)
        context.modelChanged.connect(self.mark_dirty)
        context.accountChanged.connect(self.mark_dirty)
        context.databaseChanged.connect(self.mark_dirty)

    def reload(self) -> None:
        self._dirty = False
        current = self.tree.currentItem()
        keep = current.text(1) if current is not None else None
        self.management = None
        self.tree.clear()
        self.policies.clear()
        self.document.set_text("")
        if self.context.database is None:
            return
        from iamdesk.services.queries.organization import organization_tree

        found = organization_tree(self.context.database, self.context.account_id)
        if found is None or found["Root"] is None:
            self.heading.setText(
                f"<h2 style='margin:0'>Organization</h2>Account {self.context.account_id} "
                "belongs to no organization: no SCP or RCP limits it."
            )
            return
        org = found["Organization"]
        self.management = org["ManagementAccountId"]
        self.all_policies = found["Policies"]
        self.heading.setText(
            f"<h2 style='margin:0'>Organization {org['Id']}</h2>"
            + theme.muted(
                f"Management account {org['ManagementAccountId']} · features: {org['FeatureSet']}"
            )
        )
        root = self._add_node(None, found["Root"])
        self.tree.expandAll()
        shown = self._find_account(root, keep) if keep else None
        shown = shown or self._find_account(root, self.context.account_id) or root
        self.tree.setCurrentItem(shown)

    def _add_node(self, parent: QTreeWidgetItem | None, node: dict[str, Any]) -> QTreeWidgetItem:
        item = self._item(
            parent,
            [node["Name"], node["Id"]],
            node["Policies"],
            icon("organization" if node["Kind"] == "ROOT" else "groups"),
            node,
        )
        for child in node["Children"]:
            self._add_node(item, child)
        for account in node["Accounts"]:
            name = account["Name"] + ("  (management)" if account["Management"] else "")
            self._item(item, [name, account["Id"]], account["Policies"], icon("account"), account)
        return item

    def _item(
        self,
        parent: QTreeWidgetItem | None,
        values: list[str],
        policies: list[dict[str, Any]],
        picture: Any,
        data: dict[str, Any],
    ) -> QTreeWidgetItem:
        scps = sum(1 for p in policies if p["Type"] == "SERVICE_CONTROL_POLICY")
        rcps = sum(1 for p in policies if p["Type"] == "RESOURCE_CONTROL_POLICY")
        item = QTreeWidgetItem([*values, str(scps), str(rcps)])
        item.setIcon(0, picture)
        item.setData(0, ITEM_ROLE, data)
        if parent is None:
            self.tree.addTopLevelItem(item)
        else:
            parent.addChild(item)
        return item

    def _find_account(self, item: QTreeWidgetItem, account_id: str) -> QTreeWidgetItem | None:
        if item.text(1) == account_id:
            return item
        for i in range(item.childCount()):
            child = item.child(i)
            found = self._find_account(child, account_id) if child is not None else None
            if found is not None:
                return found
        return None

    def _show_node(self, item: QTreeWidgetItem | None, _previous: object = None) -> None:
        self.policies.clear()
        self.document.set_text("")
        self.update_buttons()
        if item is None:
            return
        if self.scope.currentData() == "all":
            self._show_all_policies()
            return
        self.node_title.setText(
            f"<b>{item.text(0)}</b> <code>{item.text(1)}</code> — the policies that govern it: "
            "each level from the root down must allow a request"
        )
        # The node's own policies first, then each ancestor's up to the root: SCPs and RCPs
        # apply at every level of the path.
        level: QTreeWidgetItem | None = item
        while level is not None:
            where = "this node" if level is item else f"{level.text(0)} ({level.text(1)})"
            for policy in level.data(0, ITEM_ROLE)["Policies"]:
                row = self._policy_row(policy, where)
                if level is not item:
                    # Inherited from a level above: dimmed (darkening the default brush gave
                    # black, unreadable on a dark palette).
                    row.setForeground(0, QBrush(theme.color("muted_fg")))
            level = level.parent()
        self._select_first_policy()

    def _policy_row(self, policy: dict[str, Any], where: str) -> QTreeWidgetItem:
        return add_item(
            self.policies,
            [
                policy["Name"],
                TYPE_WORDS.get(policy["Type"], policy["Type"]),
                where,
                "AWS" if policy["AwsManaged"] else "Customer",
                policy["Description"],
            ],
            policy,
        )

    def _show_all_policies(self) -> None:
        self.node_title.setText(
            "<b>Every SCP and RCP</b> of the organization — a policy attached nowhere can be "
            "deleted"
        )
        for policy in self.all_policies:
            count = len(policy["Targets"])
            self._policy_row(policy, f"{count} target{'s' if count != 1 else ''}")
        self._select_first_policy()

    def _select_first_policy(self) -> None:
        first = self.policies.topLevelItem(0)
        if first is not None:
            self.policies.setCurrentItem(first)
        self.update_buttons()

    def update_buttons(self) -> None:
        """Each button is enabled where its action applies (as the context menus offer)."""
        available = {name for _t, name, _s in self.tree_actions() + self.policy_actions()}
        for name, button in self.action_buttons.items():
            button.setEnabled(self.management is not None and name in available)

    def _show_policy(self, item: QTreeWidgetItem | None, _previous: object) -> None:
        self.update_buttons()
        if item is None:
            self.document.set_text("")
            self.edit_button.setEnabled(False)
            return
        policy = item.data(0, ITEM_ROLE)
        self.document.set_text(document_text(policy["Content"]))
        # AWS managed policies (FullAWSAccess, RCPFullAWSAccess) cannot be changed in AWS.
        self.edit_button.setEnabled(not policy["AwsManaged"] and "Id" in policy)
        self.edit_button.setToolTip(
            "AWS managed policies cannot be changed"
            if policy["AwsManaged"]
            else "Edit this policy; the save is one UpdatePolicy you can undo"
        )

    def edit_policy(self) -> Any:
        """Open the selected customer SCP/RCP in the editor; the save goes on the undo stack."""
        item = self.policies.currentItem()
        if item is None or self.context.database is None:
            return None
        from iamdesk.core.policy.document import PolicyKind
        from iamdesk.services.organizations import describe_organization
        from iamdesk.ui.editor.save_dialog import PolicySaveDialog
        from iamdesk.ui.editor.targets import PolicyTarget

        policy = item.data(0, ITEM_ROLE)
        db = self.context.database
        org = describe_organization(db, account_id=self.context.account_id)["Organization"]
        kind = PolicyKind.SCP if policy["Type"] == "SERVICE_CONTROL_POLICY" else PolicyKind.RCP
        target = PolicyTarget(
            "org", org["MasterAccountId"], policy["Name"], kind, owner_name=policy["Id"]
        )
        dialog = PolicySaveDialog(self.context, target, parent=self)
        dialog.open()
        self.edit_dialog = dialog
        return dialog
