"""The Permissions tab of users, groups and roles: attached managed policies, inline policies,
the policies a user gets through its groups, and the permissions boundary; with the selected
policy's document beside the list."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QTreeWidgetItem, QVBoxLayout, QWidget

from iamdesk.ui.fitting import FittingLabel
from iamdesk.ui.models.table import Row
from iamdesk.ui.views.document_view import DocumentView, document_text
from iamdesk.ui.views.entity_view import DetailTab, EntityView
from iamdesk.ui.views.tabs import ButtonBar, add_item, make_list, report, selected_data

log = logging.getLogger(__name__)

SMALL_DOCUMENT = 3000  # characters of policy text shown without a click


class PermissionsTab(DetailTab):
    title = "Permissions"
    name = "Permissions"
    owner_kind = "user"  # user | group | role

    def __init__(self, view: EntityView) -> None:
        super().__init__(view)
        stem = f"{view.kind}Permissions"
        self.bar = ButtonBar(self, stem)
        self.bar.add("Attach", "Attach policies…", self.attach, "attach")
        self.bar.add("Detach", "Detach", self.detach, "detach")
        self.bar.add("AddInline", "Add inline policy…", self.add_inline)
        self.bar.add("EditInline", "Edit inline…", self.edit_inline, "policies")
        self.bar.add("RemoveInline", "Remove inline", self.remove_inline)
        self.list = make_list(["Policy", "Type", "Attached via"], f"{stem}List")
        self.list.header().resizeSection(0, 260)
        self.list.header().resizeSection(1, 130)
        self.list.currentItemChanged.connect(self._show_document)
        # Shortened rather than folded: beside the policy list at 1000x650 the boundary's name
        # and both buttons share a third of the window (the label used to widen the list's pane
        # and the buttons to fold "Remove" into ">>").
        self.boundary = FittingLabel()
        self.boundary.setObjectName(f"{stem}Boundary")
        self.boundary.setTextFormat(Qt.TextFormat.RichText)
        boundary_row = QHBoxLayout()
        boundary_row.addWidget(self.boundary, 1)
        self.boundary_bar = ButtonBar(self, stem)
        if self.owner_kind != "group":
            # The label before them says what they act on.
            add = self.boundary_bar.add("SetBoundary", "Set…", self.set_boundary, "roles")
            add.setToolTip(
                f"Set the permissions boundary: the most this {self.owner_kind}'s"
                " identity policies can allow"
            )
            remove = self.boundary_bar.add("RemoveBoundary", "Remove", self.remove_boundary)
            remove.setToolTip("Remove the permissions boundary")
        self.boundary_bar.setStretch(0, 0)  # the room is the label's, not a gap before the buttons
        boundary_row.addLayout(self.boundary_bar)
        self.document = DocumentView(self, read_only=True)
        self.document.setObjectName(f"{stem}Document")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_layout.addLayout(boundary_row)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.document)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(self.bar)
        layout.addWidget(splitter, 1)
        self._boundary_arn: str | None = None
        self._attached: set[str] = set()

    @property
    def owner(self) -> str:
        assert self.row is not None
        return self.view.row_name(self.row)

    def load(self, key: str, row: Row) -> None:
        from iamdesk.services import attachments, inline_policies

        self.row = row
        db, account = self.context.database, self.context.account_id
        self.list.clear()
        self.document.set_text("")
        attached = attachments.list_attached_policies(db, account, self.owner_kind, self.owner)
        self._attached = set()
        for policy in attached["AttachedPolicies"]:
            arn = policy["PolicyArn"]
            self._attached.add(arn)
            kind = "AWS managed" if ":aws:policy/" in arn else "Customer managed"
            add_item(
                self.list,
                [policy["PolicyName"], kind, "Directly"],
                {"kind": "managed", "arn": arn, "own": True},
            )
        for name in inline_policies.list_inline_policies(db, account, self.owner_kind, self.owner)[
            "PolicyNames"
        ]:
            add_item(self.list, [name, "Inline", "Directly"], {"kind": "inline", "name": name})
        if self.owner_kind == "user":
            self._load_group_policies()
        self._load_boundary()
        self._open_first_if_small()
        self._update_buttons()

    def _load_group_policies(self) -> None:
        from iamdesk.services import attachments, groups, inline_policies

        db, account = self.context.database, self.context.account_id
        for group in groups.list_groups_for_user(db, account, self.owner)["Groups"]:
            name = group["GroupName"]
            for policy in attachments.list_attached_policies(db, account, "group", name)[
                "AttachedPolicies"
            ]:
                arn = policy["PolicyArn"]
                kind = "AWS managed" if ":aws:policy/" in arn else "Customer managed"
                add_item(
                    self.list,
                    [policy["PolicyName"], kind, f"Group {name}"],
                    {"kind": "managed", "arn": arn, "own": False},
                )
            for policy in inline_policies.list_inline_policies(db, account, "group", name)[
                "PolicyNames"
            ]:
                add_item(
                    self.list,
                    [policy, "Inline", f"Group {name}"],
                    {"kind": "inline", "name": policy, "group": name},
                )

    def _load_boundary(self) -> None:
        self._boundary_arn = None
        if self.owner_kind == "group":
            self.boundary.setText("<i>Groups have no permissions boundary.</i>")
            return
        boundary = (self.row or {}).get("PermissionsBoundary")
        if boundary is None:
            boundary = self._fetch_boundary()
        if boundary:
            self._boundary_arn = boundary.get("PermissionsBoundaryArn")
            name = str(self._boundary_arn).rsplit("/", 1)[-1]
            self.boundary.set_variants(
                [f"Permissions boundary: <b>{name}</b>", f"Boundary: <b>{name}</b>"]
            )
        else:
            self.boundary.set_variants(
                ["Permissions boundary: <i>not set</i>", "Boundary: <i>not set</i>"]
            )

    def _fetch_boundary(self) -> dict[str, Any] | None:
        from iamdesk.services import roles, users

        db, account = self.context.database, self.context.account_id
        if self.owner_kind == "user":
            entity = users.get_user(db, account, self.owner)["User"]
        else:
            entity = roles.get_role(db, account, self.owner)["Role"]
        value: dict[str, Any] | None = entity.get("PermissionsBoundary")
        return value

    def _update_buttons(self) -> None:
        data = selected_data(self.list)
        own_managed = bool(data and data["kind"] == "managed" and data.get("own"))
        own_inline = bool(data and data["kind"] == "inline" and "group" not in data)
        self.bar.buttons["Detach"].setEnabled(own_managed)
        self.bar.buttons["EditInline"].setEnabled(own_inline)
        self.bar.buttons["RemoveInline"].setEnabled(own_inline)
        if "RemoveBoundary" in self.boundary_bar.buttons:
            self.boundary_bar.buttons["RemoveBoundary"].setEnabled(self._boundary_arn is not None)

    def _open_first_if_small(self) -> None:
        """Show the first policy at once when it is short; a large one (ReadOnlyAccess has
        thousands of lines) waits for a click, so moving between rows stays fast."""
        first = self.list.topLevelItem(0)
        if first is None:
            return
        text = self._document_of(first.data(0, Qt.ItemDataRole.UserRole))
        if len(text) <= SMALL_DOCUMENT:
            self.list.setCurrentItem(first)

    def _show_document(self, item: QTreeWidgetItem | None, _previous: object) -> None:
        self._update_buttons()
        if item is None:
            return
        data = item.data(0, Qt.ItemDataRole.UserRole)
        self.document.set_text(self._document_of(data))

    def _document_of(self, data: dict[str, Any]) -> str:
        from iamdesk.services import inline_policies, policies

        db, account = self.context.database, self.context.account_id
        if data["kind"] == "managed":
            # The model's default version: an imported snapshot may hold an older one of an AWS
            # managed policy than the catalog's, and simulations use the model's.
            return document_text(policies.default_document(db, account, data["arn"]))
        kind, owner = ("group", data["group"]) if "group" in data else (self.owner_kind, self.owner)
        found = inline_policies.get_inline_policy(db, account, kind, owner, data["name"])
        return document_text(found["PolicyDocument"])

    # Actions -------------------------------------------------------------------------------
    def _after(self) -> None:
        self.view.refresh_detail()

    def attach(self) -> None:
        from iamdesk.ui.dialogs.policy_dialogs import attach_policy_dialog

        if self.row is None:
            return
        dialog = attach_policy_dialog(
            self.context, self.owner_kind, self.owner, self._attached, self
        )
        dialog.accepted.connect(self._after)
        dialog.open()

    def detach(self) -> None:
        from iamdesk.services.errors import IamError
        from iamdesk.ui.commands.policies import detach_policy

        data = selected_data(self.list)
        if not data or data["kind"] != "managed":
            return
        try:
            detach_policy(self.context, self.owner_kind, self.owner, data["arn"])
        except IamError as exc:
            report(self, "Detach policy", exc)
        self._after()

    def add_inline(self) -> None:
        self._inline_dialog("", None)

    def edit_inline(self) -> None:
        data = selected_data(self.list)
        if data and data["kind"] == "inline":
            self._inline_dialog(data["name"], self._document_of(data))

    def _inline_dialog(self, name: str, text: str | None) -> None:
        from iamdesk.ui.commands.policies import put_inline_policy
        from iamdesk.ui.dialogs.policy_dialogs import EMPTY_POLICY, InlinePolicyDialog

        if self.row is None:
            return
        owner = self.owner

        def submit(policy: str, document: str) -> None:
            put_inline_policy(self.context, self.owner_kind, owner, policy, document)

        dialog = InlinePolicyDialog(self, owner, submit, name=name, text=text or EMPTY_POLICY)
        dialog.accepted.connect(self._after)
        dialog.open()

    def remove_inline(self) -> None:
        from iamdesk.services.errors import IamError
        from iamdesk.ui.commands.policies import delete_inline_policy

        data = selected_data(self.list)
        if not data or data["kind"] != "inline" or "group" in data:
            return
        try:
            delete_inline_policy(self.context, self.owner_kind, self.owner, data["name"])
        except IamError as exc:
            report(self, "Remove inline policy", exc)
        self._after()

    def set_boundary(self) -> None:
        from iamdesk.ui.dialogs.policy_dialogs import boundary_dialog

        if self.row is None:
            return
        dialog = boundary_dialog(
            self.context, self.owner_kind, self.owner, self._boundary_arn, self
        )
        dialog.accepted.connect(self._reload_row)
        dialog.open()

    def remove_boundary(self) -> None:
        from iamdesk.services.errors import IamError
        from iamdesk.ui.commands.policies import set_boundary

        if self._boundary_arn is None:
            return
        try:
            set_boundary(self.context, self.owner_kind, self.owner, None, self._boundary_arn)
        except IamError as exc:
            report(self, "Remove boundary", exc)
        self._reload_row()

    def _reload_row(self) -> None:
        if self.row is not None:
            self.row = {k: v for k, v in self.row.items() if k != "PermissionsBoundary"}
        self._after()
