"""Create resource and Delete resource: the fields a console asks for (kind, name, account,
region; a Lambda function's execution role and runtime; a key's or secret's description) and,
for a KMS key or a secret, the waiting period before AWS deletes it for good."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox, QWidget

from iamdesk.ui.context import AppContext
from iamdesk.ui.dialogs.form import FormDialog
from iamdesk.ui.views.resources import KIND_ORDER

log = logging.getLogger(__name__)

NAME_LABELS = {
    "s3": ("Bucket name", "e.g. amzn-s3-demo-bucket (3-63 lowercase letters, digits, . -)"),
    "kms": ("Description", "optional, e.g. Key for the reports bucket"),
    "sqs": ("Queue name", "e.g. jobs (up to 80 letters, digits, - _; .fifo for FIFO)"),
    "sns": ("Topic name", "e.g. alerts (up to 256 letters, digits, - _)"),
    "secretsmanager": ("Secret name", "e.g. prod/db/password (up to 512 characters)"),
    "lambda": ("Function name", "e.g. resize-images (up to 64 letters, digits, - _)"),
}
REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "sa-east-1",
)
RUNTIMES = (
    "python3.12",
    "python3.13",
    "nodejs20.x",
    "nodejs22.x",
    "java21",
    "dotnet8",
    "ruby3.3",
    "provided.al2023",
)


def _combo(dialog: FormDialog, name: str, editable: bool = False) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(f"{dialog.stem}{name}Field")
    combo.setEditable(editable)
    combo.currentTextChanged.connect(lambda _t: dialog._edited())
    return combo


class CreateResourceDialog(FormDialog):
    """One dialog for the six kinds; the fields that do not apply to the chosen kind hide."""

    def __init__(
        self, context: AppContext, service: str = "s3", parent: QWidget | None = None
    ) -> None:
        super().__init__("createResource", "Create resource", parent)
        from iamdesk.services.queries.accounts import list_accounts
        from iamdesk.ui.commands.resources import KIND_WORDS

        self.context = context
        self.preset = service
        self.kind = _combo(self, "Kind")
        for key in KIND_ORDER:
            self.kind.addItem(KIND_WORDS[key], key)
        self.form.addRow("Kind", self.kind)
        self.name = self.line("Name", "Name")
        self.name_label = self.form.labelForField(self.name)
        self.account = _combo(self, "Account")
        for row in list_accounts(context.database):
            label = f"{row['AccountId']}  {row['Name'] or row['Alias'] or ''}".rstrip()
            self.account.addItem(label, row["AccountId"])
        self.account.setCurrentIndex(max(0, self.account.findData(context.account_id)))
        self.form.addRow("Account", self.account)
        self.region = _combo(self, "Region", editable=True)
        self.region.addItems(REGIONS)
        self.form.addRow("Region", self.region)
        self.role = _combo(self, "Role", editable=True)
        self.role.setToolTip("The execution role Lambda assumes to run the function")
        self.form.addRow("Execution role", self.role)
        self.runtime = _combo(self, "Runtime", editable=True)
        self.runtime.addItems(RUNTIMES)
        self.form.addRow("Runtime", self.runtime)
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.account.currentIndexChanged.connect(lambda _i: self._fill_roles())
        self.add_check(self._check_name)
        self.add_check(self._check_region)
        self.add_check(self._check_role)
        self.kind.setCurrentIndex(max(0, self.kind.findData(service)))
        self._kind_changed()
        self._fill_roles()
        self.validate()

    def first_field(self) -> QWidget | None:
        # Opened for a chosen kind (the Create menu, a shortcut), the kind is already set:
        # typing starts with the name.
        return self.name

    def service(self) -> str:
        return str(self.kind.currentData())

    def _kind_changed(self) -> None:
        service = self.service()
        label, placeholder = NAME_LABELS[service]
        if isinstance(self.name_label, QLabel):
            self.name_label.setText(label)
        self.name.setPlaceholderText(placeholder)
        lambda_only = service == "lambda"
        for field in (self.role, self.runtime):
            field.setVisible(lambda_only)
            other = self.form.labelForField(field)
            if other is not None:
                other.setVisible(lambda_only)
        self.setWindowTitle(f"Create {self.kind.currentText()}")
        self.validate()

    def _fill_roles(self) -> None:
        """The account's roles, those Lambda may assume first (as the console offers them)."""
        from iamdesk.services.queries.entities import role_rows

        self.role.blockSignals(True)
        self.role.clear()
        rows = role_rows(self.context.database, self.account.currentData())
        rows.sort(key=lambda r: ("lambda.amazonaws.com" not in r["TrustedEntities"], r["RoleName"]))
        for row in rows:
            self.role.addItem(str(row["Arn"]))
        self.role.blockSignals(False)

    def _check_name(self) -> None:
        from iamdesk.services.naming import check_resource_name

        check_resource_name(self.service(), self.name.text())

    def _check_region(self) -> None:
        import re

        if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", self.region.currentText()):
            raise ValueError("Region: a region code such as us-east-1.")

    def _check_role(self) -> None:
        if self.service() == "lambda" and not self.role.currentText().startswith("arn:aws:iam::"):
            raise ValueError("Execution role: choose the role Lambda assumes (a role ARN).")

    def fields(self) -> dict[str, Any]:
        return {
            "account": self.account.currentData(),
            "region": self.region.currentText(),
            "name": self.name.text() if self.service() != "kms" else "",
            "description": self.name.text() if self.service() == "kms" else "",
            "role": self.role.currentText(),
            "runtime": self.runtime.currentText(),
        }

    def perform(self) -> None:
        from iamdesk.ui.commands.resources import create_resource

        self.created = create_resource(self.context, self.service(), self.fields())


class DeleteResourceDialog(FormDialog):
    """Delete (or, for a KMS key, schedule the deletion of) one resource."""

    def __init__(self, context: AppContext, row: dict[str, Any], parent: QWidget | None = None):
        from iamdesk.ui.commands.resources import KIND_WORDS

        service = str(row["Service"])
        super().__init__("deleteResource", f"Delete {KIND_WORDS[service]}", parent)
        self.service = service
        self.ok_button.setText("Schedule deletion" if service == "kms" else "Delete")
        self.context = context
        self.row = row
        waits = self.service in ("kms", "secretsmanager")
        note = QLabel(self._note(KIND_WORDS[self.service]))
        note.setObjectName("deleteResourceNote")
        note.setWordWrap(True)
        self.form.addRow(note)
        self.window_days = QSpinBox()
        self.window_days.setObjectName("deleteResourceWindowField")
        self.window_days.setRange(7, 30)
        self.window_days.setValue(30)
        self.window_days.setSuffix(" days")
        if waits:
            label = "Waiting period" if self.service == "kms" else "Recovery window"
            self.form.addRow(label, self.window_days)
        else:
            self.window_days.setVisible(False)
        self.validate()

    def _note(self, word: str) -> str:
        name = self.row["Name"]
        if self.service == "kms":
            return (
                f"KMS never deletes a key at once: {name} becomes Pending deletion and is "
                "deleted when the waiting period ends. Edit ▸ Undo puts it back as it was."
            )
        if self.service == "secretsmanager":
            return (
                f"Delete the {word} {name}? Secrets Manager keeps it for the recovery window; "
                "Edit ▸ Undo puts it back as it was."
            )
        return f"Delete the {word} {name} ({self.row['Arn']})? Edit ▸ Undo puts it back."

    def first_field(self) -> QWidget | None:
        return self.window_days if self.window_days.isVisible() else self.ok_button

    def perform(self) -> None:
        from iamdesk.ui.commands.resources import delete_resource

        delete_resource(
            self.context,
            self.service,
            str(self.row["Name"]),
            str(self.row["AccountId"]),
            window_days=self.window_days.value(),
        )
