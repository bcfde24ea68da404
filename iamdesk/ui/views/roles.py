"""Roles: who can assume each (trusted entities), last use, policies; detail tabs Permissions,
Trust relationships (the trust policy and who it trusts, in words), Tags, History."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from iamdesk.ui import theme
from iamdesk.ui.context import AppContext
from iamdesk.ui.icons import icon
from iamdesk.ui.models.table import Column, Row
from iamdesk.ui.views import dates
from iamdesk.ui.views.access_advisor import AccessAdvisorTab
from iamdesk.ui.views.deleting import confirm_delete, counted, current_row
from iamdesk.ui.views.document_view import DocumentView, document_text
from iamdesk.ui.views.entity_view import DetailTab, EntityView
from iamdesk.ui.views.permissions import PermissionsTab
from iamdesk.ui.views.principal_view import PrincipalView
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
        self.providers = QLabel()
        self.providers.setObjectName("rolesTrustProviders")
        self.providers.setWordWrap(True)
        self.providers.setTextFormat(Qt.TextFormat.RichText)
        self.providers.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.providers.setVisible(False)
        self.document = DocumentView(self, read_only=True, kind="trust")
        self.document.setObjectName("rolesTrustDocument")
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.words)
        side_layout.addWidget(self.providers)
        side_layout.addStretch(1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(side)
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
            + theme.muted(
                "From the Allow statements of the trust policy; conditions "
                "in the policy may narrow this further.",
                "p",
            )
        )
        self.show_providers()

    def show_providers(self) -> None:
        """The Federated principals and whether the model has each provider."""
        from iamdesk.services.federation.references import trust_providers

        found = trust_providers(self.context.database, self.context.account_id, self.text)
        self.providers.setVisible(bool(found))
        if not found:
            self.providers.setText("")
            return
        ok, bad = theme.color_name("allow_fg"), theme.color_name("warn_fg")
        muted = theme.color_name("muted_fg")
        items = "".join(
            f"<li><span style='color:{ok if p['Exists'] else bad}'>"
            f"{'✓' if p['Exists'] else '⚠'}</span> <b>{html.escape(p['Type'])}</b> "
            f"{html.escape(p['Principal'].split('/', 1)[-1])}<br>"
            f"<span style='color:{muted}'>{html.escape(p['Detail'])}</span></li>"
            for p in found
        )
        self.providers.setText(f"<p><b>Identity providers</b></p><ul>{items}</ul>")

    def provider_lines(self) -> list[str]:
        """The provider lines as shown, in plain text (tests read the picture)."""
        from PySide6.QtGui import QTextDocument

        document = QTextDocument()
        document.setHtml(self.providers.text())
        return [line for line in document.toPlainText().splitlines() if line.strip()]

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


class RolesView(PrincipalView):
    principal_word = "role"
    kind = "roles"
    title = "Roles"
    watches = frozenset({"policies", "tags"})
    providers_dialog: QDialog | None = None

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        # Not a row action (the toolbar's others follow the selection): always enabled.
        self.providers_button = QPushButton(icon("account"), "Identity providers…")
        self.providers_button.setObjectName("rolesProvidersButton")
        self.providers_button.setToolTip("OIDC and SAML providers the roles' trust policies name")
        self.providers_button.clicked.connect(self.on_providers)
        self.top.addWidget(self.providers_button)

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

    def search_text(self, row: Row) -> str:
        trusted = " ".join(row["TrustedEntities"])
        return f"{row['RoleName']} {row['Path']} {row['Arn']} {row['RoleId']} {trusted}"

    def on_create(self) -> None:
        from iamdesk.ui.dialogs.role_dialog import CreateRoleDialog

        self.open_naming(CreateRoleDialog(self.context, self))

    def on_providers(self) -> None:
        from iamdesk.ui.views.identity_providers import IdentityProvidersDialog

        if self.providers_dialog is None:
            self.providers_dialog = IdentityProvidersDialog(self.context, self)
        self.providers_dialog.reload()
        self.providers_dialog.show()
        self.providers_dialog.raise_()

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
