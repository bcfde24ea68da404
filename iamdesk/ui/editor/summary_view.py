"""The Summary tab: the policy's access per service, like the AWS console's policy summary."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iamdesk.core.policy.document import PolicyParseError, Span
from iamdesk.core.policy.parser import parse_policy
from iamdesk.ui import theme
from iamdesk.ui.editor.summary import ServiceSummary, summarize_text
from iamdesk.ui.messages import describe

if TYPE_CHECKING:
    from iamdesk.ui.editor.policy_editor import PolicyEditor

log = logging.getLogger(__name__)

COLUMNS = ["Service", "Access level", "Resource", "Request condition"]
_ROW_ROLE = Qt.ItemDataRole.UserRole + 1


class SummaryView(QWidget):
    def __init__(self, editor: PolicyEditor) -> None:
        super().__init__(editor)
        self.editor = editor
        self.setObjectName("policySummary")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("policySummaryTree")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(1, 240)
        header.resizeSection(2, 260)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.message)
        layout.addWidget(self.tree, 1)
        self.rows: list[ServiceSummary] = []
        self.tree.itemDoubleClicked.connect(self._show_statements)
        self.tree.setToolTip("Double-click a service to see the statements that grant it")

    def statements_for(self, effect: str, service: str) -> list[Span]:
        """Spans of the statements with ``effect`` whose actions reach ``service``."""
        try:
            document = parse_policy(self.editor.text())
        except PolicyParseError:
            return []
        spans = []
        for statement in document.statements:
            if statement.effect != effect:
                continue
            patterns = [v.text for v in statement.action or statement.not_action or ()]
            prefixes = {p.split(":", 1)[0].lower() for p in patterns}
            if statement.not_action is not None or "*" in prefixes or service.lower() in prefixes:
                spans.append(statement.span)
        return spans

    def _show_statements(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        key = item.data(0, _ROW_ROLE)
        if not key:
            return
        spans = self.statements_for(*key)
        if spans:
            self.editor.go_to_span(spans[0], highlight=theme.color_name("span_bg"))

    def refresh(self) -> None:
        self.tree.clear()
        try:
            self.rows = summarize_text(self.editor.text())
        except (json.JSONDecodeError, ValueError) as error:
            self.rows = []
            self.message.setText(f"No summary: the JSON is not valid ({describe(error)}).")
            return
        allow = [r for r in self.rows if r.effect == "Allow"]
        deny = [r for r in self.rows if r.effect == "Deny"]
        warned = sum(1 for r in self.rows if r.wildcard_notes)
        text = f"Allow ({len(allow)} services)"
        if deny:
            text += f", Deny ({len(deny)} services)"
        if warned:
            warn = theme.color_name("warn_fg")
            text += (
                f". <b style='color:{warn}'>{warned} service(s) where a wildcard grants more "
                "than it seems</b> (hover the row)."
            )
        self.message.setText(text)
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for effect, rows in (("Allow", allow), ("Deny", deny)):
            if not rows:
                continue
            head = QTreeWidgetItem([f"{effect} ({len(rows)} services)", "", "", ""])
            head.setFont(0, bold)
            head.setForeground(
                0, QBrush(theme.color("allow_fg" if effect == "Allow" else "deny_fg"))
            )
            self.tree.addTopLevelItem(head)
            for row in rows:
                item = QTreeWidgetItem(
                    [row.service_name, row.access, row.resource_text, row.condition_text]
                )
                tip = [f"{row.service}: {len(row.granted)} of {row.total} actions"]
                tip.extend(f"{lvl}: {n} of {of}" for lvl, (n, of) in row.level_counts.items())
                tip.extend(row.wildcard_notes)
                for column in range(len(COLUMNS)):
                    item.setToolTip(column, "\n".join(tip))
                if row.wildcard_notes:
                    item.setForeground(1, QBrush(theme.color("warn_fg")))
                    item.setText(1, row.access + "  ⚠")
                if not row.known:
                    item.setForeground(0, QBrush(theme.color("deny_fg")))
                item.setData(0, _ROW_ROLE, (row.effect, row.service))
                head.addChild(item)
            head.setExpanded(True)
