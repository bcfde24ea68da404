"""Create OIDC / SAML identity provider dialogs (checked as typed, with IAM's own rules)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QPlainTextEdit, QPushButton, QWidget

from iamdesk.ui.context import AppContext
from iamdesk.ui.dialogs.form import FormDialog


def _items(text: str) -> list[str]:
    """Client IDs or thumbprints: one per line, or separated by commas or spaces."""
    return [item for item in re.split(r"[\s,]+", text) if item]


class CreateOidcProviderDialog(FormDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("createOidcProvider", "Add OpenID Connect provider", parent)
        from iamdesk.services.federation import oidc

        self.context = context
        self.url = self.line("Url", "Provider URL", "https://token.actions.githubusercontent.com")
        self.audiences = self.line("Audiences", "Audiences (client IDs)", "sts.amazonaws.com")
        self.thumbprints = self.line(
            "Thumbprints", "Thumbprints (optional)", "40 hex digits each, up to 5"
        )
        self.add_check(lambda: oidc.check_url(self.url.text()))
        self.add_check(lambda: oidc.check_client_ids(_items(self.audiences.text())))
        self.add_check(lambda: oidc.check_thumbprints(_items(self.thumbprints.text())))
        self.validate()

    def perform(self) -> None:
        from iamdesk.ui.commands.federation import create_oidc_provider

        create_oidc_provider(
            self.context,
            self.url.text().strip(),
            _items(self.audiences.text()),
            _items(self.thumbprints.text()),
        )


class CreateSamlProviderDialog(FormDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("createSamlProvider", "Add SAML provider", parent)
        from iamdesk.services.federation import saml

        self.context = context
        self.name = self.line("Name", "Provider name", "e.g. Okta (letters, digits, _ . -)")
        self.metadata = self.text_box(
            "Metadata", "Metadata document", "the IdP's SAML 2.0 metadata XML"
        )
        self.metadata.setMaximumHeight(220)
        self.metadata.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # XML reads by line
        self.setMinimumWidth(680)
        self.load_button = QPushButton("Load from file…")
        self.load_button.setObjectName("createSamlProviderLoadButton")
        self.load_button.clicked.connect(self._ask_file)
        self.form.addRow("", self.load_button)
        self.add_check(lambda: _check_name(self.name.text()))
        self.add_check(lambda: saml.read_metadata(self.metadata.toPlainText()))
        self.validate()

    def _ask_file(self) -> None:
        dialog = QFileDialog(self, "SAML metadata document", "", "XML files (*.xml);;All (*)")
        dialog.setObjectName("createSamlProviderFileDialog")
        dialog.fileSelected.connect(self.load_file)
        dialog.open()

    def load_file(self, path: str) -> None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.show_error(f"Could not read {path}: {exc}")
            return
        self.metadata.setPlainText(text)

    def perform(self) -> None:
        from iamdesk.ui.commands.federation import create_saml_provider

        create_saml_provider(self.context, self.name.text(), self.metadata.toPlainText())


def _check_name(name: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,128}", name):
        raise ValueError("A provider name is 1 to 128 letters, digits and _ . -")
