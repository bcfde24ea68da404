"""Resources: buckets, keys, functions, queues, topics and secrets of the account, with their
resource-based policies."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMenu, QVBoxLayout

from iamdesk.ui.models.table import Column, Row
from iamdesk.ui.views import dates
from iamdesk.ui.views.document_view import DocumentView, document_text
from iamdesk.ui.views.entity_view import DetailTab, EntityView
from iamdesk.ui.views.tabs import ButtonBar, add_item, make_list, report

log = logging.getLogger(__name__)

KIND_ORDER = ("s3", "kms", "sqs", "sns", "secretsmanager", "lambda")

NEW_POLICY = '{\n    "Version": "2012-10-17",\n    "Statement": []\n}'

SERVICE_WORDS = {
    "s3": "S3 bucket",
    "kms": "KMS key",
    "lambda": "Lambda function",
    "sqs": "SQS queue",
    "sns": "SNS topic",
    "secretsmanager": "Secrets Manager secret",
}


class ResourcePolicyTab(DetailTab):
    title = "Resource policy"
    name = "Policy"

    def __init__(self, view: EntityView) -> None:
        super().__init__(view)
        self.bar = ButtonBar(self, "resourcesPolicy")
        self.note = QLabel()
        self.note.setObjectName("resourcesPolicyNote")
        self.bar.add_note(self.note)
        self.bar.add("Save", "Save policy", self.save, "policies")
        self.document = DocumentView(self, read_only=True, kind="resource")
        self.document.setObjectName("resourcesPolicyDocument")
        layout = QVBoxLayout(self)
        layout.addLayout(self.bar)
        layout.addWidget(self.document, 1)

    def load(self, key: str, row: Row) -> None:
        from iamdesk.ui.commands.resources import editable

        self.row = row
        policy = row.get("Policy")
        can_edit = editable(row["Service"], policy)
        if policy:
            self.document.set_text(document_text(policy))
        else:
            self.document.set_text(NEW_POLICY if can_edit else "")
        if self.document.editor is not None:
            self.document.editor.set_read_only(not can_edit)
        elif self.document.plain is not None:
            self.document.plain.setReadOnly(not can_edit)
        self.bar.set_shown("Save", can_edit)
        self.note.setText(
            "Edit the policy and save; Edit ▸ Undo restores the previous one."
            if can_edit
            else "A Lambda function policy changes one statement at a time: use "
            "iamdesk lambda add-permission / remove-permission."
            if row["Service"] == "lambda"
            else "This resource has no policy iamdesk can edit here (use the CLI)."
        )

    def save(self) -> None:
        from iamdesk.services.errors import IamError
        from iamdesk.ui.commands.resources import set_resource_policy

        if self.row is None:
            return
        try:
            set_resource_policy(
                self.context,
                self.row["Service"],
                self.row["Name"],
                self.row.get("Policy"),
                self.document.text(),
            )
        except IamError as exc:
            report(self, "Save resource policy", exc)


class ResourceDetailsTab(DetailTab):
    title = "Details"
    name = "Details"

    def __init__(self, view: EntityView) -> None:
        super().__init__(view)
        self.list = make_list(["Property", "Value"], "resourcesDetailsList")
        self.list.header().resizeSection(0, 200)
        QVBoxLayout(self).addWidget(self.list)

    def load(self, key: str, row: Row) -> None:
        self.row = row
        self.list.clear()
        for name in ("Service", "Type", "Name", "Arn", "AccountId", "Region", "CreateDate"):
            add_item(self.list, [name, row.get(name) or ""])
        for name, value in sorted((row.get("Attributes") or {}).items()):
            text = value if isinstance(value, str) else json.dumps(value)
            add_item(self.list, [name, text])


def kind_text(row: Row) -> str:
    word = SERVICE_WORDS.get(row["Service"], row["Service"])
    state = (row.get("Attributes") or {}).get("KeyState")
    return f"{word} (pending deletion)" if state == "PendingDeletion" else word


class ResourcesView(EntityView):
    kind = "resources"
    title = "Resources"

    def columns(self) -> Sequence[Column]:
        return (
            Column("Name", lambda r: r["Name"], width=280),
            Column("Kind", kind_text, width=230),
            Column("Region", lambda r: r["Region"] or "global", width=100),
            Column(
                "Resource policy",
                lambda r: "Yes" if r["Policy"] else "No",
                width=110,
            ),
            Column(
                "Created",
                lambda r: dates.short(r["CreateDate"]),
                sort=lambda r: r["CreateDate"],
                width=130,
            ),
            Column("ARN", lambda r: r["Arn"]),
        )

    def tab_classes(self) -> Sequence[type[DetailTab]]:
        return (ResourcePolicyTab, ResourceDetailsTab)

    def toolbar_buttons(self) -> Sequence[tuple[str, str, str]]:
        return (("Create", "Create", "add"), ("Delete", "Delete", "delete"))

    def row_count_hint(self) -> int:
        return 0  # resources are few: load on the GUI thread

    def on_create(self) -> QMenu:
        """The Create button (or Ins): a menu of the six kinds under the button."""
        menu = self.create_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        button = self.buttons["Create"]
        menu.popup(button.mapToGlobal(button.rect().bottomLeft()))
        return menu

    def create_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("resourcesCreateMenu")
        for service in KIND_ORDER:
            action = menu.addAction(f"{SERVICE_WORDS[service]}…")
            action.setObjectName(f"resourcesCreate_{service}_Action")
            action.triggered.connect(lambda _c=False, s=service: self.create(s))
        return menu

    def create(self, service: str) -> Any:
        """Open Create resource for ``service``; once done, the new resource is selected."""
        from iamdesk.ui.dialogs.resource_dialogs import CreateResourceDialog

        dialog = CreateResourceDialog(self.context, service, self)
        dialog.accepted.connect(lambda: self._select_created(dialog))
        dialog.open()
        return dialog

    def _select_created(self, dialog: Any) -> None:
        self.reload()
        created = getattr(dialog, "created", None)
        if created:
            self.select_key(str(created["Arn"]))
        self.take_focus()

    def on_delete(self) -> Any:
        from iamdesk.ui.dialogs.resource_dialogs import DeleteResourceDialog

        row = self.selected_row()
        if row is None:
            return None
        dialog = DeleteResourceDialog(self.context, row, self)
        dialog.finished.connect(lambda _r: self.take_focus())
        dialog.open()
        return dialog

    def load_rows(self) -> list[Row]:
        from iamdesk.services.resources import list_resources

        return list_resources(self.context.database, account_id=self.context.account_id)

    def row_name(self, row: Row) -> str:
        return str(row["Name"])

    def search_text(self, row: Row) -> str:
        return f"{row['Name']} {row['Service']} {row['Arn']}"
