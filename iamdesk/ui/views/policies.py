"""Policies: every AWS managed policy of the catalog and the account's customer managed ones,
with type, attachments, versions and description; detail tabs Document (customer managed:
edit and save as a new version), Attached entities, Versions, History."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLabel, QVBoxLayout, QWidget

from iamdesk.ui.models.table import Column, Row
from iamdesk.ui.views import dates
from iamdesk.ui.views.deleting import confirm_delete, plural
from iamdesk.ui.views.document_view import DocumentView, document_text
from iamdesk.ui.views.entity_view import DetailTab, EntityView
from iamdesk.ui.views.tabs import (
    ITEM_ROLE,
    ButtonBar,
    HistoryTab,
    add_item,
    make_list,
    report,
)

log = logging.getLogger(__name__)


def _is_aws(row: Row) -> bool:
    return bool(row["Type"] == "AWS managed")


def policy_document(context: object, row: Row) -> str:
    """The default version's text; AWS managed policies come from the packaged catalog."""
    from iamdesk.services import managed_policies, policies

    if _is_aws(row):
        found = managed_policies.get(row["Arn"])
        # An imported snapshot may hold an older default than the catalog's: show the model's.
        if found is not None and found.default_version_id == row["DefaultVersionId"]:
            return found.document_text()
    return document_text(
        policies.default_document(context.database, context.account_id, row["Arn"])  # type: ignore[attr-defined]
    )


class DocumentTab(DetailTab):
    title = "Permissions"
    name = "Document"

    def __init__(self, view: EntityView) -> None:
        super().__init__(view)
        self.bar = ButtonBar(self, "policiesDocument")
        self.note = QLabel()
        self.note.setObjectName("policiesDocumentNote")
        self.bar.add_note(self.note)
        self.bar.add("Save", "Save as new version…", self.review, "policies")
        self._loaded = ""  # the text as loaded: edits are measured against it
        self.document = DocumentView(self, read_only=True)
        self.document.setObjectName("policiesDocumentEditor")
        layout = QVBoxLayout(self)
        layout.addLayout(self.bar)
        layout.addWidget(self.document, 1)
        if self.document.editor is not None:
            text_document = self.document.editor.code.document()
            text_document.modificationChanged.connect(self._modification_changed)

    def _modification_changed(self, _modified: bool) -> None:
        """The tab's title carries a ``*`` while the document has unsaved edits."""
        tabs = self.view.tabs
        index = tabs.indexOf(self)
        if index >= 0:
            tabs.setTabText(index, self.title + (" *" if self.unsaved_edits() else ""))
        self.view.unsavedChanged.emit()

    def unsaved_edits(self) -> list[Any]:
        from iamdesk.ui.unsaved import UnsavedEdit

        editor = self.document.editor
        if self.row is None or editor is None or _is_aws(self.row) or not editor.is_modified():
            return []
        if editor.text() == self._loaded:
            return []
        return [
            UnsavedEdit(f"policy {self.row['PolicyName']}", self._save_from_question, self.discard)
        ]

    def _save_from_question(self) -> bool:
        """Save in the unsaved-edits question goes through the same impact preview as the
        Save button: the Edit policy dialog opens with this text and its review running, and
        the user stays here until it is saved there (False: not saved yet)."""
        self.review()
        return False

    def discard(self) -> None:
        if self.row is not None:
            self.document.set_text(self._loaded)

    def load(self, key: str, row: Row) -> None:
        self.row = row
        aws = _is_aws(row)
        self._loaded = policy_document(self.context, row)
        self.document.set_text(self._loaded)
        if self.document.editor is not None:
            self.document.editor.set_read_only(aws)
        elif self.document.plain is not None:
            self.document.plain.setReadOnly(aws)
        self.bar.set_shown("Save", not aws)
        self.note.setText(
            "AWS managed policies cannot be changed."
            if aws
            else f"Default version {row['DefaultVersionId']}; edits are saved as a new version."
        )

    def review(self) -> QWidget | None:
        """Save as new version: the Edit policy dialog with this text, its impact preview
        already running; saving there (after the preview) makes the new version."""
        if self.row is None:
            return None
        text = self.document.text()
        dialog = self.view.open_in_editor(self.row)  # type: ignore[attr-defined]
        dialog.editor.replace_text(text)
        dialog.saved.connect(lambda: self._saved_elsewhere(text))
        dialog.save_clicked()
        return dialog

    def _saved_elsewhere(self, text: str) -> None:
        self._loaded = text
        if self.document.editor is not None:
            self.document.editor.code.document().setModified(False)
        self.view.reload()

    def save(self) -> bool:
        from iamdesk.services.errors import IamError
        from iamdesk.ui.commands.policies import create_policy_version

        if self.row is None:
            return False
        try:
            create_policy_version(self.context, self.row["Arn"], self.document.text())
        except IamError as exc:
            report(self, "Save policy", exc)
            return False
        self._loaded = self.document.text()
        if self.document.editor is not None:
            self.document.editor.code.document().setModified(False)
        self.view.reload()
        return True


class AttachedTab(DetailTab):
    title = "Entities attached"
    name = "Attached"

    def __init__(self, view: EntityView) -> None:
        super().__init__(view)
        self.list = make_list(["Name", "Type", "Used as"], "policiesAttachedList")
        self.list.itemDoubleClicked.connect(self._open)
        QVBoxLayout(self).addWidget(self.list)

    def load(self, key: str, row: Row) -> None:
        from iamdesk.services.attachments import list_entities_for_policy

        self.row = row
        self.list.clear()
        db, account = self.context.database, self.context.account_id
        for usage in ("PermissionsPolicy", "PermissionsBoundary"):
            found = list_entities_for_policy(db, account, row["Arn"], policy_usage_filter=usage)
            used = "Permissions policy" if usage == "PermissionsPolicy" else "Permissions boundary"
            for key_name, name_key, kind in (
                ("PolicyUsers", "UserName", "User"),
                ("PolicyGroups", "GroupName", "Group"),
                ("PolicyRoles", "RoleName", "Role"),
            ):
                for entity in found[key_name]:
                    add_item(self.list, [entity[name_key], kind, used], (kind, entity[name_key]))

    def _open(self, item: object, _column: int) -> None:
        kind, name = item.data(0, ITEM_ROLE)  # type: ignore[attr-defined]
        view = {"User": "users", "Group": "groups", "Role": "roles"}[kind]
        arn = f"arn:aws:iam::{self.context.account_id}:{kind.lower()}/"
        self.view.navigateRequested.emit(view, _find_arn(self, view, name) or arn + name)


def _find_arn(tab: DetailTab, view: str, name: str) -> str | None:
    from iamdesk.services.queries import entities as queries_entities

    loader = {
        "users": (queries_entities.user_rows, "UserName"),
        "groups": (queries_entities.group_rows, "GroupName"),
        "roles": (queries_entities.role_rows, "RoleName"),
    }[view]
    for row in loader[0](tab.context.database, tab.context.account_id):
        if row[loader[1]] == name:
            return str(row["Arn"])
    return None


class VersionsTab(DetailTab):
    """Every version: View one (read-only, in the editor), Set as default (customer managed,
    undoable), Compare two (or one with the default). Double-click or Enter views."""

    title = "Versions"
    name = "Versions"

    def __init__(self, view: EntityView) -> None:
        super().__init__(view)
        self.list = make_list(["Version", "Default", "Created"], "policiesVersionsList")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.itemActivated.connect(lambda _item, _column: self.view_selected())
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.bar = ButtonBar(self, "policiesVersions")
        self.bar.add("View", "View", self.view_selected, "edit")
        self.bar.add("SetDefault", "Set as default", self.set_default_selected)
        self.bar.add("Compare", "Compare", self.compare_selected, "copy")
        self.bar.buttons["Compare"].setToolTip(
            "Compare two selected versions (Ctrl+click), or one with the default version"
        )
        self.message = QLabel()
        self.message.setObjectName("policiesVersionsMessage")
        self.bar.add_note(self.message)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(self.bar)
        self.opened: QWidget | None = None  # the last version or diff dialog opened

    def load(self, key: str, row: Row) -> None:
        from iamdesk.services.policies import list_policy_versions

        self.row = row
        self.list.clear()
        self.message.setText("")
        found = list_policy_versions(self.context.database, self.context.account_id, row["Arn"])
        for version in found["Versions"]:
            add_item(
                self.list,
                [
                    version["VersionId"],
                    "Yes" if version["IsDefaultVersion"] else "",
                    dates.short(version["CreateDate"]),
                ],
                version,
            )
        self._update_buttons()

    def selected(self) -> list[str]:
        items = sorted(self.list.selectedItems(), key=self.list.indexOfTopLevelItem)
        return [str(item.data(0, ITEM_ROLE)["VersionId"]) for item in items]

    def default(self) -> str:
        for i in range(self.list.topLevelItemCount()):
            version = self.list.topLevelItem(i).data(0, ITEM_ROLE)
            if version["IsDefaultVersion"]:
                return str(version["VersionId"])
        return ""

    def _update_buttons(self) -> None:
        chosen = self.selected()
        aws = self.row is not None and _is_aws(self.row)
        self.bar.buttons["View"].setEnabled(len(chosen) == 1)
        can_default = len(chosen) == 1 and chosen[0] != self.default() and not aws
        self.bar.buttons["SetDefault"].setEnabled(can_default)
        self.bar.buttons["SetDefault"].setToolTip(
            "AWS managed policies keep AWS's default version" if aws else ""
        )
        self.bar.buttons["Compare"].setEnabled(
            len(chosen) == 2 or (len(chosen) == 1 and chosen[0] != self.default())
        )

    def _text(self, version_id: str) -> str:
        from iamdesk.ui.editor.versions import version_document

        assert self.row is not None
        return version_document(self.context, self.context.account_id, self.row["Arn"], version_id)

    def view_selected(self) -> None:
        from iamdesk.ui.editor.versions import VersionView

        chosen = self.selected()
        if len(chosen) != 1 or self.row is None:
            return
        title = f"{self.row['PolicyName']} {chosen[0]}"
        if chosen[0] == self.default():
            title += " (default)"
        self.opened = VersionView(title, self._text(chosen[0]), self)
        self.opened.open()

    def compare_selected(self) -> None:
        from iamdesk.ui.editor.versions import VersionDiff

        chosen = self.selected()
        if len(chosen) == 1:
            chosen.append(self.default())
        if len(chosen) != 2 or chosen[0] == chosen[1]:
            return
        older, newer = sorted(chosen, key=lambda v: int(v.lstrip("v") or 0))
        self.opened = VersionDiff((older, self._text(older)), (newer, self._text(newer)), self)
        self.opened.open()

    def set_default_selected(self) -> None:
        from iamdesk.services.errors import IamError
        from iamdesk.ui.editor.versions import SetDefaultVersionCommand

        chosen = self.selected()
        if len(chosen) != 1 or self.row is None or _is_aws(self.row):
            return
        old, arn = self.default(), self.row["Arn"]
        command = SetDefaultVersionCommand(
            self.context, arn, self.context.account_id, old, chosen[0]
        )
        try:
            self.context.undo_stack.push(command)
        except IamError as exc:
            report(self, "Set default version", exc)
            return
        self.message.setText(f"{chosen[0]} is now the default version.")


class PolicyHistoryTab(HistoryTab):
    entity_type = "policy"


class PoliciesView(EntityView):
    kind = "policies"
    title = "Policies"
    watches = frozenset({"users", "groups", "roles"})

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.type_filter = QComboBox()
        self.type_filter.setObjectName("policiesTypeFilter")
        self.type_filter.addItem("All types", "")
        self.type_filter.addItem("Customer managed", "Customer managed")
        self.type_filter.addItem("AWS managed", "AWS managed")
        self.type_filter.addItem("In use", "used")
        self.type_filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.top.insertWidget(3, self.type_filter)

    def columns(self) -> Sequence[Column]:
        return (
            Column("Policy name", lambda r: r["PolicyName"], width=300),
            Column("Type", lambda r: r["Type"], width=130),
            Column(
                "Used as",
                # A policy in use only as a permissions boundary is in use: count both.
                lambda r: r["AttachmentCount"] + r["PermissionsBoundaryUsageCount"],
                align_right=True,
                width=70,
                tooltip=lambda r: (
                    f"attached to {plural(r['AttachmentCount'], 'entity')}, permissions"
                    f" boundary of {plural(r['PermissionsBoundaryUsageCount'], 'entity')}"
                ),
            ),
            Column("Versions", lambda r: r["Versions"], align_right=True, width=70),
            Column(
                "Updated",
                lambda r: dates.short(r["UpdateDate"]),
                sort=lambda r: r["UpdateDate"],
                width=130,
            ),
            Column("Description", lambda r: r["Description"], tooltip=lambda r: r["Description"]),
        )

    def toolbar_buttons(self) -> Sequence[tuple[str, str, str]]:
        return (("Create", "Create policy", "add"), ("Delete", "Delete", "delete"))

    def tab_classes(self) -> Sequence[type[DetailTab]]:
        return (DocumentTab, AttachedTab, VersionsTab, PolicyHistoryTab)

    def load_rows(self) -> list[Row]:
        from iamdesk.services.queries.entities import policy_rows

        rows = policy_rows(self.context.database, self.context.account_id)
        wanted = self.type_filter.currentData() if hasattr(self, "type_filter") else ""
        if wanted == "used":
            return [r for r in rows if r["AttachmentCount"] or r["PermissionsBoundaryUsageCount"]]
        if wanted:
            return [r for r in rows if r["Type"] == wanted]
        return rows

    def row_name(self, row: Row) -> str:
        return str(row["PolicyName"])

    def context_actions(self, row: Row) -> list[tuple[str, str, Callable[[], None]]]:
        found: list[tuple[str, str, Callable[[], None]]] = [
            ("Open in editor", "OpenEditor", lambda: self.open_in_editor(row)),
            ("Show entities", "ShowEntities", lambda: self.open_tab("Attached")),
        ]
        if _is_aws(row):
            found.append(("Create a customer copy…", "CopyPolicy", lambda: self.copy_policy(row)))
        return [*found, *super().context_actions(row)]

    def open_in_editor(self, row: Row) -> QWidget:
        """The Edit policy dialog (impact preview, undoable save); AWS managed ones read-only
        (it says why)."""
        from iamdesk.core.policy.document import PolicyKind
        from iamdesk.ui.editor.save_dialog import PolicySaveDialog
        from iamdesk.ui.editor.targets import PolicyTarget

        target = PolicyTarget(
            "managed",
            self.context.account_id,
            row["PolicyName"],
            PolicyKind.IDENTITY,
            arn=row["Arn"],
        )
        dialog = PolicySaveDialog(self.context, target, parent=self)
        if _is_aws(row):
            dialog.editor.set_read_only(True)
            dialog.save_button.setEnabled(False)
            dialog.message.setText(
                "AWS managed policies cannot be changed: create a customer copy to edit."
            )
        dialog.open()
        self.editor_dialog = dialog
        return dialog

    def copy_policy(self, row: Row) -> QWidget:
        """Create policy, prefilled with the AWS managed policy's default document."""
        from iamdesk.ui.dialogs.policy_dialogs import CreatePolicyDialog

        dialog = CreatePolicyDialog(self.context, self)
        dialog.name.setText(f"{row['PolicyName']}Copy")
        dialog.description.setText(f"Copy of the AWS managed policy {row['PolicyName']}")
        dialog.document.set_text(policy_document(self.context, row))
        self.open_naming(dialog)
        self.copy_dialog = dialog
        return dialog

    def search_text(self, row: Row) -> str:
        return f"{row['PolicyName']} {row['Path']} {row['Arn']} {row['Description']}"

    def on_create(self) -> None:
        from iamdesk.ui.dialogs.policy_dialogs import CreatePolicyDialog

        self.open_naming(CreatePolicyDialog(self.context, self))

    def on_delete(self) -> None:
        from iamdesk.ui import messages
        from iamdesk.ui.commands.policies import delete_policy

        row = self.selected_row()
        if row is None:
            return
        if _is_aws(row):
            messages.show_error(self, "Delete policy", "AWS managed policies cannot be deleted.")
            return
        arn = row["Arn"]

        def dependents() -> list[str]:
            hanging = []
            if row["AttachmentCount"]:
                hanging.append(f"attachments to {plural(row['AttachmentCount'], 'entity')}")
            if row["Versions"] > 1:
                hanging.append(f"{row['Versions'] - 1} non-default versions")
            return hanging

        confirm_delete(
            self, "policy", row["PolicyName"], lambda: delete_policy(self.context, arn), dependents
        )
