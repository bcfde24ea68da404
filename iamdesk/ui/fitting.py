"""Widgets that let a window shrink to a small screen without hiding anything for good.

A QLabel's minimum width is its whole text, and a row of buttons is as wide as all of them: in a
detail pane or a status line that sets the minimum of the window (a QStackedWidget is as large
as its largest page). These give way instead: a label shows a shorter wording when narrow (the
full text stays in its tooltip), a row of buttons folds the ones that do not fit into a ">>"
menu, a wrapped label beside controls moves above them, and a page that is still too tall
scrolls.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QResizeEvent, QTextDocument
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from iamdesk.ui.icons import icon

SHORTEST_CHARS = 16  # a fitting label never asks for more width than this many characters
SCROLLING = "iamdeskScrolling"  # set on the areas ``scrolling`` makes


class FittingLabel(QLabel):
    """One line of text in variants, longest first: it shows the longest that fits its width
    (the last one clipped if even that does not) and keeps the longest in its tooltip when it
    shows a shorter one. ``text()`` is the longest variant, whatever is shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._variants: list[str] = [""]
        self._widths: list[int] = [0]
        self._own_tooltip = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        self.set_variants([text])

    def text(self) -> str:
        return self._variants[0]

    def setToolTip(self, text: str) -> None:
        self._own_tooltip = text
        self._fit()

    def set_variants(self, variants: Sequence[str]) -> None:
        self._variants = list(variants) or [""]
        self._widths = [self._width_of(text) for text in self._variants]
        self.updateGeometry()
        self._fit()

    def shown_text(self) -> str:
        return super().text()

    def _width_of(self, text: str) -> int:
        rich = self.textFormat() == Qt.TextFormat.RichText or (
            self.textFormat() == Qt.TextFormat.AutoText and Qt.mightBeRichText(text)
        )
        if not rich:
            return self.fontMetrics().horizontalAdvance(text) + 2
        document = QTextDocument()
        document.setDocumentMargin(0)
        document.setDefaultFont(self.font())
        document.setHtml(text)
        return int(document.idealWidth()) + 2

    def _fit(self) -> None:
        margins = self.contentsMargins()
        room = self.width() - margins.left() - margins.right() - 2 * self.margin()
        chosen = len(self._variants) - 1
        for i, width in enumerate(self._widths):
            if width <= room:
                chosen = i
                break
        shown = self._variants[chosen]
        if super().text() != shown:
            super().setText(shown)
        clipped = chosen > 0 or self._widths[chosen] > room
        tip = self._own_tooltip or (self._variants[0] if clipped else "")
        if super().toolTip() != tip:
            super().setToolTip(tip)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        margins = self.contentsMargins()
        extra = margins.left() + margins.right() + 2 * self.margin()
        return QSize(max(self._widths[0] + extra, 1), hint.height())

    def minimumSizeHint(self) -> QSize:
        cap = self.fontMetrics().averageCharWidth() * SHORTEST_CHARS
        return QSize(min(self._widths[-1], cap), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.set_variants(self._variants)


class OverflowBar(QToolBar):
    """A row of widgets (push buttons, mostly) that folds the ones without room into its ">>"
    extension menu instead of widening the window; it draws no toolbar panel of its own."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMovable(False)
        self.setFloatable(False)
        self.setContentsMargins(0, 0, 0, 0)
        self.setStyleSheet("QToolBar { border: none; background: transparent; spacing: 6px; }")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        # The style's own ">>" is a faint grey glyph (near invisible on a dark palette): ours
        # is drawn like the buttons' icons, and says what it holds.
        extension = self.findChild(QToolButton, "qt_toolbar_ext_button")
        if extension is not None:
            extension.setIcon(icon("more"))
            extension.setToolTip("More: the buttons without room here")


class LeadingLabelRow(QWidget):
    """A word-wrapped label followed by controls on one line; where the label would get less
    than ``least_chars`` characters of width beside them it takes a line of its own above them.
    (A wrapped label squeezed beside a filter field got no width at all and showed nothing.)
    The label never sets the row's minimum width: narrow, it wraps over more lines."""

    def __init__(
        self,
        label: QLabel,
        controls: Sequence[QWidget],
        *,
        least_chars: int = 12,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.label = label
        self._controls = list(controls)
        self._least_chars = least_chars
        label.setWordWrap(True)
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._row = QHBoxLayout()
        self._row.addWidget(label, 1)
        for control in self._controls:
            self._row.addWidget(control)
        self._column.addLayout(self._row)

    def stacked(self) -> bool:
        """Whether the label is on a line of its own."""
        return self._row.indexOf(self.label) < 0

    def _room_beside(self, width: int) -> int:
        """The label's width if it shared the line: the controls take their preferred widths."""
        spacing = max(self._row.spacing(), 0)
        taken = sum(
            max(c.sizeHint().width(), c.minimumWidth()) + spacing
            for c in self._controls
            if not c.isHidden()
        )
        return width - taken

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        least = self.label.fontMetrics().averageCharWidth() * self._least_chars
        stack = self._room_beside(event.size().width()) < least
        if stack == self.stacked():
            return
        if stack:
            self._row.removeWidget(self.label)
            self._column.insertWidget(0, self.label)
        else:
            self._column.removeWidget(self.label)
            self._row.insertWidget(0, self.label, 1)


class _Holder(QWidget):
    """Holds a page without a layout of its own, so the scroll area sizes it by the page's
    minimum: a page whose layout holds a word-wrapped label has a height-for-width, and
    QScrollArea then scrolls as soon as the page's preferred height exceeds the pane."""

    def __init__(self, page: QWidget) -> None:
        super().__init__()
        self.page = page
        page.setParent(self)
        page.installEventFilter(self)

    def minimumSizeHint(self) -> QSize:
        return self.page.minimumSizeHint().expandedTo(self.page.minimumSize())

    def sizeHint(self) -> QSize:
        return self.page.sizeHint()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.page.setGeometry(self.rect())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.page and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the page's minimum may have changed: the area looks again
        return False


def scrolling(page: QWidget) -> QScrollArea:
    """``page`` in a frameless scroll area that gives it all the room there is and scrolls only
    when the room is below the page's minimum."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(_Holder(page))
    area.setProperty(SCROLLING, True)
    if page.objectName():
        area.setObjectName(f"{page.objectName()}Scroll")
    return area


def scrolled_page(area: QWidget | None) -> QWidget | None:
    """The page ``scrolling`` put in ``area`` (None for any other widget)."""
    if isinstance(area, QScrollArea) and area.property(SCROLLING):
        holder = area.widget()
        return holder.page if isinstance(holder, _Holder) else None
    return None


class ScrollingTabs(QTabWidget):
    """A tab widget whose pages each sit in a ``scrolling`` area (a page that scrolls itself,
    a text or a list, goes in as it is): a tall form (three group boxes) scrolls inside the tab
    instead of setting the window's minimum height. Its methods speak of the pages themselves,
    not of the areas around them."""

    def addTab(self, page: QWidget, label: str) -> int:  # type: ignore[override]
        if isinstance(page, QAbstractScrollArea):
            return super().addTab(page, label)
        return super().addTab(scrolling(page), label)

    def widget(self, index: int) -> QWidget | None:
        area = super().widget(index)
        return scrolled_page(area) or area

    def currentWidget(self) -> QWidget | None:
        return self.widget(self.currentIndex())

    def indexOf(self, page: QWidget) -> int:
        for index in range(self.count()):
            if self.widget(index) is page:
                return index
        return -1

    def setCurrentWidget(self, page: QWidget) -> None:
        index = self.indexOf(page)
        if index >= 0:
            self.setCurrentIndex(index)
