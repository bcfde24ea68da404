"""One involved policy, read-only, with the statements that decided highlighted by their spans.

Green marks the Allow that decided, red the Deny, amber the near misses of an implicit deny.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from iamdesk.core.policy.document import Span
from iamdesk.ui.editor.code_view import CodeView

log = logging.getLogger(__name__)

ALLOW_COLOR = "#d4f4dd"
DENY_COLOR = "#fddede"
NEAR_MISS_COLOR = "#fff0c2"

TYPE_TITLES = {
    "identity": "Identity policy",
    "permissions_boundary": "Permissions boundary",
    "session_policy": "Session policy",
    "scps": "Service control policy",
    "rcps": "Resource control policy",
    "resource_policy": "Resource policy",
}


@dataclass(frozen=True, slots=True)
class Highlight:
    span: Span
    kind: str  # "allow", "deny" or "near-miss"
    note: str = ""


class PolicyView(QWidget):
    """Title line ("Identity policy · S3ReadOnly"), an Edit button, and the highlighted text."""

    editRequested = Signal(object)  # the Span of the first highlight, or None

    def __init__(
        self,
        title: str,
        text: str,
        highlights: list[Highlight],
        *,
        editable: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("testAccessPolicyView")
        self.highlights = highlights
        self.title = QLabel(title, self)
        self.title.setObjectName("testAccessPolicyTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.notes = QLabel(self)
        self.notes.setWordWrap(True)
        self.notes.setText("<br>".join(h.note for h in highlights if h.note))
        self.notes.setVisible(any(h.note for h in highlights))
        self.edit_button = QPushButton("Edit this policy", self)
        self.edit_button.setObjectName("testAccessEditPolicy")
        self.edit_button.setVisible(editable)
        self.edit_button.clicked.connect(
            lambda: self.editRequested.emit(highlights[0].span if highlights else None)
        )
        self.code = CodeView(self)
        self.code.setObjectName("testAccessPolicyText")
        self.code.setReadOnly(True)
        self.code.setPlainText(text)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title, 1)
        head.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addWidget(self.notes)
        layout.addWidget(self.code, 1)
        self._paint()

    def _paint(self) -> None:
        colors = {"allow": ALLOW_COLOR, "deny": DENY_COLOR, "near-miss": NEAR_MISS_COLOR}
        selections = []
        for highlight in self.highlights:
            selections.extend(
                self.code.line_selection(
                    highlight.span.start.line, highlight.span.end.line, colors[highlight.kind]
                )
            )
        self.code.set_layer("highlight", selections)
        if self.highlights:
            self.code.show_span(self.highlights[0].span)

    def highlighted_lines(self) -> dict[str, list[int]]:
        """Line numbers by highlight kind (what a user sees coloured)."""
        result: dict[str, list[int]] = {}
        for highlight in self.highlights:
            lines = range(highlight.span.start.line, highlight.span.end.line + 1)
            result.setdefault(highlight.kind, []).extend(lines)
        return result

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # Scrolling needs the final geometry: redo it once the view is on screen.
        if self.highlights:
            self.code.show_span(self.highlights[0].span)
