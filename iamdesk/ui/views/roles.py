"""Roles: who can assume each (trusted entities), last use, policies; detail tabs Permissions,
Trust relationships (the trust policy and who it trusts, in words), Tags, History."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout

from iamdesk.ui.models.table import Column, Row
from iamdesk.ui.views import dates
from iamdesk.ui.views.access_advisor import AccessAdvisorTab
from iamdesk.ui.views.deleting import confirm_delete, counted, current_row
from iamdesk.ui.views.document_view import DocumentView, document_text
from iamdesk.ui.views.entity_view import DetailTab, EntityView
from iamdesk.ui.views.permissions import PermissionsTab
from iamdesk.ui.views.tabs import ButtonBar, HistoryTab, TagsTab

log = logging.getLogger(__name__)

# What a role holds that IAM wants gone before DeleteRole (instance profiles are asked for apart).
_ROLE_HOLDS = (
    ("AttachedPolicies", "attached managed policy", ""),
    ("InlinePolicies", "inline policy", ""),
)


class RolePermissionsTab(PermissionsTab):
    owner_kind = "role"


class TrustTab(DetailTab):
    title = "Trust relationships"
    name = "Trust"

    def __init__(self, view: EntityView) -> None:
        super().__init__(view)
        self.bar = ButtonBar(self, "rolesTrust")
        self.bar.add("Edit", "Edit trust policy…", self.edit, "policies")
        self.words = QLabel()
        self.words.setObjectName("rolesTrustSummary")
        self.words.setWordWrap(True)
        self.words.setTextFormat(Qt.TextFormat.RichText)
        self.words.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.words.setMinimumWidth(240)
        self.document = DocumentView(self, read_only=True, kind="trust")
        self.document.setObjectName("rolesTrustDocument")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.words)
        splitter.addWidget(self.document)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(self.bar)
        layout.addWidget(splitter, 1)
        self.text = ""

    def load(self, key: str, row: Row) -> None:
        from iamdesk.services.roles import get_role

        self.row = row
        role = get_role(self.context.database, self.context.account_id, row["RoleName"])["Role"]
        self.text = document_text(role["AssumeRolePolicyDocument"])
        self.document.set_text(self.text)
        trusted = row.get("TrustedEntities") or []
        items = "".join(f"<li>{t}</li>" for t in trusted) or "<li>nobody (no Allow statement)</li>"
        self.words.setText(
            f"<p><b>Who can assume {row['RoleName']}</b></p><ul>{items}</ul>"
            "<p style='color:gray'>From the Allow statements of the trust policy; conditions "
            "in the policy may narrow this further.</p>"
        )

    def edit(self) -> None:
        from iamdesk.ui.commands.identity import update_trust_policy
        from iamdesk.ui.dialogs.policy_dialogs import InlinePolicyDialog

        if self.row is None:
            return
        role = self.row["RoleName"]

        def submit(_name: str, document: str) -> None:
            update_trust_policy(self.context, role, document)

        dialog = InlinePolicyDialog(
            self, role, submit, name="trust-policy", text=self.text, kind="trust"
        )
        dialog.setWindowTitle(f"Trust policy of {role}")
        dialog.accepted.connect(self.view.refresh_detail)
        dialog.accepted.connect(self.view.reload)
        dialog.open()


class RoleTagsTab(TagsTab):
    entity_type = "role"


class RoleHistoryTab(HistoryTab):
    entity_type = "role"


class RolesView(EntityView):
    kind = "roles"
    title = "Roles"
    watches = frozenset({"policies", "tags"})

    def columns(self) -> Sequence[Column]:
        return (
            Column("Role name", lambda r: r["RoleName"], width=240),
            Column(
                "Trusted entities",
                lambda r: ", ".join(r["TrustedEntities"]),
                tooltip=lambda r: "\n".join(r["TrustedEntities"]),
                width=250,
            ),
            Column("Path", lambda r: r["Path"], width=120),
            Column(
                "Policies",
                lambda r: r["AttachedPolicies"] + r["InlinePolicies"],
                align_right=True,
                width=64,
                tooltip=lambda r: f"{r['AttachedPolicies']} managed, {r['InlinePolicies']} inline",
            ),
            Column(
                "Last activity",
                lambda r: dates.ago(r["LastUsedDate"]),
                sort=lambda r: r["LastUsedDate"] or "",
                width=110,
            ),
            Column(
                "Max session",
                lambda r: f"{r['MaxSessionDuration'] // 3600} h",
                sort=lambda r: r["MaxSessionDuration"],
                align_right=True,
                width=80,
            ),
            Column(
                "Created",
                lambda r: dates.short(r["CreateDate"]),
                sort=lambda r: r["CreateDate"],
                width=130,
            ),
            Column("Description", lambda r: r["Description"]),
        )

    def toolbar_buttons(self) -> Sequence[tuple[str, str, str]]:
        return (
            ("Create", "Create role", "add"),
            ("Edit", "Edit…", "edit"),
            ("Delete", "Delete", "delete"),
        )

    def tab_classes(self) -> Sequence[type[DetailTab]]:
        return (RolePermissionsTab, TrustTab, RoleTagsTab, AccessAdvisorTab, RoleHistoryTab)

    def load_rows(self) -> list[Row]:
        from iamdesk.services.queries.entities import role_rows

        return role_rows(self.context.database, self.context.account_id)

    def row_name(self, row: Row) -> str:
        return str(row["RoleName"])

    def context_actions(self, row: Row) -> list[tuple[str, str, Callable[[], None]]]:
        arn = str(row["Arn"])

        def attach() -> None:
            tab = self.open_tab("Permissions")
            if tab is not None:
                tab.attach()  # type: ignore[attr-defined]

        return [
            (
                "Test access as this role",
                "TestAccess",
                lambda: self.navigateRequested.emit("test-access", arn),
            ),
            ("Attach policies…", "Attach", attach),
            *super().context_actions(row),
        ]

    def search_text(self, row: Row) -> str:
        trusted = " ".join(row["TrustedEntities"])
        return f"{row['RoleName']} {row['Path']} {row['Arn']} {row['RoleId']} {trusted}"

    def on_create(self) -> None:
        from iamdesk.ui.dialogs.role_dialog import CreateRoleDialog

        self.open_naming(CreateRoleDialog(self.context, self))

    def on_edit(self) -> None:
        from iamdesk.ui.dialogs.role_dialog import RoleSettingsDialog

        row = self.selected_row()
        if row is None:
            return
        dialog = RoleSettingsDialog(
            self.context, row["RoleName"], row["Description"], row["MaxSessionDuration"], self
        )
        dialog.accepted.connect(self.reload)
        dialog.open()

    def on_delete(self) -> None:
        from iamdesk.ui.commands.identity import delete_role

        row = self.selected_row()
        if row is None:
            return
        name = row["RoleName"]

        def dependents() -> list[str]:
            r = current_row(self, name)
            if r is None:
                return []
            hanging = counted(r, _ROLE_HOLDS)
            from iamdesk.services.instance_profiles import list_instance_profiles_for_role

            profiles = list_instance_profiles_for_role(
                self.context.database, self.context.account_id, name
            )["InstanceProfiles"]
            for profile in profiles:
                hanging.append(f"membership in instance profile {profile['InstanceProfileName']}")
            return hanging

        confirm_delete(self, "role", name, lambda: delete_role(self.context, name), dependents)
