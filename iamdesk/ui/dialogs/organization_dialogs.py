"""The Organization view's dialogs: create an OU, create an account, move an account, attach an
SCP or RCP, and create one. Each submits one undoable command as the management account; AWS's
refusal (a duplicate name, the policy limit, a malformed document) stays in the dialog."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox, QSizePolicy, QWidget

from iamdesk.ui.context import AppContext
from iamdesk.ui.dialogs.form import FormDialog
from iamdesk.ui.views.document_view import DocumentView

log = logging.getLogger(__name__)

Parents = Sequence[tuple[str, str]]  # (label, root or OU id)
TYPES = (
    ("Service control policy (SCP)", "SERVICE_CONTROL_POLICY"),
    ("Resource control policy (RCP)", "RESOURCE_CONTROL_POLICY"),
)
NEW_SCP = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyLeavingTheOrganization",
            "Effect": "Deny",
            "Action": "organizations:LeaveOrganization",
            "Resource": "*",
        }
    ],
}
NEW_RCP = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "EnforceSecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
        }
    ],
}


def _wide(combo: QComboBox) -> QComboBox:
    """A combo that fills the form's width (a short policy name made a stub of a field)."""
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return combo


def _parent_combo(
    dialog: FormDialog, name: str, label: str, parents: Parents, chosen: str | None
) -> QComboBox:
    """The form's row choosing a root or OU among ``parents``, ``chosen`` preset."""
    combo = _wide(QComboBox())
    combo.setObjectName(f"{dialog.stem}{name}Field")
    for text, node_id in parents:
        combo.addItem(text, node_id)
    combo.setCurrentIndex(max(0, combo.findData(chosen)))
    dialog.form.addRow(label, combo)
    return combo


def _type_combo(dialog: FormDialog) -> QComboBox:
    """SCP or RCP (not yet in the form: each dialog places it)."""
    combo = _wide(QComboBox())
    combo.setObjectName(f"{dialog.stem}TypeField")
    for label, value in TYPES:
        combo.addItem(label, value)
    return combo


class _OrganizationDialog(FormDialog):
    """A form whose change is made as ``caller``, the organization's management account."""

    def __init__(
        self, stem: str, title: str, context: AppContext, caller: str, parent: QWidget | None
    ) -> None:
        super().__init__(stem, title, parent)
        self.context, self.caller = context, caller


class CreateOuDialog(_OrganizationDialog):
    def __init__(
        self,
        context: AppContext,
        caller: str,
        parents: Parents,
        parent_id: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("createOu", "Create organizational unit", context, caller, parent)
        self.name = self.line("Name", "OU name", "e.g. Production (up to 128 characters)")
        self.parent_field = _parent_combo(self, "Parent", "Create in", parents, parent_id)
        self.add_check(self._check_name)
        self.validate()

    def _check_name(self) -> None:
        from iamdesk.services.organizations import check_ou_name

        check_ou_name(self.name.text())

    def perform(self) -> None:
        from iamdesk.ui.commands.organization import create_ou

        self.created = create_ou(
            self.context, self.caller, str(self.parent_field.currentData()), self.name.text()
        )


class CreateAccountDialog(_OrganizationDialog):
    def __init__(
        self,
        context: AppContext,
        caller: str,
        parents: Parents,
        parent_id: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("createAccount", "Create account", context, caller, parent)
        self.name = self.line("Name", "Account name", "e.g. Development (up to 50 characters)")
        self.email = self.line("Email", "Email of the root user", "e.g. dev@example.com")
        self.account_id = self.line("AccountId", "Account ID", "optional: 12 digits, else random")
        self.parent_field = _parent_combo(self, "Parent", "Place in", parents, parent_id)
        self.add_check(self._check)
        self.validate()

    def _check(self) -> None:
        from iamdesk.services.organizations import check_account_request

        check_account_request(self.email.text(), self.name.text(), self.account_id.text() or None)

    def perform(self) -> None:
        from iamdesk.ui.commands.organization import create_account

        self.created = create_account(
            self.context,
            self.caller,
            name=self.name.text(),
            email=self.email.text(),
            new_account_id=self.account_id.text() or None,
            parent_id=str(self.parent_field.currentData()),
        )


class MoveAccountDialog(_OrganizationDialog):
    ok_text = "Move"

    def __init__(
        self,
        context: AppContext,
        caller: str,
        member: tuple[str, str],
        source_id: str,
        parents: Parents,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("moveAccount", f"Move account {member[1]}", context, caller, parent)
        self.member, self.source_id = member[0], source_id
        self.destination = _parent_combo(self, "Destination", "Move to", parents, source_id)
        self.destination.currentIndexChanged.connect(lambda _i: self._edited())
        self.add_check(self._check)
        self.validate()

    def _check(self) -> None:
        from iamdesk.services.organizations import check_move

        check_move(self.source_id, str(self.destination.currentData()))

    def perform(self) -> None:
        from iamdesk.ui.commands.organization import move_account

        move_account(
            self.context,
            self.caller,
            self.member,
            self.source_id,
            str(self.destination.currentData()),
        )


class AttachOrgPolicyDialog(_OrganizationDialog):
    """Attach an SCP or RCP to the selected root, OU or account (those not attached there)."""

    ok_text = "Attach"

    def __init__(
        self,
        context: AppContext,
        caller: str,
        target: tuple[str, str],
        attached: set[str],
        parent: QWidget | None = None,
    ) -> None:
        title = f"Attach a policy to {target[1]}"
        super().__init__("attachOrgPolicy", title, context, caller, parent)
        self.target, self.attached = target[0], attached
        self.type = _type_combo(self)
        self.form.addRow("Type", self.type)
        self.policy = _wide(QComboBox())
        self.policy.setObjectName("attachOrgPolicyPolicyField")
        self.form.addRow("Policy", self.policy)
        self.type.currentIndexChanged.connect(lambda _i: self._fill())
        self.add_check(self._check)
        self._fill()

    def _fill(self) -> None:
        from iamdesk.services import organizations as orgs

        self.policy.clear()
        found = orgs.list_policies(
            self.context.database, policy_filter=self.type.currentData(), account_id=self.caller
        )["Policies"]
        for policy in found:
            if policy["Id"] not in self.attached:
                self.policy.addItem(policy["Name"], (policy["Id"], policy["Name"]))
        self.validate()

    def _check(self) -> None:
        if self.policy.currentData() is None:
            raise ValueError("Every policy of this type is attached here already; create one.")

    def perform(self) -> None:
        from iamdesk.ui.commands.organization import attach_policy

        policy_id, name = self.policy.currentData()
        attach_policy(self.context, self.caller, policy_id, name, self.target)


class CreateOrgPolicyDialog(_OrganizationDialog):
    def __init__(self, context: AppContext, caller: str, parent: QWidget | None = None) -> None:
        super().__init__("createOrgPolicy", "Create SCP or RCP", context, caller, parent)
        self.type = _type_combo(self)
        self.name = self.line("Name", "Policy name", "e.g. DenyLeavingTheOrganization")
        self.form.insertRow(0, "Type", self.type)
        self.description = self.line("Description", "Description", "optional")
        self.document = DocumentView(self, read_only=False, kind="scp")
        self.document.setObjectName("createOrgPolicyDocument")
        self.document.setMinimumHeight(260)
        self.setMinimumWidth(680)  # the document's lines and its status row fit
        self.form.addRow("Policy", self.document)
        self.type.currentIndexChanged.connect(lambda _i: self._example())
        self.add_check(self._check)
        self._example()

    def first_field(self) -> QWidget | None:
        return self.name

    def _example(self) -> None:
        rcp = self.type.currentData() == "RESOURCE_CONTROL_POLICY"
        self.document.set_text(json.dumps(NEW_RCP if rcp else NEW_SCP, indent=4))
        self.validate()

    def _check(self) -> None:
        from iamdesk.services.organizations import check_policy_name

        check_policy_name(self.name.text())

    def perform(self) -> None:
        from iamdesk.ui.commands.organization import create_policy

        self.created = create_policy(
            self.context,
            self.caller,
            name=self.name.text(),
            policy_type=str(self.type.currentData()),
            content=self.document.text(),
            description=self.description.text(),
        )
