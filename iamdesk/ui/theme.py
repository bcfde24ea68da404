"""Named colours with a light and a dark variant, chosen by the palette Fusion was given.

Widgets ask for a colour by meaning (``color("allow_bg")``) when they paint or return model data,
so a palette change (the system switching scheme) shows up on the next repaint. Widgets that
bake colours into formats or style sheets rebuild them on ``QEvent.PaletteChange``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QGuiApplication, QPalette

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

# name -> (light, dark). The light values are the colours the app always used; the dark ones keep
# the same hue but are lighter text / darker backgrounds so text stays readable on near-black.
_COLORS: dict[str, tuple[str, str]] = {
    # text
    "allow_fg": ("#1b7a2f", "#81c995"),
    "deny_fg": ("#b3261e", "#f28b82"),
    "warn_fg": ("#b06000", "#fdd663"),
    "muted_fg": ("#5f6368", "#9aa0a6"),
    "strong_fg": ("#202124", "#e8eaed"),
    "error_fg": ("#c62828", "#f28b82"),
    "changed_fg": ("#b35c00", "#fbbc04"),
    # syntax
    "key": ("#1f4e9c", "#8ab4f8"),
    "string": ("#a3431b", "#f6ae7e"),
    "variable": ("#7b3fa0", "#d7aefb"),
    "number": ("#0b7a75", "#78d9d2"),
    "punct": ("#5f6368", "#9aa0a6"),
    # finding severities (markers, underlines, headings)
    "ERROR": ("#d93025", "#f28b82"),
    "SECURITY_WARNING": ("#b80672", "#ff8bcb"),
    "WARNING": ("#e37400", "#fdd663"),
    "SUGGESTION": ("#1a73e8", "#8ab4f8"),
    # links in rich text (a palette's own Link is used while it reads on the window colour)
    "link": ("#1a55c4", "#8ab4f8"),
    "link_visited": ("#7b3fa0", "#d7aefb"),
    # backgrounds behind ordinary text
    "allow_bg": ("#d4f4dd", "#1f4a2c"),
    "deny_bg": ("#fddede", "#5c2523"),
    "near_miss_bg": ("#fff0c2", "#4d3f12"),
    "changed_bg": ("#fff3c4", "#54461a"),
    "allowed_row_bg": ("#e8f5e9", "#1b3a24"),
    "denied_row_bg": ("#fdecea", "#4a2220"),
    "implicit_row_bg": ("#fff4e0", "#45351a"),
    "missing_bg": ("#fde7e7", "#5c2523"),
    "span_bg": ("#e8f0fe", "#27395e"),
    "bracket_bg": ("#c8e6c9", "#2e5a33"),
    "gutter_bg": ("#f3f4f6", "#2a2b2e"),
    "gutter_fg": ("#80868b", "#8a9096"),
    "gutter_current_fg": ("#202124", "#e8eaed"),
    "panel_bg": ("#f8f9fa", "#2a2b2e"),
    "plain_bg": ("#ffffff", "#1e1e1e"),
    "icon_mark": ("#ffffff", "#202124"),
    # the lines of the app's icons (resources/icons draw them in the light value)
    "icon_ink": ("#4a6b8a", "#9db8d3"),
}


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the palette's base (or window) colour is dark: text must then be light."""
    if palette is None:
        palette = QGuiApplication.palette()
    base = palette.color(QPalette.ColorRole.Base).lightnessF()
    window = palette.color(QPalette.ColorRole.Window).lightnessF()
    return (base + window) / 2 < 0.5


def color_name(name: str, palette: QPalette | None = None) -> str:
    """The ``#rrggbb`` for a named colour in the current (or given) palette's scheme."""
    try:
        light, dark = _COLORS[name]
    except KeyError:
        known = ", ".join(sorted(_COLORS))
        raise KeyError(f"unknown theme colour {name!r}; known: {known}") from None
    return dark if is_dark(palette) else light


def color(name: str, palette: QPalette | None = None) -> QColor:
    return QColor(color_name(name, palette))


def muted(html: str, tag: str = "span") -> str:
    """Rich text for secondary words (notes under a heading, hints), readable in either scheme."""
    return f"<{tag} style='color:{color_name('muted_fg')}'>{html}</{tag}>"


def readable_placeholder(widget: QWidget) -> None:
    """Give ``widget`` a placeholder colour that reads on its base. A dark palette that names
    no PlaceholderText keeps Qt's default, half-transparent black: invisible on near-black."""
    palette = widget.palette()
    # The application's scheme: on a switch the parent hears of it before its fields do.
    palette.setColor(QPalette.ColorRole.PlaceholderText, color("muted_fg"))
    widget.setPalette(palette)


LINK_CONTRAST = 4.5  # WCAG AA for body text


def readable_links(palette: QPalette) -> QPalette | None:
    """A copy of ``palette`` whose link colours read on its window and base colours, or None
    when they already do. A hand-made dark palette usually keeps Qt's default link blue
    (#0000ff), which is unreadable on near-black."""
    fixed = None
    for role, name in (
        (QPalette.ColorRole.Link, "link"),
        (QPalette.ColorRole.LinkVisited, "link_visited"),
    ):
        current = palette.color(role)
        backgrounds = (
            palette.color(QPalette.ColorRole.Window),
            palette.color(QPalette.ColorRole.Base),
        )
        if min(contrast_ratio(current, b) for b in backgrounds) >= LINK_CONTRAST:
            continue
        fixed = fixed or QPalette(palette)
        fixed.setColor(role, color(name, palette))
    return fixed


class _LinkGuard(QObject):
    """Re-checks the link colours whenever the application's palette changes (the system
    switching scheme, or a palette set by code)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ApplicationPaletteChange and watched is self.parent():
            _fix_links()
        return False


def _fix_links() -> None:
    fixed = readable_links(QGuiApplication.palette())
    if fixed is not None:  # the fixed palette passes, so setting it doesn't come back here
        QGuiApplication.setPalette(fixed)


def keep_links_readable(app: QGuiApplication) -> None:
    """Make the application's links readable now and after every palette change."""
    if app.findChild(_LinkGuard) is None:
        guard = _LinkGuard(app)
        app.installEventFilter(guard)
    _fix_links()


def names() -> list[str]:
    return sorted(_COLORS)


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast ratio between two opaque colours (1 to 21)."""

    def luminance(c: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
        )

    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


class ThemedColors(Mapping[str, str]):
    """A read-only mapping key -> ``#rrggbb`` whose values follow the current palette.

    Lets a table like ``{"allowed": "allow_fg"}`` be used wherever a dict of colours was, while
    each lookup picks the light or dark variant at the moment of painting.
    """

    def __init__(self, names: Mapping[str, str]) -> None:
        unknown = [value for value in names.values() if value not in _COLORS]
        if unknown:
            raise KeyError(f"unknown theme colour(s): {', '.join(unknown)}")
        self._names = dict(names)

    def __getitem__(self, key: str) -> str:
        return color_name(self._names[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
