"""Dashboard: the account summary (counts against IAM's quotas), the best-practice findings
``iamdesk.analysis.best_practices`` reports (credentials, administrators, risky trust and
wildcards, policies with findings) with links to them, and the latest changes."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iamdesk.ui import theme
from iamdesk.ui.context import AppContext
from iamdesk.ui.icons import icon
from iamdesk.ui.messages import describe
from iamdesk.ui.views import dates
from iamdesk.ui.views.reloading import ReloadWhenShown
from iamdesk.ui.views.tabs import ITEM_ROLE, add_item, make_list
from iamdesk.ui.workers import TaskRunner

if TYPE_CHECKING:  # the analysis (and the database layer) load on the first reload
    from iamdesk.analysis.best_practices import BestPracticeFinding

log = logging.getLogger(__name__)

VIEW_OF_ENTITY = {"user": "users", "group": "groups", "role": "roles", "policy": "policies"}
VIEW_OF_KIND = {**VIEW_OF_ENTITY, "resource": "resources"}

CARDS = (
    ("users", "Users", "Users", "UsersQuota"),
    ("groups", "User groups", "Groups", "GroupsQuota"),
    ("roles", "Roles", "Roles", "RolesQuota"),
    ("policies", "Customer managed policies", "Policies", "PoliciesQuota"),
)


class Card(QFrame):
    def __init__(self, view: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"dashboard{view.title()}Card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.count = QLabel("–")
        font = self.count.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.count.setFont(font)
        self.link = QLabel(f"<a href='{view}'>{title}</a>")
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(6)
        self.quota = QLabel()
        self.quota.setObjectName(f"dashboard{view.title()}Quota")
        header = QHBoxLayout()
        picture = QLabel()
        picture.setPixmap(icon(view).pixmap(22, 22))
        header.addWidget(picture)
        header.addWidget(self.link, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.count)
        layout.addWidget(self.bar)
        layout.addWidget(self.quota)

    def set_value(self, count: int, quota: int) -> None:
        self.count.setText(f"{count:,}")
        self.bar.setRange(0, max(quota, 1))
        self.bar.setValue(min(count, quota))
        percent = 100 * count // max(quota, 1)
        text = f"{count:,} of {quota:,} allowed ({percent}%)"
        # An imported account can hold more than the default quota; past it AWS refuses to
        # create more unless the account's quota was raised, which a person must know.
        if count > quota:
            text += " — over the quota"
            colour = theme.color_name("error_fg")
        elif percent >= 90:
            colour = theme.color_name("warn_fg")
        else:
            colour = theme.color_name("muted_fg")
        self.quota.setStyleSheet(f"color: {colour};")
        self.quota.setText(text)
        self.quota.setToolTip(
            f"Over IAM's default quota of {quota:,}: AWS refuses to create more (LimitExceeded)"
            " unless the account's quota was raised."
            if count > quota
            else ""
        )


def _find_issues(db: Any, account: str) -> list[BestPracticeFinding]:
    """In the task: the analysis modules (~60 ms to import) load off the GUI thread too."""
    from iamdesk.analysis.best_practices import find_best_practice_issues

    return find_best_practice_issues(db, account)


class DashboardView(ReloadWhenShown, QScrollArea):
    navigateRequested = Signal(str, str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardView")
        self.context = context
        self._dirty = True
        self._tasks = TaskRunner(self)
        self._generation = 0
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.setWidget(body)
        self.heading = QLabel()
        self.heading.setObjectName("dashboardHeading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        cards = QGridLayout()
        self.cards: dict[str, Card] = {}
        for column, (view, title, _key, _quota) in enumerate(CARDS):
            card = Card(view, title)
            card.link.linkActivated.connect(self._open_view)
            self.cards[view] = card
            cards.addWidget(card, 0, column)

        findings = QGroupBox("Security recommendations")
        self.findings = make_list(["Finding", "Who", "Detail"], "dashboardFindings")
        self.findings.header().resizeSection(0, 300)
        self.findings.header().resizeSection(1, 220)
        self.findings.itemActivated.connect(self._open_finding)
        self.findings.itemDoubleClicked.connect(self._open_finding)
        self.findings_note = QLabel()
        self.findings_note.setObjectName("dashboardFindingsNote")
        box = QVBoxLayout(findings)
        box.addWidget(self.findings_note)
        box.addWidget(self.findings)

        recent = QGroupBox("Recent changes")
        self.recent = make_list(["When (UTC)", "Operation", "On", "By"], "dashboardRecent")
        self.recent.header().resizeSection(0, 150)
        self.recent.header().resizeSection(1, 200)
        self.recent.header().resizeSection(2, 260)
        self.recent.itemDoubleClicked.connect(self._open_change)
        QVBoxLayout(recent).addWidget(self.recent)

        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.heading)
        layout.addLayout(cards)
        layout.addWidget(findings, 3)
        layout.addWidget(recent, 2)
        context.modelChanged.connect(self.mark_dirty)
        context.accountChanged.connect(self.mark_dirty)
        context.databaseChanged.connect(self.mark_dirty)

    def reload(self) -> None:
        self._dirty = False
        db, account = self.context.database, self.context.account_id
        if db is None:
            return  # nothing open yet; the database layer is not even imported
        from iamdesk.services.account import get_account_summary
        from iamdesk.services.queries.accounts import list_accounts
        from iamdesk.services.queries.history import list_changes

        summary = get_account_summary(db, account)["SummaryMap"]
        info = next((a for a in list_accounts(db) if a["AccountId"] == account), {})
        name = info.get("Alias") or info.get("Name") or ""
        self.heading.setText(
            f"<h2 style='margin:0'>Account {account}"
            f"{f' — {name}' if name else ''}</h2>"
            + theme.muted(
                f"{summary['MFADevicesInUse']} of {summary['MFADevices']} MFA devices in use"
                f" · {summary['PolicyVersionsInUse']} policy attachments"
            )
        )
        for view, _title, key, quota in CARDS:
            self.cards[view].set_value(int(summary[key]), int(summary[quota]))
        # Best practices evaluate every principal's policies: off the GUI thread, the newest
        # request wins (a reload while one runs makes the older answer stale).
        self._generation += 1
        generation = self._generation
        self.findings_note.setText("Checking best practices…")
        self._tasks.start(
            lambda _control: _find_issues(db, account),
            name="best practices",
            on_done=lambda found: self._fill_findings(found, generation),
            on_error=lambda exc: self._findings_failed(exc, generation),
        )
        self.recent.clear()
        for entry in list_changes(db, account, limit=12):
            add_item(
                self.recent,
                [
                    dates.short(entry["At"]),
                    entry["Operation"],
                    f"{entry['EntityType']} {entry['EntityName']}",
                    entry["Actor"],
                ],
                entry,
            )

    def _findings_failed(self, exc: BaseException, generation: int) -> None:
        if generation == self._generation:
            log.error("best practices failed: %s", exc)
            self.findings_note.setText(f"Best practices could not be checked: {describe(exc)}")

    def _fill_findings(self, findings: list[BestPracticeFinding], generation: int) -> None:
        from iamdesk.analysis.best_practices import TITLES

        if generation != self._generation:
            return
        self.findings.clear()
        for finding in findings:
            view = VIEW_OF_KIND.get(finding.entity.kind, "")
            item = add_item(
                self.findings,
                [
                    TITLES.get(finding.check_id, finding.check_id),
                    finding.entity.name,
                    finding.detail,
                ],
                (view, finding.entity.arn),
            )
            item.setIcon(0, icon("warning"))
        found = len(findings)
        self.findings_note.setText(
            f"{found} finding{'s' if found != 1 else ''} · double-click one to open it"
            if found
            else "No findings: every console user has MFA and no credential is stale."
        )

    def _open_change(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        entry = item.data(0, ITEM_ROLE)
        view = VIEW_OF_ENTITY.get(entry["EntityType"])
        if view is None:
            return
        name = entry["EntityName"]
        # Policies are logged by ARN, the others by name.
        self.navigateRequested.emit(view, name if view == "policies" else f"name:{name}")

    def _open_view(self, view: str) -> None:
        self.navigateRequested.emit(view, "")

    def _open_finding(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        view, arn = item.data(0, ITEM_ROLE)
        self.navigateRequested.emit(view, arn)
