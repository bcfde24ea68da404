"""Create role: choose who may assume it (an AWS service, another account, or a custom trust
policy); the trust policy is written for the choice and can be edited before creating."""

from __future__ import annotations

import json
import logging

from PySide6.QtWidgets import QComboBox, QSpinBox, QWidget

from iamdesk.ui.context import AppContext
from iamdesk.ui.dialogs.form import FormDialog, parse_tags
from iamdesk.ui.views.document_view import DocumentView

log = logging.getLogger(__name__)

SERVICES = (
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "states.amazonaws.com",
    "events.amazonaws.com",
    "glue.amazonaws.com",
    "codebuild.amazonaws.com",
    "cloudformation.amazonaws.com",
    "sagemaker.amazonaws.com",
    "eks.amazonaws.com",
)


def trust_policy(principal: dict[str, str], *, require_mfa: bool = False) -> str:
    statement: dict[str, object] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if require_mfa:
        statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=4)


class CreateRoleDialog(FormDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("createRole", "Create role", parent)
        from iamdesk.services.validation import check_description, check_name, check_path

        self.context = context
        self.name = self.line("Name", "Role name", "e.g. ReportsReader (up to 64 characters)")
        self.path = self.line("Path", "Path", "/", "/")
        self.description = self.line("Description", "Description", "optional")
        self.trusted = QComboBox()
        self.trusted.setObjectName("createRoleTrustedField")
        self.trusted.addItem("AWS service", "service")
        self.trusted.addItem("Another AWS account", "account")
        self.trusted.addItem("Custom trust policy", "custom")
        self.form.addRow("Trusted entity", self.trusted)
        self.service = QComboBox()
        self.service.setObjectName("createRoleServiceField")
        self.service.setEditable(True)
        self.service.addItems(SERVICES)
        self.form.addRow("Service", self.service)
        self.account = self.line("Account", "Account ID", "12-digit account id", context.account_id)
        self.session = QSpinBox()
        self.session.setObjectName("createRoleSessionField")
        self.session.setRange(1, 12)
        self.session.setSuffix(" hour(s)")
        self.form.addRow("Maximum session", self.session)
        self.tags = self.text_box("Tags", "Tags", "one key=value per line")
        self.document = DocumentView(self, read_only=False, kind="trust")
        self.document.setObjectName("createRoleDocument")
        self.form.addRow("Trust policy", self.document)
        self.trusted.currentIndexChanged.connect(self._write_policy)
        self.service.currentTextChanged.connect(self._write_policy)
        self.account.textChanged.connect(self._write_policy)
        self.add_check(lambda: check_name(self.name.text(), "roleName"))
        self.add_check(lambda: check_path(self.path.text() or "/"))
        self.add_check(lambda: check_description(self.description.text() or None))
        self.add_check(self._check_account)
        self.add_check(lambda: parse_tags(self.tags.toPlainText()))
        self._write_policy()
        self.resize(760, 760)
        self.validate()

    def _check_account(self) -> None:
        if self.trusted.currentData() == "account" and not (
            self.account.text().isdigit() and len(self.account.text()) == 12
        ):
            raise ValueError("The account ID must be 12 digits.")

    def _write_policy(self) -> None:
        choice = self.trusted.currentData()
        self.service.setEnabled(choice == "service")
        self.account.setEnabled(choice == "account")
        if choice == "service":
            self.document.set_text(trust_policy({"Service": self.service.currentText()}))
        elif choice == "account" and self.account.text():
            arn = f"arn:aws:iam::{self.account.text()}:root"
            self.document.set_text(trust_policy({"AWS": arn}, require_mfa=True))

    def perform(self) -> None:
        from iamdesk.ui.commands.identity import create_role

        create_role(
            self.context,
            self.name.text(),
            self.document.text(),
            path=self.path.text() or "/",
            description=self.description.text() or None,
            max_session_duration=self.session.value() * 3600,
            tags=parse_tags(self.tags.toPlainText()),
        )


class RoleSettingsDialog(FormDialog):
    """UpdateRole: the description and the maximum session duration."""

    ok_text = "Save"

    def __init__(
        self,
        context: AppContext,
        name: str,
        description: str,
        max_session: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("editRole", f"Edit role {name}", parent)
        from iamdesk.services.validation import check_description

        self.context = context
        self.role = name
        self.old = (description, max_session)
        self.description = self.line("Description", "Description", text=description)
        self.session = QSpinBox()
        self.session.setObjectName("editRoleSessionField")
        self.session.setRange(1, 12)
        self.session.setSuffix(" hour(s)")
        self.session.setValue(max(1, max_session // 3600))
        self.form.addRow("Maximum session", self.session)
        self.add_check(lambda: check_description(self.description.text()))
        self.validate()

    def perform(self) -> None:
        from iamdesk.ui.commands.identity import update_role_settings

        update_role_settings(
            self.context,
            self.role,
            self.old,
            self.description.text(),
            self.session.value() * 3600,
        )
