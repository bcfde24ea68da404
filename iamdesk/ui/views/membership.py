"""Group membership seen from either side: a user's Groups tab and a group's Members tab.

Both list the other side (name, path, created), add through a chooser of those not yet listed,
remove the selected one, and open it on a double-click; only which side is "own" differs, so a
subclass names the keys and the two service reads.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtWidgets import QVBoxLayout

from iamdesk.ui.models.table import Row
from iamdesk.ui.views import dates
from iamdesk.ui.views.entity_view import DetailTab, EntityView
from iamdesk.ui.views.tabs import (
    ITEM_ROLE,
    ButtonBar,
    add_item,
    list_items,
    make_list,
    report,
    selected_data,
)

log = logging.getLogger(__name__)


class MembershipTab(DetailTab):
    bar_name = ""  # object-name prefix: "<bar_name>AddButton", "<bar_name>List"
    add_text = ""
    own_key = ""  # "UserName" on the user's tab, "GroupName" on the group's
    other_key = ""
    other_kind = ""  # the view a double-click opens: "groups" or "users"
    heading = ""  # the list's first column

    def __init__(self, view: EntityView) -> None:
        super().__init__(view)
        self.bar = ButtonBar(self, self.bar_name)
        self.bar.add("Add", self.add_text, self.add, self.other_kind)
        self.bar.add("Remove", "Remove from group", self.remove)
        self.list = make_list([self.heading, "Path", "Created"], f"{self.bar_name}List")
        self.list.itemDoubleClicked.connect(
            lambda item, _c: self.view.navigateRequested.emit(
                self.other_kind, item.data(0, ITEM_ROLE)["Arn"]
            )
        )
        layout = QVBoxLayout(self)
        layout.addLayout(self.bar)
        layout.addWidget(self.list)

    def listed(self, own: str) -> list[dict[str, Any]]:
        """The other side's entities, as the services return them."""
        raise NotImplementedError

    def candidates(self) -> list[Row]:
        """Every entity of the other side in the account (table rows)."""
        raise NotImplementedError

    def chooser(self, own: str) -> tuple[str, str, list[str], list[str]]:
        """The add dialog's object-name prefix, title, column headings and row keys."""
        raise NotImplementedError

    def group_and_user(self, own: str, other: str) -> tuple[str, str]:
        return (other, own) if self.own_key == "UserName" else (own, other)

    def load(self, key: str, row: Row) -> None:
        self.row = row
        self.list.clear()
        for other in self.listed(row[self.own_key]):
            values = [other[self.other_key], other["Path"], dates.short(other["CreateDate"])]
            add_item(self.list, values, other)

    def add(self) -> None:
        from iamdesk.ui.commands.identity import add_user_to_group
        from iamdesk.ui.dialogs.choose_dialog import ChooseDialog

        if self.row is None:
            return
        own = self.row[self.own_key]
        current = {item.text(0) for item in list_items(self.list)}
        choices = [c for c in self.candidates() if c[self.other_key] not in current]

        def submit(rows: list[Row]) -> None:
            # One dialog, one undo step however many were chosen.
            names = [str(other[self.other_key]) for other in rows]
            stack = self.context.undo_stack
            if len(names) > 1:
                stack.beginMacro(f"Add {len(names)} memberships of {own}: {', '.join(names)}")
            try:
                for name in names:
                    add_user_to_group(self.context, *self.group_and_user(own, name))
            finally:
                if len(names) > 1:
                    stack.endMacro()

        name, title, headings, keys = self.chooser(own)
        dialog = ChooseDialog(name, title, headings, keys, choices, submit, self)
        dialog.accepted.connect(self.view.refresh_detail)
        dialog.open()

    def remove(self) -> None:
        from iamdesk.services.errors import IamError
        from iamdesk.ui.commands.identity import remove_user_from_group

        other = selected_data(self.list)
        if other is None or self.row is None:
            return
        pair = self.group_and_user(self.row[self.own_key], other[self.other_key])
        try:
            remove_user_from_group(self.context, *pair)
        except IamError as exc:
            report(self, "Remove from group", exc)
        self.view.refresh_detail()


class UserGroupsTab(MembershipTab):
    title = "Groups"
    name = "Groups"
    bar_name = "usersGroups"
    add_text = "Add to groups…"
    own_key, other_key, other_kind, heading = "UserName", "GroupName", "groups", "Group"

    def listed(self, own: str) -> list[dict[str, Any]]:
        from iamdesk.services.groups import list_groups_for_user

        found = list_groups_for_user(self.context.database, self.context.account_id, own)
        return list(found["Groups"])

    def candidates(self) -> list[Row]:
        from iamdesk.services.queries.entities import group_rows

        return group_rows(self.context.database, self.context.account_id)

    def chooser(self, own: str) -> tuple[str, str, list[str], list[str]]:
        return (
            "addToGroups",
            f"Add {own} to groups",
            ["Group", "Path", "Members", "Policies"],
            ["GroupName", "Path", "Members", "AttachedPolicies"],
        )


class MembersTab(MembershipTab):
    title = "Members"
    name = "Members"
    bar_name = "groupsMembers"
    add_text = "Add users…"
    own_key, other_key, other_kind, heading = "GroupName", "UserName", "users", "User"

    def listed(self, own: str) -> list[dict[str, Any]]:
        from iamdesk.services.groups import get_group

        found = get_group(self.context.database, self.context.account_id, own)
        return list(found["Users"])

    def candidates(self) -> list[Row]:
        from iamdesk.services.queries.entities import user_rows

        return user_rows(self.context.database, self.context.account_id)

    def chooser(self, own: str) -> tuple[str, str, list[str], list[str]]:
        return (
            "addMembers",
            f"Add users to {own}",
            ["User", "Path", "Groups"],
            ["UserName", "Path", "Groups"],
        )
