"""A user's Security credentials tab: console sign-in, MFA devices, access keys, and the other
credentials (SSH public keys, service-specific credentials, signing certificates; shown, managed
with ``iamdesk iam``)."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

from iamdesk.ui import messages
from iamdesk.ui.models.table import Row
from iamdesk.ui.views import dates
from iamdesk.ui.views.entity_view import DetailTab, EntityView
from iamdesk.ui.views.tabs import ButtonBar, add_item, make_list, report, selected_data

log = logging.getLogger(__name__)


class CredentialsTab(DetailTab):
    title = "Security credentials"
    name = "Credentials"

    def __init__(self, view: EntityView) -> None:
        super().__init__(view)
        self._profile: dict[str, Any] | None = None

        console = QGroupBox("Console sign-in")
        self.console_label = QLabel()
        self.console_label.setObjectName("usersConsoleStatus")
        self.console_bar = ButtonBar(self, "usersConsole")
        self.console_bar.add("SetPassword", "Set password…", self.set_password, "password")
        self.console_bar.add("RequireReset", "Require reset", self.toggle_reset, "password")
        self.console_bar.add("Remove", "Disable console access", self.remove_console)
        console_layout = QVBoxLayout(console)
        console_layout.addWidget(self.console_label)
        console_layout.addLayout(self.console_bar)

        mfa = QGroupBox("Multi-factor authentication (MFA)")
        self.mfa_list = make_list(["Device (serial number)", "Enabled"], "usersMfaList")
        self.mfa_list.header().resizeSection(0, 420)
        self.mfa_bar = ButtonBar(self, "usersMfa")
        self.mfa_bar.add("Assign", "Assign MFA device…", self.assign_mfa, "mfa")
        self.mfa_bar.add("Remove", "Remove", self.remove_mfa)
        mfa_layout = QVBoxLayout(mfa)
        mfa_layout.addLayout(self.mfa_bar)
        mfa_layout.addWidget(self.mfa_list)

        keys = QGroupBox("Access keys")
        self.key_list = make_list(
            ["Access key ID", "Status", "Created", "Age"], "usersAccessKeyList"
        )
        self.key_list.header().resizeSection(0, 200)
        self.key_bar = ButtonBar(self, "usersAccessKey")
        self.key_bar.add("Create", "Create access key", self.create_key, "key")
        self.key_bar.add("Toggle", "Deactivate", self.toggle_key, "key")
        self.key_bar.add("Delete", "Delete", self.delete_key)
        self.key_list.currentItemChanged.connect(lambda *_a: self._update_key_buttons())
        keys_layout = QVBoxLayout(keys)
        keys_layout.addLayout(self.key_bar)
        keys_layout.addWidget(self.key_list)

        other = QGroupBox("SSH keys, service-specific credentials and signing certificates")
        self.other_list = make_list(
            ["Credential", "ID", "Status", "Date"], "usersOtherCredentialsList"
        )
        self.other_list.header().resizeSection(0, 250)
        self.other_list.header().resizeSection(1, 200)
        self.other_list.header().resizeSection(2, 70)
        other_layout = QVBoxLayout(other)
        other_layout.addWidget(self.other_list)

        layout = QVBoxLayout(self)
        layout.addWidget(console)
        layout.addWidget(mfa, 1)
        layout.addWidget(keys, 1)
        layout.addWidget(other, 1)

    @property
    def user(self) -> str:
        assert self.row is not None
        return str(self.row["UserName"])

    def load(self, key: str, row: Row) -> None:
        from iamdesk.services import access_keys, login_profiles, mfa
        from iamdesk.services.errors import IamError

        self.row = row
        db, account = self.context.database, self.context.account_id
        try:
            self._profile = login_profiles.get_login_profile(db, account, self.user)["LoginProfile"]
        except IamError as exc:
            if exc.code != "NoSuchEntity":
                raise
            self._profile = None
        if self._profile is None:
            self.console_label.setText("No console password: the user cannot sign in.")
        else:
            reset = (
                " Must reset the password at next sign-in."
                if self._profile.get("PasswordResetRequired")
                else ""
            )
            used = dates.ago(row.get("PasswordLastUsed"))
            self.console_label.setText(
                f"Enabled since {dates.short(self._profile['CreateDate'])}; "
                f"last sign-in: {used}.{reset}"
            )
        has = self._profile is not None
        self.console_bar.buttons["SetPassword"].setText(
            "Reset password…" if has else "Enable console access…"
        )
        self.console_bar.buttons["RequireReset"].setEnabled(has)
        self.console_bar.buttons["RequireReset"].setText(
            "Do not require reset"
            if has and self._profile and self._profile.get("PasswordResetRequired")
            else "Require reset"
        )
        self.console_bar.buttons["Remove"].setEnabled(has)

        self.mfa_list.clear()
        for device in mfa.list_mfa_devices(db, account, self.user)["MFADevices"]:
            add_item(
                self.mfa_list, [device["SerialNumber"], dates.short(device["EnableDate"])], device
            )
        self.key_list.clear()
        for meta in access_keys.list_access_keys(db, account, self.user)["AccessKeyMetadata"]:
            age = dates.age_days(meta["CreateDate"])
            add_item(
                self.key_list,
                [
                    meta["AccessKeyId"],
                    meta["Status"],
                    dates.short(meta["CreateDate"]),
                    f"{age} days" if age is not None else "",
                ],
                meta,
            )
        self._load_other(db, account)
        self._update_key_buttons()

    def _load_other(self, db: Any, account: str | None) -> None:
        from iamdesk.services import service_credentials, user_credentials

        self.other_list.clear()
        for key in user_credentials.list_ssh_public_keys(db, account, self.user)["SSHPublicKeys"]:
            add_item(
                self.other_list,
                [
                    "SSH public key",
                    key["SSHPublicKeyId"],
                    key["Status"],
                    dates.short(key["UploadDate"]),
                ],
                key,
            )
        listed = service_credentials.list_service_specific_credentials(
            db, account, user_name=self.user
        )
        for cred in listed["ServiceSpecificCredentials"]:
            who = cred.get("ServiceUserName") or cred.get("ServiceCredentialAlias") or ""
            add_item(
                self.other_list,
                [
                    f"{cred['ServiceName']} ({who})",
                    cred["ServiceSpecificCredentialId"],
                    cred["Status"],
                    dates.short(cred["CreateDate"]),
                ],
                cred,
            )
        certificates = user_credentials.list_signing_certificates(db, account, user_name=self.user)
        for cert in certificates["Certificates"]:
            add_item(
                self.other_list,
                [
                    "Signing certificate",
                    cert["CertificateId"],
                    cert["Status"],
                    dates.short(cert["UploadDate"]),
                ],
                cert,
            )

    def _update_key_buttons(self) -> None:
        meta = selected_data(self.key_list)
        self.key_bar.buttons["Toggle"].setEnabled(meta is not None)
        self.key_bar.buttons["Delete"].setEnabled(meta is not None)
        self.key_bar.buttons["Toggle"].setText(
            "Activate" if meta and meta["Status"] == "Inactive" else "Deactivate"
        )

    def _after(self) -> None:
        self.view.refresh_detail()

    # Console -------------------------------------------------------------------------------
    def set_password(self) -> None:
        from iamdesk.ui.dialogs.credential_dialogs import PasswordDialog

        if self.row is None:
            return
        dialog = PasswordDialog(
            self.context, self.user, exists=self._profile is not None, parent=self
        )
        dialog.accepted.connect(self._after)
        dialog.open()

    def toggle_reset(self) -> None:
        from iamdesk.services.errors import IamError
        from iamdesk.ui.commands.credentials import set_password_reset_required

        if self._profile is None:
            return
        try:
            set_password_reset_required(
                self.context, self.user, not self._profile.get("PasswordResetRequired", False)
            )
        except IamError as exc:
            report(self, "Require password reset", exc)
        self._after()

    def remove_console(self) -> None:
        from iamdesk.ui.commands.credentials import remove_login_profile

        user = self.user
        self._confirm_irreversible(
            f"Disable console access for {user}?",
            "The password is deleted; this cannot be undone.",
            lambda: remove_login_profile(self.context, user),
        )

    # MFA -----------------------------------------------------------------------------------
    def assign_mfa(self) -> None:
        from iamdesk.ui.dialogs.credential_dialogs import MfaDialog

        if self.row is None:
            return
        dialog = MfaDialog(self.context, self.user, self)
        dialog.accepted.connect(self._after)
        dialog.open()

    def remove_mfa(self) -> None:
        from iamdesk.ui.commands.credentials import remove_mfa

        device = selected_data(self.mfa_list)
        if device is None:
            return
        user, serial = self.user, device["SerialNumber"]
        self._confirm_irreversible(
            f"Remove MFA device {serial} from {user}?",
            "The device is deactivated and deleted; its secret is gone, so this cannot be "
            "undone. The user would set up a new device.",
            lambda: remove_mfa(self.context, user, serial),
        )

    # Access keys ---------------------------------------------------------------------------
    def create_key(self) -> None:
        from iamdesk.services.errors import IamError
        from iamdesk.ui.commands.credentials import create_access_key
        from iamdesk.ui.dialogs.access_key_dialog import AccessKeyDialog

        if self.row is None:
            return

        def show(key: dict[str, Any]) -> None:
            AccessKeyDialog(key, self.window()).open()

        try:
            create_access_key(self.context, self.user, show)
        except IamError as exc:
            report(self, "Create access key", exc)
        self._after()

    def toggle_key(self) -> None:
        from iamdesk.services.errors import IamError
        from iamdesk.ui.commands.credentials import set_access_key_status

        meta = selected_data(self.key_list)
        if meta is None:
            return
        status = "Active" if meta["Status"] == "Inactive" else "Inactive"
        try:
            set_access_key_status(self.context, self.user, meta["AccessKeyId"], status)
        except IamError as exc:
            report(self, "Change access key", exc)
        self._after()

    def delete_key(self) -> None:
        from iamdesk.ui.commands.credentials import delete_access_key

        meta = selected_data(self.key_list)
        if meta is None:
            return
        user, key_id = self.user, meta["AccessKeyId"]
        self._confirm_irreversible(
            f"Delete access key {key_id}?",
            "Applications using this key stop working. This cannot be undone; consider "
            "deactivating it first.",
            lambda: delete_access_key(self.context, user, key_id),
        )

    def _confirm_irreversible(self, text: str, why: str, action: Any) -> None:
        from iamdesk.services.errors import IamError

        def go() -> None:
            try:
                action()
            except IamError as exc:
                report(self, "iamdesk", exc)
            self._after()

        messages.confirm(self, "Cannot be undone", text, go, informative=why, yes_text="Continue")
