"""The text surface of the policy editor: a QPlainTextEdit with a gutter, bracket matching,
auto-indent and named layers of extra selections (findings, bracket match, highlights).

Positions follow the policy document contract (1-based line and column, the end just past the
last character), so a ``Span`` from the parser, validator or evaluator maps straight onto text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from iamdesk.core.policy.document import Span
from iamdesk.ui import theme
from iamdesk.ui.editor.highlighter import JsonHighlighter
from iamdesk.ui.editor.json_text import code_points, find_partner, utf16_units

log = logging.getLogger(__name__)

INDENT = "    "
# Characters beyond which the view stops colouring, matching brackets and completing as you
# type: each of those is Python work per block or over the whole text, and a pasted 2 MB
# document (far beyond any policy quota) must stay editable. Typing it back under turns them on.
LARGE_TEXT = 100_000
# A paste longer than this asks first: twice what any IAM or Organizations API takes
# (``IAM_DOCUMENT_CHARS``), so no policy is in question, and Qt's own insertion of it would
# hold the window for seconds (a 2 MB text: 0.8 s in a bare QPlainTextEdit, 1.5 s here).
PASTE_ASK_CHARS = 262_144
_OPEN = {"{": "}", "[": "]"}

# Order matters: a line's marker shows its most severe finding.
SEVERITY_ORDER = ("ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION")
SEVERITY_COLORS = theme.ThemedColors({severity: severity for severity in SEVERITY_ORDER})


@dataclass(frozen=True, slots=True)
class Marker:
    severity: str
    message: str


def monospace_font() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(max(font.pointSize(), 10))
    return font


class _Gutter(QWidget):
    """Line numbers plus a marker column; hovering a marker shows that line's findings."""

    def __init__(self, view: CodeView) -> None:
        super().__init__(view)
        self.view = view
        self.setObjectName("policyEditorGutter")
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(self.view.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.view.paint_gutter(self, event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        line = self.view.line_at_y(event.position().y())
        markers = self.view.markers.get(line, [])
        if markers:
            text = "\n".join(
                f"{m.severity.replace('_', ' ').title()}: {m.message}" for m in markers
            )
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        line = self.view.line_at_y(event.position().y())
        if self.view.markers.get(line):
            self.view.markerClicked.emit(line)


class CodeView(QPlainTextEdit):
    """Plain-text JSON editing with the conveniences of a code editor."""

    markersChanged = Signal()
    markerClicked = Signal(int)  # 1-based line whose gutter marker was clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("policyEditorText")
        self.setFont(monospace_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * len(INDENT))
        self.highlighter = JsonHighlighter(self.document())
        self.markers: dict[int, list[Marker]] = {}
        self._layers: dict[str, list[QTextEdit.ExtraSelection]] = {}
        self._gutter = _Gutter(self)
        self.assist: Any = None  # an EditorAssist attaches itself here (completion, hovers)
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._scroll_gutter)
        self.cursorPositionChanged.connect(self._match_brackets)
        self.textChanged.connect(self._follow_size)
        self._update_gutter_width()

    def changeEvent(self, event: QEvent) -> None:
        # Syntax formats are built once; rebuild them when the system switches light/dark.
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "_gutter"):
            self.highlighter.refresh_colors()
            self._gutter.update()
        # Named base, not super(): a palette change can reach a view whose Python wrapper is
        # being torn down, where super() raises "obj must be an instance or subtype of type".
        QPlainTextEdit.changeEvent(self, event)

    # -- large text ----------------------------------------------------------------------------
    def is_large(self) -> bool:
        """More than LARGE_TEXT characters (an O(1) question to the document)."""
        return self.document().characterCount() > LARGE_TEXT

    def _follow_size(self) -> None:
        attached = self.highlighter.document() is not None
        if self.is_large() and attached:
            log.info("policy text over %d characters: syntax colouring off", LARGE_TEXT)
            self.highlighter.setDocument(None)  # type: ignore[arg-type]
        elif not self.is_large() and not attached:
            self.highlighter.setDocument(self.document())

    def expect(self, length: int) -> None:
        """Text of ``length`` characters is about to land: switch colouring off first when it
        makes the document large, since the highlighter colours every inserted block at once,
        before textChanged could tell it to stop."""
        if length + self.document().characterCount() > LARGE_TEXT:
            self.highlighter.setDocument(None)  # type: ignore[arg-type]

    def insertFromMimeData(self, source: Any) -> None:
        if source.hasText():
            text = source.text()
            if len(text) > PASTE_ASK_CHARS:
                self.ask_large_paste(text)
                return
            self.expect(len(text))
        super().insertFromMimeData(source)

    def ask_large_paste(self, text: str) -> Any:
        """A paste far over every policy quota: say so at once, and paste only if asked."""
        from iamdesk.core.policy.quotas import IAM_DOCUMENT_CHARS
        from iamdesk.ui import messages

        return messages.confirm(
            self,
            "Paste a very large text",
            f"The clipboard holds {len(text):,} characters. No IAM or Organizations API takes "
            f"a policy longer than {IAM_DOCUMENT_CHARS:,}.",
            lambda: self.paste_anyway(text),
            informative="Pasting it takes a few seconds, during which the window does not "
            "answer; the editor then reports it as over the quota. Paste it anyway?",
            yes_text="Paste anyway",
            object_name="largePasteBox",
        )

    def paste_anyway(self, text: str) -> None:
        self.expect(len(text))
        self.insertPlainText(text)

    def setPlainText(self, text: str) -> None:
        if len(text) > LARGE_TEXT:
            self.highlighter.setDocument(None)  # type: ignore[arg-type]
        super().setPlainText(text)
        self._follow_size()

    # -- positions -------------------------------------------------------------------------
    def position_of(self, line: int, column: int) -> int:
        """Document position of a 1-based line/column (clamped to the document)."""
        doc = self.document()
        if line < 1:
            return 0
        block = doc.findBlockByNumber(line - 1)
        if not block.isValid():
            return max(doc.characterCount() - 1, 0)
        text = block.text()
        # Qt counts UTF-16 units; the contract counts code points.
        offset = utf16_units(text, max(column - 1, 0))
        return block.position() + min(offset, block.length() - 1)

    def cursor_for_span(self, span: Span) -> QTextCursor:
        cursor = QTextCursor(self.document())
        start = self.position_of(span.start.line, span.start.column)
        end = self.position_of(span.end.line, span.end.column)
        cursor.setPosition(start)
        cursor.setPosition(max(end, start), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def line_column(self) -> tuple[int, int]:
        cursor = self.textCursor()
        column = code_points(cursor.block().text(), cursor.positionInBlock())
        return cursor.blockNumber() + 1, column + 1

    def go_to(
        self, line: int, column: int = 1, *, select_to: tuple[int, int] | None = None
    ) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.position_of(line, column))
        if select_to is not None:
            cursor.setPosition(self.position_of(*select_to), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.centerCursor()

    def show_span(self, span: Span) -> None:
        """Scroll so the span's first line is visible, with some lines of context above it."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.position_of(span.end.line, span.end.column))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        cursor.setPosition(self.position_of(span.start.line, span.start.column))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    # -- layers of extra selections ----------------------------------------------------------
    def set_layer(self, name: str, selections: list[QTextEdit.ExtraSelection]) -> None:
        self._layers[name] = selections
        merged: list[QTextEdit.ExtraSelection] = []
        # Backgrounds first, then underlines and the bracket match on top.
        for key in ("highlight", "findings", "brackets"):
            merged.extend(self._layers.get(key, []))
        for key, value in self._layers.items():
            if key not in ("highlight", "findings", "brackets"):
                merged.extend(value)
        self.setExtraSelections(merged)

    def layer(self, name: str) -> list[QTextEdit.ExtraSelection]:
        return list(self._layers.get(name, []))

    def span_selection(
        self, span: Span, *, background: str | None = None, underline: str | None = None
    ) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        selection.cursor = self.cursor_for_span(span)
        fmt = selection.format
        if background is not None:
            fmt.setBackground(QColor(background))
        if underline is not None:
            fmt.setUnderlineStyle(fmt.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor(underline))
        selection.format = fmt
        return selection

    def line_selection(self, first: int, last: int, color: str) -> list[QTextEdit.ExtraSelection]:
        """Full-width background on lines first..last (1-based), as a highlighted statement."""
        result = []
        for number in range(first, last + 1):
            block = self.document().findBlockByNumber(number - 1)
            if not block.isValid():
                break
            selection = QTextEdit.ExtraSelection()
            selection.cursor = QTextCursor(block)
            selection.format.setBackground(QColor(color))
            selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            result.append(selection)
        return result

    # -- markers ------------------------------------------------------------------------------
    def set_markers(self, markers: dict[int, list[Marker]]) -> None:
        self.markers = markers
        self._gutter.update()
        self.markersChanged.emit()

    def marker_severity(self, line: int) -> str | None:
        found = self.markers.get(line)
        if not found:
            return None
        return min((m.severity for m in found), key=SEVERITY_ORDER.index)

    # -- gutter -------------------------------------------------------------------------------
    def gutter_width(self) -> int:
        digits = max(3, len(str(self.blockCount())))
        return 18 + self.fontMetrics().horizontalAdvance("9") * digits + 8

    def _update_gutter_width(self, _count: int = 0) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        rect = self.contentsRect()
        self._gutter.setGeometry(QRect(rect.left(), rect.top(), self.gutter_width(), rect.height()))

    def line_at_y(self, y: float) -> int:
        cursor = self.cursorForPosition(QPoint(0, int(y)))
        return cursor.blockNumber() + 1

    def paint_gutter(self, gutter: QWidget, event: QPaintEvent) -> None:
        painter = QPainter(gutter)
        painter.fillRect(event.rect(), theme.color("gutter_bg"))
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        current = self.textCursor().blockNumber()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                number = block.blockNumber() + 1
                severity = self.marker_severity(number)
                if severity is not None:
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(QColor(SEVERITY_COLORS[severity]))
                    size = min(10, height - 4)
                    painter.drawEllipse(4, top + (height - size) // 2, size, size)
                painter.setPen(
                    theme.color("gutter_current_fg" if number - 1 == current else "gutter_fg")
                )
                painter.drawText(
                    0,
                    top,
                    gutter.width() - 6,
                    height,
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    str(number),
                )
            block = block.next()
            top = bottom
        painter.end()

    # -- bracket matching ---------------------------------------------------------------------
    def _match_brackets(self) -> None:
        if self.isReadOnly():
            return  # nobody is editing: cursor moves come from scrolling to a statement
        if self.is_large():
            self.set_layer("brackets", [])
            return  # matching walks the whole text in Python
        found = self.matching_bracket()
        selections = []
        if found is not None:
            for position in found:
                selection = QTextEdit.ExtraSelection()
                cursor = QTextCursor(self.document())
                cursor.setPosition(position)
                cursor.setPosition(position + 1, QTextCursor.MoveMode.KeepAnchor)
                selection.cursor = cursor
                selection.format.setBackground(theme.color("bracket_bg"))
                selection.format.setFontWeight(QFont.Weight.Bold)
                selections.append(selection)
        self.set_layer("brackets", selections)

    def matching_bracket(self) -> tuple[int, int] | None:
        """Document positions of the bracket at (or just before) the cursor and its partner."""
        text = self.toPlainText()
        pos = code_points(text, self.textCursor().position())
        for candidate in (pos, pos - 1):
            if 0 <= candidate < len(text) and text[candidate] in "{}[]":
                partner = find_partner(text, candidate)
                if partner is not None:
                    return (utf16_units(text, candidate), utf16_units(text, partner))
                return None
        return None

    # -- typing -------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.assist is not None and self.assist.before_key(event):
            return
        self._type_key(event)
        if self.assist is not None:
            self.assist.after_key(event)

    def _type_key(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier
        ):
            self._newline_with_indent()
            return
        if key == Qt.Key.Key_Tab and not self.textCursor().hasSelection():
            self.insertPlainText(INDENT)
            return
        if event.text() in ("}", "]"):
            cursor = self.textCursor()
            line = cursor.block().text()
            before = line[: code_points(line, cursor.positionInBlock())]
            if before.strip() == "" and before.endswith(INDENT):
                # A closing bracket on an otherwise empty line goes back one level.
                cursor.beginEditBlock()
                cursor.movePosition(
                    QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(INDENT)
                )
                cursor.insertText(event.text())
                cursor.endEditBlock()
                self.setTextCursor(cursor)
                return
        super().keyPressEvent(event)

    def _newline_with_indent(self) -> None:
        cursor = self.textCursor()
        line = cursor.block().text()
        column = code_points(line, cursor.positionInBlock())
        before, after = line[:column], line[column:]
        indent = line[: len(line) - len(line.lstrip())]
        opener = before.rstrip()[-1:] if before.strip() else ""
        closer = after.lstrip()[:1]
        cursor.beginEditBlock()
        if opener in _OPEN:
            cursor.insertText("\n" + indent + INDENT)
            if closer == _OPEN[opener]:
                # Between a pair: put the closer on its own line below the cursor.
                keep = cursor.position()
                cursor.insertText("\n" + indent)
                cursor.setPosition(keep)
        else:
            cursor.insertText("\n" + indent)
        cursor.endEditBlock()
        self.setTextCursor(cursor)
