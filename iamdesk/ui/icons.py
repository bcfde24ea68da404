"""The SVG icons shipped in ``resources/icons``.

The icons draw their lines in one slate ink (``INK``). It reads on a light window but not on a
dark one nor on a selected row's highlight, so each icon is painted with the ink the moment asks
for: the palette's highlighted-text colour on a selection, else the theme's ``icon_ink``.
Colours that mean something (a warning's amber, an OK's green) stay as drawn.
"""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QStyleOption

from iamdesk.core.packaged import APP_ID, resource_path
from iamdesk.ui import theme

log = logging.getLogger(__name__)

INK = "#4a6b8a"  # what the SVG files draw their lines in: the theme's light "icon_ink"


def ink(mode: QIcon.Mode, palette: QPalette | None = None) -> str:
    """The colour an icon's lines take in ``mode`` under ``palette`` (the application's)."""
    palette = palette or QGuiApplication.palette()
    if mode == QIcon.Mode.Selected:
        return palette.color(QPalette.ColorRole.HighlightedText).name()
    return theme.color_name("icon_ink", palette)


class _InkedSvg(QIconEngine):
    def __init__(self, svg: bytes) -> None:
        super().__init__()
        self._svg = svg
        self._rendered: dict[tuple[int, int, str], QPixmap] = {}

    def _render(self, size: QSize, colour: str) -> QPixmap:
        key = (size.width(), size.height(), colour)
        found = self._rendered.get(key)
        if found is None:
            found = QPixmap(size)
            found.fill(Qt.GlobalColor.transparent)
            renderer = QSvgRenderer(QByteArray(self._svg.replace(INK.encode(), colour.encode())))
            painter = QPainter(found)
            renderer.render(painter)
            painter.end()
            if len(self._rendered) > 64:  # sizes x inks seen; a bound, not an expected count
                self._rendered.clear()
            self._rendered[key] = found
        return found

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        if mode == QIcon.Mode.Disabled:
            normal = self._render(size, ink(QIcon.Mode.Normal))
            style = QApplication.style()
            return style.generatedIconPixmap(mode, normal, QStyleOption()) if style else normal
        return self._render(size, ink(mode))

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() else 1.0
        pixmap = self.pixmap(rect.size() * scale, mode, state)
        pixmap.setDevicePixelRatio(scale)
        painter.drawPixmap(rect, pixmap)

    def clone(self) -> QIconEngine:
        return _InkedSvg(self._svg)


@cache
def icon(name: str) -> QIcon:
    path = resource_path("icons", f"{name}.svg")
    if not path.is_file():
        # A missing icon is a packaging bug, not a reason to stop the app.
        log.warning("icon %s missing at %s", name, path)
        return QIcon()
    return QIcon(_InkedSvg(path.read_bytes()))


@cache
def app_icon() -> QIcon:
    """The application's icon (window, task switcher) at every size rendered for the desktop
    entry (resources/desktop/icons, made from the SVG by packaging/render_icons.py)."""
    result = QIcon()
    for png in sorted(resource_path("desktop", "icons", "hicolor").glob(f"*/apps/{APP_ID}.png")):
        result.addFile(str(png))
    if result.isNull():
        log.warning("application icon missing under %s", resource_path("desktop"))
    return result
