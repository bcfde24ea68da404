"""The new access key: the secret is shown here once and never again."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from iamdesk.ui.icons import icon


class AccessKeyDialog(QDialog):
    def __init__(self, key: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accessKeyDialog")
        self.setWindowTitle("Access key created")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        warning = QLabel(
            f"<b>This is the only time the secret access key of {key['UserName']} can be "
            "viewed or copied.</b> You cannot recover it later; if it is lost, create a new "
            "key and deactivate this one."
        )
        warning.setWordWrap(True)
        form = QFormLayout()
        self.key_id = QLineEdit(key["AccessKeyId"])
        self.key_id.setObjectName("accessKeyIdField")
        self.key_id.setReadOnly(True)
        self.secret = QLineEdit(key["SecretAccessKey"])
        self.secret.setObjectName("accessKeySecretField")
        self.secret.setReadOnly(True)
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_button = QPushButton("Show")
        self.show_button.setObjectName("accessKeyShowButton")
        self.show_button.setCheckable(True)
        self.show_button.toggled.connect(self._toggle)
        self.copy_id = QPushButton(icon("copy"), "Copy")
        self.copy_id.setObjectName("accessKeyCopyIdButton")
        self.copy_id.clicked.connect(lambda: self._copy(self.key_id.text(), self.copy_id))
        self.copy_secret = QPushButton(icon("copy"), "Copy")
        self.copy_secret.setObjectName("accessKeyCopySecretButton")
        # Copied from the field, not from ``key``: a closed dialog holds the secret nowhere.
        self.copy_secret.clicked.connect(lambda: self._copy(self.secret.text(), self.copy_secret))
        id_row = QHBoxLayout()
        id_row.addWidget(self.key_id, 1)
        id_row.addWidget(self.copy_id)
        secret_row = QHBoxLayout()
        secret_row.addWidget(self.secret, 1)
        secret_row.addWidget(self.show_button)
        secret_row.addWidget(self.copy_secret)
        form.addRow("Access key ID", id_row)
        form.addRow("Secret access key", secret_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        assert close is not None
        close.setObjectName("accessKeyCloseButton")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(warning)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)

    def _toggle(self, shown: bool) -> None:
        self.secret.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_button.setText("Hide" if shown else "Show")

    def _copy(self, text: str, button: QPushButton) -> None:
        QGuiApplication.clipboard().setText(text)
        button.setText("Copied")

    def done(self, result: int) -> None:
        # Forget the secret as soon as the dialog closes.
        self.secret.clear()
        super().done(result)
