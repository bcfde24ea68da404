"""Create user / group dialogs, and the tag dialog."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from iamdesk.ui.context import AppContext
from iamdesk.ui.dialogs.form import FormDialog, parse_tags


def _check_tags(tags: dict[str, str]) -> None:
    from iamdesk.services.validation import check_tags

    check_tags([{"Key": k, "Value": v} for k, v in tags.items()])


class CreateUserDialog(FormDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("createUser", "Create user", parent)
        from iamdesk.services.validation import check_name, check_path

        self.context = context
        self.name = self.line("Name", "User name", "e.g. alice (up to 64 characters)")
        self.path = self.line("Path", "Path", "/", "/")
        self.tags = self.text_box("Tags", "Tags", "one key=value per line")
        self.add_check(lambda: check_name(self.name.text(), "userName"))
        self.add_check(lambda: check_path(self.path.text() or "/"))
        self.add_check(lambda: _check_tags(parse_tags(self.tags.toPlainText())))
        self.validate()

    def perform(self) -> None:
        from iamdesk.ui.commands.identity import create_user

        create_user(
            self.context,
            self.name.text(),
            self.path.text() or "/",
            parse_tags(self.tags.toPlainText()),
        )


class CreateGroupDialog(FormDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("createGroup", "Create group", parent)
        from iamdesk.services.validation import check_name, check_path

        self.context = context
        self.name = self.line("Name", "Group name", "e.g. Developers (up to 128 characters)")
        self.path = self.line("Path", "Path", "/", "/")
        self.add_check(lambda: check_name(self.name.text(), "groupName"))
        self.add_check(lambda: check_path(self.path.text() or "/"))
        self.validate()

    def perform(self) -> None:
        from iamdesk.ui.commands.identity import create_group

        create_group(self.context, self.name.text(), self.path.text() or "/")


class TagDialog(FormDialog):
    ok_text = "Add"

    def __init__(self, parent: QWidget | None, submit: Callable[[str, str], None]) -> None:
        super().__init__("tag", "Add tag", parent)
        self._submit = submit
        self.key = self.line("Key", "Key", "e.g. CostCenter")
        self.value = self.line("Value", "Value", "may be empty")
        self.add_check(lambda: _check_tags({self.key.text(): self.value.text()}))
        self.validate()

    def perform(self) -> None:
        self._submit(self.key.text(), self.value.text())


class EditEntityDialog(FormDialog):
    """Rename or move a user or group (IAM's UpdateUser / UpdateGroup); the ARN follows."""

    ok_text = "Save"

    def __init__(
        self, context: AppContext, kind: str, name: str, path: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(f"edit{kind.title()}", f"Edit {kind} {name}", parent)
        from iamdesk.services.validation import check_name, check_path

        self.context = context
        self.kind = kind
        self.old_name = name
        self.old_path = path
        field = {"user": "newUserName", "group": "newGroupName"}[kind]
        self.name = self.line("Name", "Name", text=name)
        self.path = self.line("Path", "Path", text=path)
        self.add_check(lambda: check_name(self.name.text(), field))
        self.add_check(lambda: check_path(self.path.text() or "/", "newPath"))
        self.add_check(self._changed)
        self.validate()

    def _changed(self) -> None:
        if self.name.text() == self.old_name and (self.path.text() or "/") == self.old_path:
            raise ValueError("Change the name or the path.")

    def perform(self) -> None:
        from iamdesk.ui.commands.identity import rename_entity

        rename_entity(
            self.context,
            self.kind,
            self.old_name,
            self.old_path,
            self.name.text(),
            self.path.text() or "/",
        )
