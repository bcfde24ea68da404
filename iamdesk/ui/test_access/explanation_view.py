"""The explanation tree: each involved policy, each statement, and for each statement whether
Action, Resource, Principal and every condition matched, and why not (the evaluator's trace)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from iamdesk.ui import theme
from iamdesk.ui.test_access.policy_view import TYPE_TITLES

log = logging.getLogger(__name__)

_SPAN_ROLE = Qt.ItemDataRole.UserRole + 1
_LABEL_ROLE = Qt.ItemDataRole.UserRole + 2
# Theme colour names, resolved when an item is made.
GREEN = "allow_fg"
RED = "deny_fg"
GREY = "muted_fg"
AMBER = "warn_fg"


def _item(text: str, color: str) -> QTreeWidgetItem:
    item = QTreeWidgetItem([text])
    item.setForeground(0, QBrush(theme.color(color)))
    item.setToolTip(0, text)
    return item


def _element(name: str, result: Any) -> QTreeWidgetItem:
    if result.matched:
        return _item(f"{name}: matches", GREEN)
    reason = result.reason.text if result.reason is not None else "does not match"
    return _item(f"{name}: {reason}", RED)


def _condition(trace: Any) -> QTreeWidgetItem:
    given = (
        "absent from the request"
        if trace.request_values is None
        else "request has " + ", ".join(trace.request_values)
    )
    if trace.matched:
        text, color = f"holds ({given})", GREEN
    else:
        reason = trace.reason.text if trace.reason is not None else "not met"
        text, color = f"{reason} ({given})", RED
    item = _item(f"Condition {trace.operator} {trace.key}: {text}", color)
    item.setData(0, _SPAN_ROLE, trace.span)
    return item


def statement_name(index: int, sid: str | None) -> str:
    """ "statement 0 (Sid)": numbered from 0 as the evaluator's trace, the explanation text,
    `iamdesk simulate` and Access Analyzer's ``Statement[0]`` paths number them, so the tree
    and the sentence above it name a statement the same way."""
    return f"statement {index}" + (f" ({sid})" if sid else "")


class ExplanationView(QTreeWidget):
    """Selecting a statement emits its policy label and span so the policy view can show it."""

    statementSelected = Signal(str, object)  # policy label, Span

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("testAccessExplanation")
        self.setColumnCount(1)
        self.setHeaderLabels(["Why: each policy, statement and element"])
        self.setAlternatingRowColors(True)
        header = self.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.currentItemChanged.connect(self._current_changed)

    def show_trace(
        self, traces: Sequence[Any], deciding: set[tuple[str, int]], near: set[tuple[str, int]]
    ) -> None:
        """``deciding``/``near``: (label, statement index) pairs to mark as such."""
        self.clear()
        bold = QFont(self.font())
        bold.setBold(True)
        policies: dict[str, QTreeWidgetItem] = {}
        for trace in traces:
            head = policies.get(trace.label)
            if head is None:
                title = TYPE_TITLES.get(trace.policy_type, trace.policy_type)
                head = QTreeWidgetItem([f"{title}: {trace.name or trace.label}"])
                head.setFont(0, bold)
                head.setData(0, _LABEL_ROLE, trace.label)
                policies[trace.label] = head
                self.addTopLevelItem(head)
            name = statement_name(trace.statement_index, trace.sid)
            key = (trace.label, trace.statement_index)
            if key in deciding:
                verdict = "decided: " + ("allows" if trace.effect == "Allow" else "denies")
                color = GREEN if trace.effect == "Allow" else RED
            elif key in near:
                verdict, color = "near miss: failed on " + ", ".join(trace.failed_elements), AMBER
            elif trace.matched:
                verdict, color = (
                    f"matches ({trace.effect})",
                    GREEN if trace.effect == "Allow" else RED,
                )
            else:
                verdict = "does not apply: " + ", ".join(trace.failed_elements)
                color = GREY
            item = _item(f"{trace.effect} · {name} — {verdict}", color)
            if key in deciding or key in near:
                item.setFont(0, bold)
            item.setData(0, _SPAN_ROLE, trace.span)
            item.setData(0, _LABEL_ROLE, trace.label)
            item.addChild(_element("Action", trace.action))
            item.addChild(_element("Resource", trace.resource))
            if trace.principal is not None:
                item.addChild(_element("Principal", trace.principal))
            for condition in trace.conditions:
                child = _condition(condition)
                child.setData(0, _LABEL_ROLE, trace.label)
                item.addChild(child)
            head.addChild(item)
            # Open what matters: the deciding statements and the near misses.
            item.setExpanded(key in deciding or key in near)
            head.setExpanded(True)

    def statement_items(self) -> list[QTreeWidgetItem]:
        items: list[QTreeWidgetItem] = []
        for i in range(self.topLevelItemCount()):
            head = self.topLevelItem(i)
            items.extend(head.child(j) for j in range(head.childCount()))
        return items

    def _current_changed(self, current: QTreeWidgetItem | None, _previous: Any) -> None:
        if current is None:
            return
        span = current.data(0, _SPAN_ROLE)
        label = current.data(0, _LABEL_ROLE)
        if span is not None and label is not None:
            self.statementSelected.emit(str(label), span)
