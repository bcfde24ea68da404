"""Users: the table (groups, policies, MFA, console access, keys and their age, last activity)
and the detail tabs Permissions, Groups, Security credentials, Tags, History."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from iamdesk.ui import messages
from iamdesk.ui.models.table import Column, Row
from iamdesk.ui.views import dates
from iamdesk.ui.views.access_advisor import AccessAdvisorTab
from iamdesk.ui.views.credentials import CredentialsTab
from iamdesk.ui.views.deleting import confirm_delete, counted, current_row
from iamdesk.ui.views.entity_view import DetailTab, EntityView
from iamdesk.ui.views.membership import UserGroupsTab
from iamdesk.ui.views.permissions import PermissionsTab
from iamdesk.ui.views.tabs import (
    HistoryTab,
    TagsTab,
)

log = logging.getLogger(__name__)

KEY_ROTATION_DAYS = 90  # AWS's recommended rotation period (Trusted Advisor, Security Hub IAM.3)


def _yes(value: object) -> str:
    return "Yes" if value else "No"


class UserPermissionsTab(PermissionsTab):
    owner_kind = "user"


class UserTagsTab(TagsTab):
    entity_type = "user"


class UserHistoryTab(HistoryTab):
    entity_type = "user"


class UsersView(EntityView):
    kind = "users"
    title = "Users"
    watches = frozenset({"groups", "policies", "access_keys", "mfa", "login_profiles", "tags"})

    def columns(self) -> Sequence[Column]:
        return (
            Column("User name", lambda r: r["UserName"], width=180),
            Column("Path", lambda r: r["Path"], width=90),
            Column("Groups", lambda r: r["Groups"], align_right=True, width=60),
            Column(
                "Policies",
                lambda r: r["AttachedPolicies"] + r["InlinePolicies"],
                align_right=True,
                width=60,
                tooltip=lambda r: f"{r['AttachedPolicies']} managed, {r['InlinePolicies']} inline",
            ),
            Column(
                "MFA",
                lambda r: _yes(r["MfaDevices"]),
                width=50,
                warn=lambda r: r["ConsoleAccess"] and not r["MfaDevices"],
                tooltip=lambda r: (
                    "Console access without MFA"
                    if r["ConsoleAccess"] and not r["MfaDevices"]
                    else None
                ),
            ),
            Column("Console", lambda r: _yes(r["ConsoleAccess"]), width=64),
            Column("Keys", lambda r: r["ActiveAccessKeys"], align_right=True, width=50),
            Column(
                "Key age",
                lambda r: (
                    f"{d} days"
                    if (d := dates.age_days(r["OldestActiveKeyDate"])) is not None
                    else ""
                ),
                sort=lambda r: dates.age_days(r["OldestActiveKeyDate"]),
                align_right=True,
                width=80,
                warn=lambda r: (dates.age_days(r["OldestActiveKeyDate"]) or 0) > KEY_ROTATION_DAYS,
            ),
            Column(
                "Last activity",
                lambda r: dates.ago(r["LastActivity"]),
                sort=lambda r: r["LastActivity"] or "",
                width=110,
            ),
            Column(
                "Created", lambda r: dates.short(r["CreateDate"]), sort=lambda r: r["CreateDate"]
            ),
        )

    def toolbar_buttons(self) -> Sequence[tuple[str, str, str]]:
        return (
            ("Create", "Create user", "add"),
            ("Edit", "Edit…", "edit"),
            ("Delete", "Delete", "delete"),
        )

    def tab_classes(self) -> Sequence[type[DetailTab]]:
        return (
            UserPermissionsTab,
            UserGroupsTab,
            CredentialsTab,
            UserTagsTab,
            AccessAdvisorTab,  # after Tags: the tabs before it keep their places
            UserHistoryTab,
        )

    def load_rows(self) -> list[Row]:
        from iamdesk.services.queries.entities import user_rows

        return user_rows(self.context.database, self.context.account_id)

    def row_name(self, row: Row) -> str:
        return str(row["UserName"])

    def context_actions(self, row: Row) -> list[tuple[str, str, Callable[[], None]]]:
        arn = str(row["Arn"])

        def attach() -> None:
            tab = self.open_tab("Permissions")
            if tab is not None:
                tab.attach()  # type: ignore[attr-defined]

        return [
            (
                "Test access as this user",
                "TestAccess",
                lambda: self.navigateRequested.emit("test-access", arn),
            ),
            ("Attach policies…", "Attach", attach),
            *super().context_actions(row),
        ]

    def search_text(self, row: Row) -> str:
        return f"{row['UserName']} {row['Path']} {row['Arn']} {row['UserId']}"

    def on_create(self) -> None:
        from iamdesk.ui.dialogs.create_dialogs import CreateUserDialog

        self.open_naming(CreateUserDialog(self.context, self))

    def on_edit(self) -> None:
        from iamdesk.ui.dialogs.create_dialogs import EditEntityDialog

        row = self.selected_row()
        if row is None:
            return
        self.open_naming(EditEntityDialog(self.context, "user", row["UserName"], row["Path"], self))

    def on_delete(self) -> None:
        from iamdesk.ui.commands.identity import delete_user

        row = self.selected_row()
        if row is None:
            return
        name = row["UserName"]
        from iamdesk.ui.commands.user_removal import (
            belongings,
            delete_user_and_belongings,
            describe,
            note,
        )

        found = belongings(self.context, name)
        if not found.empty:
            # As the console does: offer to remove what the user has, all in one step.
            messages.confirm(
                self,
                "Delete user",
                f"Delete the user {name} and " + ", ".join(describe(found)) + "?",
                lambda: delete_user_and_belongings(self.context, name),
                informative=note(found),
                yes_text="Delete all",
                object_name="confirmDeleteBox",
            )
            return
        confirm_delete(
            self,
            "user",
            name,
            lambda: delete_user(self.context, name),
            lambda: user_dependents(self, name),
        )


def user_dependents(view: EntityView, name: str) -> list[str]:
    """What stops IAM from deleting the user, in the order AWS asks to remove it."""
    r = current_row(view, name)
    if r is None:
        return []
    found = ["a console password (login profile)"] if r["ConsoleAccess"] else []
    return found + counted(
        r,
        (
            ("AccessKeys", "access key", ""),
            ("MfaDevices", "MFA device", ""),
            ("InlinePolicies", "inline policy", ""),
            ("AttachedPolicies", "attached managed policy", ""),
            ("Groups", "group", "membership in "),
        ),
    )
