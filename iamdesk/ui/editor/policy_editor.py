"""``PolicyEditor``: the policy editing widget used wherever a policy document is edited.

A JSON tab (the code view with live validation), a Visual tab (statements in plain words) and a
Summary tab (access per service), above a findings list. Validation runs debounced after typing
so a burst of keystrokes costs one check, and it runs off the GUI thread (``BackgroundCheck``):
a large paste never freezes the window. ``validate_now`` checks at once on the calling thread
(saving, tests, benchmarks).
"""

from __future__ import annotations

import json
import logging
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from iamdesk.core import jsontext
from iamdesk.core.policy.document import PolicyKind, Span
from iamdesk.ui import theme
from iamdesk.ui.editor.assist import EditorAssist
from iamdesk.ui.editor.checker import BackgroundCheck, findings_for
from iamdesk.ui.editor.code_view import SEVERITY_COLORS, CodeView, Marker
from iamdesk.ui.editor.findings_view import FindingsView
from iamdesk.ui.editor.lint import SEVERITIES, EditorFinding, without_whitespace
from iamdesk.ui.fitting import FittingLabel, ScrollingTabs

log = logging.getLogger(__name__)

DEBOUNCE_MS = 200


class PolicyEditor(QWidget):
    """Edit one policy document. ``text()``/``set_text()`` carry the JSON source."""

    textChanged = Signal()
    findingsChanged = Signal(list)  # list[EditorFinding]

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        kind: PolicyKind = PolicyKind.IDENTITY,
        text: str = "",
        read_only: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("policyEditor")
        self._kind = kind
        self._findings: list[EditorFinding] = []
        self.last_check_ms = 0.0
        self._size = 0  # characters without white space, counted when the text is checked

        self.code = CodeView(self)
        self.code.setReadOnly(read_only)
        self.code.setPlaceholderText(
            '{\n    "Version": "2012-10-17",\n    "Statement": [\n        {\n'
            '            "Effect": "Allow",\n            "Action": "s3:GetObject",\n'
            '            "Resource": "*"\n        }\n    ]\n}\n\n'
            "Type a policy (Ctrl+Space completes), or use the Visual tab."
        )
        self.assist = EditorAssist(self.code)
        self.findings_view = FindingsView(self)
        # Fitting: its full line alone would set a narrow window's minimum width.
        self.status = FittingLabel(self)
        self.status.setObjectName("policyEditorStatus")
        self.status.setTextFormat(Qt.TextFormat.RichText)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._validate_later)
        self.check = BackgroundCheck(self)
        self.check.checked.connect(self._checked)

        # The Visual and Summary pages scroll rather than set the editor's minimum height.
        self.tabs = ScrollingTabs(self)
        self.tabs.setObjectName("policyEditorTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.code, "JSON")
        self._build_extra_tabs()

        format_button = QToolButton(self)
        format_button.setObjectName("policyFormatButton")
        self.format_action = QAction("Format", self)
        self.format_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        # Several editors can share a window (detail pane, dialogs): each formats itself.
        self.format_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.format_action.setToolTip("Pretty-print the JSON (Ctrl+Shift+F)")
        self.format_action.triggered.connect(self.format_document)
        format_button.setDefaultAction(self.format_action)
        self.addAction(self.format_action)
        self.format_action.setEnabled(not read_only)
        self.visual.set_editable(not read_only)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.status, 1)
        top.addWidget(format_button)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.findings_view)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.code.textChanged.connect(self._text_edited)
        self.code.cursorPositionChanged.connect(self._update_status)
        self.findings_view.findingActivated.connect(self.jump_to_finding)
        self.code.markerClicked.connect(self._marker_clicked)
        if text:
            self.set_text(text)
        else:
            self.validate_now()

    def _build_extra_tabs(self) -> None:
        """Visual and Summary tabs; imported here so the JSON editor stands on its own."""
        from iamdesk.ui.editor.summary_view import SummaryView
        from iamdesk.ui.editor.visual_view import VisualView

        self.visual = VisualView(self)
        self.summary = SummaryView(self)
        self.tabs.addTab(self.visual, "Visual")
        self.tabs.addTab(self.summary, "Summary")
        self.tabs.currentChanged.connect(self._tab_changed)

    # -- content ------------------------------------------------------------------------------
    def text(self) -> str:
        return self.code.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the whole document; this starts a fresh undo history (a new document)."""
        self.code.setPlainText(text)
        self.code.document().setModified(False)
        self.validate_now()
        self._tab_changed(self.tabs.currentIndex())  # a visible Visual/Summary tab follows

    def replace_text(self, text: str) -> None:
        """Replace the whole document as one undoable edit (Format, Visual-tab edits)."""
        self.code.expect(len(text))
        cursor = QTextCursor(self.code.document())
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
        self.validate_now()

    def set_known_resources(self, arns: list[str]) -> None:
        """Modelled resource ARNs to offer when completing a Resource."""
        self.assist.resources = list(arns)

    def set_known_principals(self, arns: list[str]) -> None:
        """Modelled principal ARNs (account roots, users, roles) to offer under Principal AWS."""
        self.assist.principals = list(arns)

    def kind(self) -> PolicyKind:
        return self._kind

    def set_kind(self, kind: PolicyKind) -> None:
        self._kind = kind
        self.validate_now()

    def is_modified(self) -> bool:
        return self.code.document().isModified()

    def set_read_only(self, read_only: bool) -> None:
        self.code.setReadOnly(read_only)
        self.format_action.setEnabled(not read_only)
        self.visual.set_editable(not read_only)

    # -- validation ---------------------------------------------------------------------------
    def findings(self) -> list[EditorFinding]:
        return list(self._findings)

    def has_errors(self) -> bool:
        return any(f.severity == "ERROR" for f in self._findings)

    def _text_edited(self) -> None:
        self.check.invalidate()
        self._timer.start()
        self.textChanged.emit()

    def is_checking(self) -> bool:
        """A check of the latest text is still due or running."""
        return self._timer.isActive() or self.check.busy

    def _validate_later(self) -> None:
        text = self.text()
        self._size = without_whitespace(text)
        self.check.request(text, self._kind)
        self._update_status()

    def _checked(self, findings: list[EditorFinding], milliseconds: float) -> None:
        self.last_check_ms = milliseconds
        self._apply(findings)

    def validate_now(self) -> list[EditorFinding]:
        self._timer.stop()
        self.check.cancel()
        started = time.perf_counter()
        text = self.text()
        self._size = without_whitespace(text)
        findings = findings_for(text, self._kind)
        self.last_check_ms = (time.perf_counter() - started) * 1000
        self._apply(findings)
        return findings

    def _apply(self, findings: list[EditorFinding]) -> None:
        self._findings = findings
        self._show_findings(findings)
        self._update_status()
        self.findingsChanged.emit(findings)

    def _show_findings(self, findings: list[EditorFinding]) -> None:
        selections = []
        markers: dict[int, list[Marker]] = {}
        for finding in findings:
            if finding.span is None:
                continue
            span = _visible_span(finding.span)
            selections.append(
                self.code.span_selection(span, underline=SEVERITY_COLORS[finding.severity])
            )
            markers.setdefault(span.start.line, []).append(
                Marker(finding.severity, finding.message)
            )
        self.code.set_layer("findings", selections)
        self.code.set_markers(markers)
        self.findings_view.set_findings(findings, empty=self._size == 0)

    def _update_status(self) -> None:
        line, column = self.code.line_column()
        counts = []
        for severity in SEVERITIES:
            n = sum(1 for f in self._findings if f.severity == severity)
            if n:
                word = severity.replace("_", " ").lower() + ("s" if n > 1 else "")
                counts.append(f'<span style="color:{SEVERITY_COLORS[severity]}">{n} {word}</span>')
        valid = f'<span style="color:{theme.color_name("allow_fg")}">valid</span>'
        summary = ", ".join(counts) if counts else valid
        if self.is_checking():
            summary = f'<span style="color:{theme.color_name("muted_fg")}">checking…</span>'
        elif self._size == 0:
            summary = f'<span style="color:{theme.color_name("muted_fg")}">empty</span>'
        # Counted when the text is checked, not per cursor move: a move in a 2 MB text is cheap.
        chars = self._size
        where, dot = f"Ln {line}, Col {column}", " &nbsp;·&nbsp; "
        self.status.set_variants(
            [
                f"{where}{dot}{summary}{dot}{chars:,} characters without whitespace",
                f"{where}{dot}{summary}{dot}{chars:,} chars",
                f"{where}{dot}{summary}",
                summary,
            ]
        )

    # -- navigation ---------------------------------------------------------------------------
    def jump_to_finding(self, finding: EditorFinding) -> None:
        self.tabs.setCurrentWidget(self.code)
        if finding.span is not None:
            span = _visible_span(finding.span)
            self.code.go_to(
                span.start.line,
                span.start.column,
                select_to=(span.end.line, span.end.column),
            )
        self.code.setFocus()

    def _marker_clicked(self, line: int) -> None:
        for finding in self._findings:
            if finding.span is not None and _visible_span(finding.span).start.line == line:
                self.findings_view.select(finding)
                self.jump_to_finding(finding)
                return

    def go_to_span(self, span: Span, *, highlight: str | None = None) -> None:
        """Show ``span`` (e.g. a statement the test-access panel decided on) and select it."""
        self.tabs.setCurrentWidget(self.code)
        self.code.show_span(span)
        self.code.go_to(span.start.line, span.start.column)
        if highlight is not None:
            self.code.set_layer(
                "highlight", self.code.line_selection(span.start.line, span.end.line, highlight)
            )
        self.code.setFocus()

    def clear_highlight(self) -> None:
        self.code.set_layer("highlight", [])

    # -- format -------------------------------------------------------------------------------
    def format_document(self) -> bool:
        """Pretty-print with 4-space indents, keeping key order; refuses malformed JSON."""
        try:
            data = jsontext.loads(self.text())
        except json.JSONDecodeError as error:
            self.code.go_to(error.lineno, error.colno)  # before the message: moving updates status
            self.status.setText(
                f'<span style="color:{SEVERITY_COLORS["ERROR"]}">Cannot format: {error.msg} '
                f"at line {error.lineno}, column {error.colno}</span>"
            )
            return False
        formatted = json.dumps(data, indent=4, ensure_ascii=False)
        if formatted != self.text():
            self.replace_text(formatted)
        return True

    def _tab_changed(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is self.visual:
            self.visual.refresh()
        elif widget is self.summary:
            self.summary.refresh()


def _visible_span(span: Span) -> Span:
    """An empty span (an insertion point) still needs one character to underline."""
    if (span.end.line, span.end.column) <= (span.start.line, span.start.column):
        return Span(span.start, type(span.start)(span.start.line, span.start.column + 1))
    return span
