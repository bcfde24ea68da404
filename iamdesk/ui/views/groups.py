"""Groups: members and policies per group; detail tabs Permissions, Members, History."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from iamdesk.ui.models.table import Column, Row
from iamdesk.ui.views import dates
from iamdesk.ui.views.deleting import confirm_delete, counted, current_row
from iamdesk.ui.views.entity_view import DetailTab, EntityView
from iamdesk.ui.views.membership import MembersTab
from iamdesk.ui.views.permissions import PermissionsTab
from iamdesk.ui.views.tabs import (
    HistoryTab,
)

log = logging.getLogger(__name__)

# What a group holds that IAM wants gone before DeleteGroup, in the order AWS asks for it.
_GROUP_HOLDS = (
    ("Members", "member", ""),
    ("AttachedPolicies", "attached managed policy", ""),
    ("InlinePolicies", "inline policy", ""),
)


class GroupPermissionsTab(PermissionsTab):
    owner_kind = "group"


class GroupHistoryTab(HistoryTab):
    entity_type = "group"


class GroupsView(EntityView):
    kind = "groups"
    title = "User groups"
    watches = frozenset({"users", "policies"})

    def columns(self) -> Sequence[Column]:
        return (
            Column("Group name", lambda r: r["GroupName"], width=220),
            Column("Path", lambda r: r["Path"], width=100),
            Column("Users", lambda r: r["Members"], align_right=True, width=60),
            Column(
                "Policies",
                lambda r: r["AttachedPolicies"] + r["InlinePolicies"],
                align_right=True,
                width=70,
                tooltip=lambda r: f"{r['AttachedPolicies']} managed, {r['InlinePolicies']} inline",
            ),
            Column(
                "Created", lambda r: dates.short(r["CreateDate"]), sort=lambda r: r["CreateDate"]
            ),
        )

    def toolbar_buttons(self) -> Sequence[tuple[str, str, str]]:
        return (
            ("Create", "Create group", "add"),
            ("Edit", "Edit…", "edit"),
            ("Delete", "Delete", "delete"),
        )

    def tab_classes(self) -> Sequence[type[DetailTab]]:
        return (GroupPermissionsTab, MembersTab, GroupHistoryTab)

    def load_rows(self) -> list[Row]:
        from iamdesk.services.queries.entities import group_rows

        return group_rows(self.context.database, self.context.account_id)

    def row_name(self, row: Row) -> str:
        return str(row["GroupName"])

    def search_text(self, row: Row) -> str:
        return f"{row['GroupName']} {row['Path']} {row['Arn']} {row['GroupId']}"

    def on_create(self) -> None:
        from iamdesk.ui.dialogs.create_dialogs import CreateGroupDialog

        self.open_naming(CreateGroupDialog(self.context, self))

    def on_edit(self) -> None:
        from iamdesk.ui.dialogs.create_dialogs import EditEntityDialog

        row = self.selected_row()
        if row is None:
            return
        self.open_naming(
            EditEntityDialog(self.context, "group", row["GroupName"], row["Path"], self)
        )

    def on_delete(self) -> None:
        from iamdesk.ui.commands.identity import delete_group

        row = self.selected_row()
        if row is None:
            return
        name = row["GroupName"]

        def dependents() -> list[str]:
            r = current_row(self, name)
            return [] if r is None else counted(r, _GROUP_HOLDS)

        confirm_delete(self, "group", name, lambda: delete_group(self.context, name), dependents)
