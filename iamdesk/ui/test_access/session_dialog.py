"""Create a role session to test as: AssumeRole by a modelled caller, optionally with MFA (the
caller's device and a current code) and a session policy that narrows the role."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from iamdesk.core.policy.document import PolicyKind
from iamdesk.services.errors import IamError
from iamdesk.ui import theme
from iamdesk.ui.editor import PolicyEditor
from iamdesk.ui.test_access.principals import list_principals

log = logging.getLogger(__name__)


class SessionDialog(QDialog):
    created = Signal(str)  # the session's assumed-role ARN

    def __init__(self, context: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("testAccessSessionDialog")
        self.setWindowTitle("New role session")
        self.resize(720, 620)
        self.context = context
        choices = list_principals(context.database)

        self.role = QComboBox(self)
        self.role.setObjectName("sessionRole")
        self.caller = QComboBox(self)
        self.caller.setObjectName("sessionCaller")
        for choice in choices:
            if choice.kind == "role":
                self.role.addItem(choice.label, choice.arn)
            self.caller.addItem(choice.label, choice.arn)
        self.name = QLineEdit("test-session", self)
        self.name.setObjectName("sessionName")
        self.duration = QSpinBox(self)
        self.duration.setObjectName("sessionDuration")
        self.duration.setRange(900, 43200)  # AssumeRole's DurationSeconds bounds
        self.duration.setSingleStep(900)
        self.duration.setValue(3600)
        self.duration.setSuffix(" s")
        self.mfa_serial = QComboBox(self)
        self.mfa_serial.setObjectName("sessionMfaDevice")
        self.mfa_code = QLineEdit(self)
        self.mfa_code.setObjectName("sessionMfaCode")
        self.mfa_code.setPlaceholderText("6-digit code (leave empty for no MFA)")
        self.mfa_code.setMaxLength(6)
        self.policy = PolicyEditor(self, kind=PolicyKind.SESSION)
        self.policy.setObjectName("sessionPolicy")
        self.policy.setMinimumHeight(220)
        self.error = QLabel(self)
        self.error.setObjectName("sessionError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color:{theme.color_name('deny_fg')}")

        form = QFormLayout()
        form.addRow("Role", self.role)
        form.addRow("Assumed by", self.caller)
        form.addRow("Session name", self.name)
        form.addRow("Duration", self.duration)
        form.addRow("MFA device", self.mfa_serial)
        form.addRow("MFA code", self.mfa_code)
        form.addRow(QLabel("Session policy (optional: it can only narrow the role)", self))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create session")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.policy, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.caller.currentIndexChanged.connect(self._caller_changed)
        self._caller_changed()

    def _caller_changed(self) -> None:
        self.mfa_serial.clear()
        self.mfa_serial.addItem("(none)", None)
        arn = str(self.caller.currentData() or "")
        if ":user/" not in arn:
            return
        from iamdesk.services.mfa import list_mfa_devices

        account = arn.split(":")[4]
        user = arn.rsplit("/", 1)[-1]
        try:
            devices = list_mfa_devices(self.context.database, account, user)["MFADevices"]
        except IamError:  # the caller vanished meanwhile: no devices to offer
            log.exception("listing MFA devices of %s", arn)
            return
        for device in devices:
            self.mfa_serial.addItem(device["SerialNumber"], device["SerialNumber"])

    def create_session(self) -> str | None:
        """AssumeRole with the inputs; the session's ARN, or None with the refusal shown."""
        from iamdesk.services.sts import assume_role

        serial = self.mfa_serial.currentData()
        code = self.mfa_code.text().strip() or None
        if (serial is None) != (code is None):
            self.error.setText("Choose an MFA device and enter its current code, or neither.")
            return None
        policy = self.policy.text().strip() or None
        try:
            answer = assume_role(
                self.context.database,
                role_arn=str(self.role.currentData()),
                role_session_name=self.name.text().strip(),
                caller_arn=str(self.caller.currentData()),
                policy=policy,
                serial_number=serial,
                token_code=code,
                duration_seconds=self.duration.value(),
            )
        except IamError as error:  # AccessDenied, ValidationError, MFA failures
            code_word = getattr(error, "code", None)
            message = getattr(error, "message", None) or str(error)
            self.error.setText(f"{code_word}: {message}" if code_word else message)
            return None
        arn = str(answer["AssumedRoleUser"]["Arn"])
        self.created.emit(arn)
        return arn

    def accept(self) -> None:
        if self.create_session() is not None:
            super().accept()
