"""One involved policy, read-only, with the statements that decided highlighted by their spans.

Green marks the Allow that decided, red the Deny, amber the near misses of an implicit deny.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from iamdesk.core.policy.document import Span
from iamdesk.ui import theme
from iamdesk.ui.editor.code_view import CodeView
from iamdesk.ui.icons import icon

log = logging.getLogger(__name__)

# Looked up when painting, so each kind's background follows the palette's scheme.
_COLORS = theme.ThemedColors({"allow": "allow_bg", "deny": "deny_bg", "near-miss": "near_miss_bg"})

TYPE_TITLES = {
    "identity": "Identity policy",
    "permissions_boundary": "Permissions boundary",
    "session_policy": "Session policy",
    "scps": "SCP",
    "rcps": "RCP",
    "resource_policy": "Resource policy",
    "endpoint_policy": "VPC endpoint policy",
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
        collapsed: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        """``collapsed`` shows only the title until the user opens it (policies that did not
        decide: building and painting every text would slow each run down)."""
        super().__init__(parent)
        self.setObjectName("testAccessPolicyView")
        self.highlights = highlights
        self.title = QLabel(title, self)
        self.title.setObjectName("testAccessPolicyTitle")
        self.title.setToolTip(title)
        # A long title gives way (elided by the layout) so the buttons stay in view.
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(120)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.notes = QLabel(self)
        self.notes.setWordWrap(True)
        self.notes.setText("<br>".join(h.note for h in highlights if h.note))
        self.notes.setVisible(any(h.note for h in highlights))
        self.edit_button = QPushButton("Edit this policy", self)
        self.edit_button.setObjectName("testAccessEditPolicy")
        self.edit_button.setIcon(icon("edit"))
        self.edit_button.setVisible(editable)
        self.edit_button.clicked.connect(
            lambda: self.editRequested.emit(highlights[0].span if highlights else None)
        )
        self.toggle = QPushButton("Show", self)
        self.toggle.setObjectName("testAccessPolicyToggle")
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(self.set_expanded)
        self.text = text
        self.code = CodeView(self)
        self.code.setObjectName("testAccessPolicyText")
        self.code.setReadOnly(True)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title, 1)
        head.addWidget(self.toggle)
        head.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addWidget(self.notes)
        layout.addWidget(self.code, 1)
        self._filled = False
        self.code.hide()
        self.toggle.setChecked(not collapsed)

    def is_expanded(self) -> bool:
        return self.toggle.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        if expanded and not self._filled:
            self._filled = True
            self.code.setPlainText(self.text)
            self._paint()
        self.code.setVisible(expanded)
        self.toggle.setText("Hide" if expanded else "Show")
        if self.toggle.isChecked() != expanded:
            self.toggle.setChecked(expanded)

    def _paint(self) -> None:
        colors = _COLORS
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
        """Line numbers by kind, read back from the painted selections (what a user sees)."""
        kinds = {QColor(color).name(): kind for kind, color in _COLORS.items()}
        result: dict[str, list[int]] = {}
        for selection in self.code.layer("highlight"):
            kind = kinds.get(selection.format.background().color().name(), "other")
            result.setdefault(kind, []).append(selection.cursor.blockNumber() + 1)
        return result

    def changeEvent(self, event: QEvent) -> None:
        # Highlight backgrounds are baked into selections: repaint them in the new scheme.
        if event.type() == QEvent.Type.PaletteChange and getattr(self, "_filled", False):
            self._paint()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Scrolling needs the final geometry: redo it once the view is on screen.
        if self.highlights and self._filled:
            self.code.show_span(self.highlights[0].span)
