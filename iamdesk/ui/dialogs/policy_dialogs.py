"""Attach policies (search ≈1,600 AWS managed and the account's customer managed policies),
choose a permissions boundary, edit an inline policy, create a customer managed policy."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from iamdesk.ui.context import AppContext
from iamdesk.ui.dialogs.choose_dialog import ChooseDialog
from iamdesk.ui.dialogs.form import FormDialog
from iamdesk.ui.views.document_view import DocumentView

log = logging.getLogger(__name__)

EMPTY_POLICY = """{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [],
            "Resource": []
        }
    ]
}"""


def policy_choices(context: AppContext, exclude: set[str] | None = None) -> list[dict[str, Any]]:
    from iamdesk.services.queries.entities import policy_rows

    rows = policy_rows(context.database, context.account_id)
    exclude = exclude or set()
    return [r for r in rows if r["Arn"] not in exclude]


def attach_policy_dialog(
    context: AppContext,
    kind: str,
    name: str,
    already: set[str],
    parent: QWidget | None,
) -> ChooseDialog:
    from iamdesk.ui.commands.policies import attach_policies

    def submit(rows: list[dict[str, Any]]) -> None:
        attach_policies(context, kind, name, [r["Arn"] for r in rows])

    return ChooseDialog(
        "attachPolicy",
        f"Attach policies to {name}",
        ["Policy name", "Type", "Attached to", "Description"],
        ["PolicyName", "Type", "AttachmentCount", "Description"],
        policy_choices(context, already),
        submit,
        parent,
        ok_text="Attach",
        prompt=f"Choose managed policies to attach to the {kind} {name}.",
    )


def boundary_dialog(
    context: AppContext,
    kind: str,
    name: str,
    current: str | None,
    parent: QWidget | None,
) -> ChooseDialog:
    from iamdesk.ui.commands.policies import set_boundary

    def submit(rows: list[dict[str, Any]]) -> None:
        set_boundary(context, kind, name, rows[0]["Arn"], current)

    dialog = ChooseDialog(
        "boundary",
        f"Set permissions boundary of {name}",
        ["Policy name", "Type", "Description"],
        ["PolicyName", "Type", "Description"],
        policy_choices(context),
        submit,
        parent,
        ok_text="Set boundary",
        prompt="The boundary caps what the identity-based policies can allow.",
    )
    dialog.table.setSelectionMode(dialog.table.SelectionMode.SingleSelection)
    return dialog


class InlinePolicyDialog(FormDialog):
    """Add or edit an inline policy; the document is checked as it is typed."""

    ok_text = "Save"

    def __init__(
        self,
        parent: QWidget | None,
        owner: str,
        submit: Callable[[str, str], None],
        *,
        name: str = "",
        text: str = EMPTY_POLICY,
        kind: str = "identity",
    ) -> None:
        super().__init__("inlinePolicy", f"Inline policy of {owner}", parent)
        from iamdesk.services.validation import check_name

        self._submit = submit
        self.name = self.line("Name", "Policy name", "e.g. ReadReports")
        self.name.setText(name)
        self.name.setReadOnly(bool(name))
        self.document = DocumentView(self, read_only=False, kind=kind)
        self.document.setObjectName("inlinePolicyDocument")
        self.document.set_text(text)
        self.form.addRow("Document", self.document)
        self.add_check(lambda: check_name(self.name.text(), "policyName"))
        self.resize(760, 620)
        self.validate()

    def perform(self) -> None:
        self._submit(self.name.text(), self.document.text())


class CreatePolicyDialog(FormDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("createPolicy", "Create policy", parent)
        from iamdesk.services.validation import check_description, check_name, check_path

        self.context = context
        self.name = self.line("Name", "Policy name", "e.g. ReadOnlyReports")
        self.path = self.line("Path", "Path", "/", "/")
        self.description = self.line("Description", "Description", "optional")
        self.document = DocumentView(self, read_only=False)
        self.document.setObjectName("createPolicyDocument")
        self.document.set_text(EMPTY_POLICY)
        self.form.addRow("Document", self.document)
        self.add_check(lambda: check_name(self.name.text(), "policyName"))
        self.add_check(lambda: check_path(self.path.text() or "/"))
        self.add_check(lambda: check_description(self.description.text() or None))
        self.resize(760, 640)
        self.validate()

    def perform(self) -> None:
        from iamdesk.ui.commands.policies import create_policy

        create_policy(
            self.context,
            self.name.text(),
            self.document.text(),
            path=self.path.text() or "/",
            description=self.description.text() or None,
        )
