"""The detail pane under the results: every involved policy with the deciding statements
highlighted, beside the explanation tree and the plain-English explanation."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QLayout,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from iamdesk.ui import theme
from iamdesk.ui.test_access.explanation_view import ExplanationView, statement_name
from iamdesk.ui.test_access.policy_view import TYPE_TITLES, Highlight, PolicyView
from iamdesk.ui.test_access.results_model import InvolvedPolicy, ResultRow, pattern_summary

log = logging.getLogger(__name__)

MAX_VISIBLE_LINES = 16
NARROW_DETAILS = 720  # px: below, the explanation goes under the policies


def highlights_for(row: ResultRow) -> dict[str, list[Highlight]]:
    """Policy label -> what to colour: deciding statements (for a wildcard resource, those that
    allow or deny within it), then near misses."""
    found: dict[str, list[Highlight]] = {}
    decision = row.decision
    if row.pattern is not None:
        for st in (*row.pattern.denying, *row.pattern.allowing):
            if st.span is None:
                continue
            kind = "allow" if st.effect == "Allow" else "deny"
            note = f"{st.effect} for {_EXTENT[st.extent]} {row.resource}"
            found.setdefault(st.label, []).append(Highlight(st.span, kind, note))
        return found  # (near misses are about the resource taken literally)
    for matched in decision.matched_statements:
        kind = "allow" if matched.effect == "Allow" else "deny"
        found.setdefault(matched.label, []).append(Highlight(matched.span, kind))
    for miss in getattr(decision, "near_misses", ()):
        note = f"Near miss ({statement_name(miss.statement_index, miss.sid)}): {miss.detail}"
        found.setdefault(miss.label, []).append(Highlight(miss.span, "near-miss", note))
    return found


_EXTENT = {"all": "every resource matching", "some": "part of"}


def pattern_text(row: ResultRow) -> str:
    """The answer for a wildcard resource, with the statements that allow and deny within it,
    then what the request gets with the resource taken literally."""
    pattern = row.pattern
    lines = [pattern_summary(row.resource, pattern)]
    for title, statements in (("Denied by", pattern.denying), ("Allowed by", pattern.allowing)):
        for st in statements:
            where = TYPE_TITLES.get(st.policy_type, st.policy_type)
            name = st.name or st.label
            level = _org_level(st.label)
            if level is not None:  # the same SCP is often attached at several levels
                name += " (root)" if level == 0 else f" (level {level})"
            resources = ", ".join(st.patterns) or "any resource"
            lines.append(
                f"{title} {where} {name}, {statement_name(st.statement_index, st.sid)}: "
                f"{resources} ({_EXTENT[st.extent]} the pattern)"
            )
    if not pattern.allowing and not pattern.denying:
        lines.append("No statement allows or denies within it.")
    lines.append("")
    lines.append(f"Taken as one resource named {row.resource}: {row.decision.explanation}")
    return "\n".join(lines)


def _org_level(label: str) -> int | None:
    """``"scps[1][0]"`` -> 1: the organization level an SCP or RCP is attached at."""
    if not label.startswith(("scps[", "rcps[")):
        return None
    return int(label.split("[", 2)[1].rstrip("]"))


def _blocking_types(decision: object) -> set[str]:
    """The evaluator policy types that failed to allow an implicitly denied request."""
    if getattr(decision, "decision", "") != "implicitDeny":
        return set()
    gate = str(getattr(decision, "gate", ""))
    return {"scp": {"scps"}, "cross_account": {"resource_policy", "identity"}}.get(gate, {gate})


class DetailPane(QWidget):
    editRequested = Signal(object, object)  # InvolvedPolicy, Span | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("testAccessDetails")
        self.views: dict[str, PolicyView] = {}
        self.policies_box = QWidget(self)
        self.policies_layout = QVBoxLayout(self.policies_box)
        self.policies_layout.setContentsMargins(4, 0, 4, 4)
        # Grow the box to its views' heights (the scroll area scrolls) rather than squeeze them.
        self.policies_layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("testAccessPolicies")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.policies_box)

        self.explanation = QLabel("Run a test, then select a result.", self)
        self.explanation.setObjectName("testAccessExplanationText")
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._style_explanation()
        self.tree = ExplanationView(self)
        self.tree.statementSelected.connect(self.reveal)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.explanation)
        right_layout.addWidget(self.tree, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("testAccessDetailSplitter")
        splitter.addWidget(self.scroll_area)
        splitter.addWidget(right)
        self.splitter = splitter
        self.scroll_area.setMinimumWidth(260)
        right.setMinimumWidth(240)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 430])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def minimumSizeHint(self) -> QSize:
        # What the narrow (stacked) arrangement needs: side by side is only used when there is
        # room for it, so its larger minimum must not hold the window wide.
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), 280), hint.height())

    def resizeEvent(self, event: Any) -> None:
        # Side by side needs room for both; a narrow pane puts the explanation under the
        # policies, full width, rather than squeezing it to a sliver.
        wide = event.size().width() >= NARROW_DETAILS
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)
            extent = event.size().width() if wide else event.size().height()
            self.splitter.setSizes([extent * 3 // 5, extent * 2 // 5])
        super().resizeEvent(event)

    def _style_explanation(self) -> None:
        background = theme.color_name("panel_bg")
        self.explanation.setStyleSheet(f"padding:6px; background:{background}; border-radius:4px")

    def changeEvent(self, event: QEvent) -> None:
        # The explanation's background is baked into a style sheet: re-read it for the new scheme.
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "explanation"):
            self._style_explanation()
        super().changeEvent(event)

    def clear(self) -> None:
        for view in self.views.values():
            view.setParent(None)
            view.deleteLater()
        self.views = {}
        while self.policies_layout.count():
            item = self.policies_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.tree.clear()

    def show_row(self, row: ResultRow) -> None:
        self.clear()
        decision = row.decision
        text = str(decision.explanation) if row.pattern is None else pattern_text(row)
        if row.allowed_if:
            text += "\n\nWould be " + "\nor ".join(row.allowed_if) + "."
        self.explanation.setText(text)
        marks = highlights_for(row)
        blocking = _blocking_types(decision)

        # Denies that decided first, then the allows that decided (the organization's SCP
        # allows last: FullAWSAccess is rarely the interesting part), near misses, the policy
        # type that failed to allow an implicit deny; everything else stays folded.
        def rank(policy: InvolvedPolicy) -> int:
            found = marks.get(policy.label, [])
            if any(h.kind == "deny" for h in found):
                return 0
            if any(h.kind == "allow" for h in found):
                return 2 if policy.policy_type in ("scps", "rcps") else 1
            if found:
                return 3
            return 4 if policy.policy_type in blocking else 5

        for policy in sorted(row.policies, key=rank):
            level = rank(policy)
            self._add_view(policy, marks.get(policy.label, []), open_=level != 2 and level < 5)
        self.policies_layout.addStretch(1)
        # The tree explains the request as given (for a wildcard resource: taken literally).
        deciding = {(m.label, m.statement_index) for m in decision.matched_statements}
        near = {(m.label, m.statement_index) for m in getattr(decision, "near_misses", ())}
        self.tree.show_trace(getattr(decision, "trace", ()), deciding, near)

    def _add_view(
        self, policy: InvolvedPolicy, highlights: list[Highlight], *, open_: bool
    ) -> None:
        title = TYPE_TITLES.get(policy.policy_type, policy.policy_type)
        name = policy.name or policy.label
        if policy.owner:
            name += f" (on {policy.owner})"
        level = _org_level(policy.label)
        if level is not None:
            # SCPs/RCPs apply root -> OUs -> account; each level needs its own Allow.
            name += " (root)" if level == 0 else f" (level {level})"
        view = PolicyView(
            f"{title} · {name}",
            policy.text,
            highlights,
            collapsed=not open_,
            parent=self.policies_box,
        )
        lines = min(max(policy.text.count("\n") + 1, 4), MAX_VISIBLE_LINES)
        height = view.code.fontMetrics().height() * lines + 2 * view.code.frameWidth() + 10
        view.code.setFixedHeight(height)
        view.editRequested.connect(lambda span, p=policy: self.editRequested.emit(p, span))
        self.views[policy.label] = view
        self.policies_layout.addWidget(view)

    def reveal(self, label: str, span: object) -> None:
        view = self.views.get(label)
        if view is None:
            return
        view.set_expanded(True)
        self.scroll_area.ensureWidgetVisible(view, 0, 0)
        view.code.show_span(span)  # type: ignore[arg-type]
