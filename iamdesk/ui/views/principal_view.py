"""What the Users and Roles views share: a principal's row menu (Test access as this user or
role, Attach policies, then the common Copy ARN / Edit / Delete)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from iamdesk.ui.models.table import Row
from iamdesk.ui.views.entity_view import EntityView

log = logging.getLogger(__name__)


class PrincipalView(EntityView):
    principal_word = ""  # "user" | "role": how the menu names the row

    def context_actions(self, row: Row) -> list[tuple[str, str, Callable[[], None]]]:
        arn = str(row["Arn"])
        return [
            (
                f"Test access as this {self.principal_word}",
                "TestAccess",
                lambda: self.navigateRequested.emit("test-access", arn),
            ),
            ("Attach policies…", "Attach", self.attach_policies),
            *super().context_actions(row),
        ]

    def attach_policies(self) -> None:
        """The Permissions tab's Attach, from the row menu."""
        tab = self.open_tab("Permissions")
        if tab is not None:
            tab.attach()  # type: ignore[attr-defined]
