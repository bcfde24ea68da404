"""The Access Advisor tab of a user or role: each service its policies allow and when it was
last used (from imported CloudTrail activity), as IAM's console shows it. Services never used
come first, since they are what a least-privilege review removes."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QLabel, QVBoxLayout

from iamdesk.ui.models.table import Row
from iamdesk.ui.views import dates
from iamdesk.ui.views.entity_view import DetailTab, EntityView
from iamdesk.ui.views.tabs import add_item, list_items, make_list

log = logging.getLogger(__name__)

NOT_ACCESSED = "Not accessed in the imported activity"


class AccessAdvisorTab(DetailTab):
    title = "Access Advisor"
    name = "AccessAdvisor"

    def __init__(self, view: EntityView) -> None:
        super().__init__(view)
        stem = view.kind
        self.summary = QLabel()
        self.summary.setObjectName(f"{stem}AccessAdvisorSummary")
        self.summary.setWordWrap(True)
        self.services = make_list(
            ["Service", "Last accessed", "Entities that used it"], f"{stem}AccessAdvisorList"
        )
        self.services.header().resizeSection(0, 320)
        self.services.header().resizeSection(1, 260)
        self.services.setSortingEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.services, 1)

    def load(self, key: str, row: Row) -> None:
        from iamdesk.services.access_advisor import service_usage

        self.key, self.row = key, row
        usage = service_usage(self.context.database, self.context.account_id, str(row["Arn"]))
        usage.sort(key=lambda r: (r.get("LastAuthenticated") is not None, r["ServiceName"]))
        self.services.clear()
        for service in usage:
            when = service.get("LastAuthenticated")
            add_item(
                self.services,
                [
                    f"{service['ServiceName']} ({service['ServiceNamespace']})",
                    f"{dates.short(when)} ({dates.ago(when)})" if when else NOT_ACCESSED,
                    str(service["TotalAuthenticatedEntities"]),
                ],
                service,
            )
        unused = sum(1 for s in usage if "LastAuthenticated" not in s)
        self.summary.setText(
            f"{len(usage)} services allowed by the policies; {unused} not accessed."
            " Last access comes from the CloudTrail logs imported with iamdesk activity import."
            if usage
            else "No service is allowed by this entity's policies."
        )

    def shown_rows(self) -> list[list[str]]:
        """What the list shows, row by row (for tests that read back the picture)."""
        return [[item.text(c) for c in range(3)] for item in list_items(self.services)]
