"""Virtual MFA (QR code, seed, two consecutive codes) and the console password dialog."""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from iamdesk.ui.context import AppContext
from iamdesk.ui.dialogs.form import FormDialog

log = logging.getLogger(__name__)

_CODE = re.compile(r"\d{6}")


class MfaDialog(FormDialog):
    """Step 1: name the device and create it (shows the QR code and the seed). Step 2: type two
    consecutive codes from the authenticator app and enable it. Cancelling after step 1 deletes
    the unused device."""

    ok_text = "Assign MFA"

    def __init__(self, context: AppContext, user: str, parent: QWidget | None = None) -> None:
        super().__init__("mfa", f"Assign a virtual MFA device to {user}", parent)
        from iamdesk.services.validation import check_name

        self.context = context
        self.user = user
        self.serial: str | None = None
        self.seed_text = ""
        self.name = self.line("Name", "Device name", "e.g. alice-phone", user)
        self.create_button = QPushButton("Show QR code")
        self.create_button.setObjectName("mfaCreateButton")
        self.create_button.clicked.connect(self.create_device)
        self.form.addRow("", self.create_button)
        self.qr = QLabel("The QR code appears here once the device is created.")
        self.qr.setObjectName("mfaQrCode")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setMinimumSize(240, 240)
        self.form.addRow("QR code", self.qr)
        self.seed = QLineEdit()
        self.seed.setObjectName("mfaSeedField")
        self.seed.setReadOnly(True)
        self.seed.setEchoMode(QLineEdit.EchoMode.Password)
        show = QCheckBox("Show secret key")
        show.setObjectName("mfaShowSeed")
        show.toggled.connect(
            lambda on: self.seed.setEchoMode(
                QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
            )
        )
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(show)
        self.form.addRow("Secret key", seed_row)
        self.code1 = self.line("Code1", "MFA code 1", "6 digits")
        self.code2 = self.line("Code2", "MFA code 2", "the next 6 digits")
        self.add_check(lambda: check_name(self.name.text(), "virtualMFADeviceName"))
        self.add_check(self._check_created)
        self.add_check(lambda: self._check_code(self.code1.text(), 1))
        self.add_check(lambda: self._check_code(self.code2.text(), 2))
        self.rejected.connect(self._discard)
        self.validate()

    def _check_created(self) -> None:
        if self.serial is None:
            raise ValueError("Create the device, scan the QR code, then enter two codes.")

    def _check_code(self, text: str, number: int) -> None:
        if not _CODE.fullmatch(text):
            raise ValueError(f"MFA code {number} must be six digits.")

    def create_device(self) -> None:
        from iamdesk.services import mfa
        from iamdesk.services.errors import IamError

        if self.serial is not None:
            return
        try:
            created = mfa.create_virtual_mfa_device(
                self.context.database, self.context.account_id, self.name.text()
            )["VirtualMFADevice"]
        except IamError as exc:
            self.show_error(f"{exc.code}: {exc.message}")
            return
        self.serial = created["SerialNumber"]
        self.seed_text = created["Base32StringSeed"]
        self.seed.setText(self.seed_text)
        pixmap = QPixmap()
        pixmap.loadFromData(created["QRCodePNG"], "PNG")
        # Fast (nearest-neighbour) scaling keeps the modules crisp enough to scan.
        side = self.qr.minimumWidth() - 10
        self.qr.setPixmap(
            pixmap.scaled(
                side,
                side,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.FastTransformation,
            )
        )
        self.name.setReadOnly(True)
        self.create_button.setEnabled(False)
        self.code1.setFocus()
        self.validate()

    def perform(self) -> None:
        from iamdesk.ui.commands.credentials import enable_mfa

        assert self.serial is not None
        enable_mfa(
            self.context,
            self.user,
            self.serial,
            self.seed_text,
            self.code1.text(),
            self.code2.text(),
        )
        self.serial = None  # assigned: nothing to discard

    def _discard(self) -> None:
        from iamdesk.services import mfa
        from iamdesk.services.errors import IamError

        if self.serial is None:
            return
        try:
            mfa.delete_virtual_mfa_device(
                self.context.database, self.context.account_id, self.serial
            )
        except IamError as exc:
            log.warning("could not delete unused MFA device %s: %s", self.serial, exc)
        self.serial = None


class PasswordDialog(FormDialog):
    """Set (or reset) a user's console password, checked against the account's password policy
    as it is typed."""

    ok_text = "Set password"

    def __init__(
        self, context: AppContext, user: str, *, exists: bool, parent: QWidget | None = None
    ) -> None:
        title = "Reset console password" if exists else "Enable console access"
        super().__init__("password", f"{title} for {user}", parent)
        self.context = context
        self.user = user
        self.exists = exists
        self.password = self.line("Password", "Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = self.line("Confirm", "Confirm password")
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.reset = QCheckBox("User must create a new password at next sign-in")
        self.reset.setObjectName("passwordResetCheck")
        self.reset.setChecked(True)
        self.form.addRow("", self.reset)
        self.add_check(self._check_policy)
        self.add_check(self._check_same)
        self.validate()

    def _check_policy(self) -> None:
        from iamdesk.services.queries.accounts import password_problems

        problems = password_problems(
            self.context.database, self.context.account_id, self.password.text()
        )
        if problems:
            raise ValueError(" ".join(problems))

    def _check_same(self) -> None:
        if self.password.text() != self.confirm.text():
            raise ValueError("The passwords do not match.")

    def perform(self) -> None:
        from iamdesk.ui.commands.credentials import change_password, create_login_profile

        if self.exists:
            change_password(self.context, self.user, self.password.text(), self.reset.isChecked())
        else:
            create_login_profile(
                self.context, self.user, self.password.text(), self.reset.isChecked()
            )
