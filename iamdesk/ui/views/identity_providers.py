"""The account's identity providers (OIDC and SAML), opened from the Roles view: each with its
audiences (or IdP entity) and the roles whose trust policy names it; add one through a dialog,
delete the selected one (both undoable with Edit ▸ Undo)."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from iamdesk.ui.context import AppContext
from iamdesk.ui.icons import icon
from iamdesk.ui.models.table import Column, EntityTableModel, Row
from iamdesk.ui.views import dates
from iamdesk.ui.views.deleting import confirm_delete

log = logging.getLogger(__name__)


def _columns() -> list[Column]:
    return [
        Column("Type", lambda r: r["Type"], width=56),
        Column("Provider", lambda r: r["Name"], tooltip=lambda r: r["Arn"], width=260),
        Column(
            "Audiences / IdP entity",
            lambda r: r["Audiences"],
            tooltip=lambda r: r["Audiences"],
            width=200,
        ),
        Column(
            "Trusted by",
            lambda r: ", ".join(r["Roles"]) or "no role",
            tooltip=lambda r: "\n".join(r["Roles"]) or None,
            warn=lambda r: not r["Roles"],
            width=200,
        ),
        Column("Created", lambda r: dates.short(r["CreateDate"]), sort=lambda r: r["CreateDate"]),
    ]


class IdentityProvidersDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("identityProvidersDialog")
        self.setWindowTitle("Identity providers")
        intro = QLabel(
            "Roles trust these providers through a <b>Federated</b> principal: GitHub Actions, "
            "EKS or Okta users get role sessions with <i>assume-role-with-web-identity</i> or "
            "<i>assume-role-with-saml</i>."
        )
        intro.setObjectName("identityProvidersIntro")
        intro.setWordWrap(True)
        self.model = EntityTableModel(
            _columns(), lambda r: str(r["Arn"]), lambda r: f"{r['Arn']} {r['Audiences']}", self
        )
        self.table = QTableView()
        self.table.setObjectName("identityProvidersTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for index, column in enumerate(self.model.columns):
            header.resizeSection(index, column.width or 120)
        self.empty = QLabel("No identity providers in this account yet.")
        self.empty.setObjectName("identityProvidersEmpty")
        self.add_oidc = QPushButton(icon("add"), "Add OIDC provider…")
        self.add_oidc.setObjectName("identityProvidersAddOidcButton")
        self.add_oidc.clicked.connect(self.on_add_oidc)
        self.add_saml = QPushButton(icon("add"), "Add SAML provider…")
        self.add_saml.setObjectName("identityProvidersAddSamlButton")
        self.add_saml.clicked.connect(self.on_add_saml)
        self.delete = QPushButton(icon("delete"), "Delete")
        self.delete.setObjectName("identityProvidersDeleteButton")
        self.delete.clicked.connect(self.on_delete)
        buttons = QHBoxLayout()
        for button in (self.add_oidc, self.add_saml, self.delete):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("identityProvidersClose")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(close)
        self.resize(900, 360)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        context.modelChanged.connect(self._on_model_changed)
        self.reload()

    def _on_model_changed(self, kinds: set[str]) -> None:
        if "roles" in kinds or "account" in kinds:
            self.reload()

    def reload(self) -> None:
        from iamdesk.services.federation.references import identity_provider_rows

        rows = identity_provider_rows(self.context.database, self.context.account_id)
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self._update_buttons()

    def rows(self) -> list[Row]:
        """What the table shows, in its order (tests read the picture)."""
        return [self.model.row_at(i) for i in range(self.model.rowCount())]

    def selected_row(self) -> Row | None:
        indexes = self.table.selectionModel().selectedRows()
        return self.model.row_at(indexes[0].row()) if indexes else None

    def select_arn(self, arn: str) -> bool:
        index = self.model.row_of_key(arn)
        if index is None:
            return False
        self.table.selectRow(index)
        return True

    def _update_buttons(self) -> None:
        self.delete.setEnabled(self.selected_row() is not None)

    def on_add_oidc(self) -> None:
        from iamdesk.ui.dialogs.provider_dialogs import CreateOidcProviderDialog

        dialog = CreateOidcProviderDialog(self.context, self)
        dialog.open()

    def on_add_saml(self) -> None:
        from iamdesk.ui.dialogs.provider_dialogs import CreateSamlProviderDialog

        dialog = CreateSamlProviderDialog(self.context, self)
        dialog.open()

    def on_delete(self) -> None:
        from iamdesk.ui.commands.federation import delete_identity_provider

        row = self.selected_row()
        if row is None:
            return
        arn = str(row["Arn"])
        note = "You can undo this with Edit ▸ Undo."
        if row["Roles"]:
            note = (
                f"{', '.join(row['Roles'])} still trust it: without it no token or assertion "
                "can assume them. " + note
            )
        confirm_delete(
            self,
            f"{row['Type']} provider",
            str(row["Name"]),
            lambda: delete_identity_provider(self.context, arn),
            lambda: [],
            note=note,
        )
