"""The window's appearance: the system's scheme, or light or dark whatever the system says.

A desktop without a dark-aware platform theme (a bare X session, many Linux window managers,
``--screenshot``) gives Qt no dark palette at all, so Light and Dark are palettes of our own on
Fusion, built from the same named colours as the rest of the app (``theme``). System gives
every colour back to the platform. Widgets that bake colours rebuild them on
``QEvent.PaletteChange`` (see ``theme``), so a switch needs no restart.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from iamdesk.ui import theme

SYSTEM, LIGHT, DARK = "system", "light", "dark"
MODES = (SYSTEM, LIGHT, DARK)
LABELS = {SYSTEM: "&System", LIGHT: "&Light", DARK: "&Dark"}

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

# Near-black greys rather than black (easier on the eyes, and the theme's dark backgrounds were
# chosen against #1e1e1e); selection in the theme's blue.
_DARK = {
    Role.Window: "#2b2b2b",
    Role.WindowText: "#e6e6e6",
    Role.Base: "#1e1e1e",
    Role.AlternateBase: "#262626",
    Role.ToolTipBase: "#3c3c3c",
    Role.ToolTipText: "#e6e6e6",
    Role.PlaceholderText: "#9aa0a6",
    Role.Text: "#e6e6e6",
    Role.Button: "#353535",
    Role.ButtonText: "#e6e6e6",
    Role.BrightText: "#ffffff",
    Role.Light: "#505050",
    Role.Midlight: "#404040",
    Role.Mid: "#303030",
    Role.Dark: "#181818",
    Role.Shadow: "#000000",
    Role.Highlight: "#2f6fd0",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#8ab4f8",
    Role.LinkVisited: "#d7aefb",
}
_DARK_DISABLED = {
    Role.WindowText: "#7c7c7c",
    Role.Text: "#7c7c7c",
    Role.ButtonText: "#7c7c7c",
    Role.Highlight: "#3f3f3f",
    Role.HighlightedText: "#9a9a9a",
}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, value in _DARK.items():
        palette.setColor(role, QColor(value))
    for role, value in _DARK_DISABLED.items():
        palette.setColor(Group.Disabled, role, QColor(value))
    return palette


def light_palette() -> QPalette:
    style = QStyleFactory.create("Fusion")
    return style.standardPalette() if style is not None else QPalette()


def apply(app: QApplication, mode: str) -> None:
    """Show the application in ``mode`` (one of ``MODES``) from now on."""
    if mode not in MODES:
        raise ValueError(f"unknown appearance {mode!r}; choose from {', '.join(MODES)}")
    hints = QGuiApplication.styleHints()
    if hasattr(hints, "setColorScheme"):  # Qt 6.8: native parts (title bars) follow too
        scheme = {SYSTEM: Qt.ColorScheme.Unknown, LIGHT: Qt.ColorScheme.Light}
        hints.setColorScheme(scheme.get(mode, Qt.ColorScheme.Dark))
    if mode == DARK:
        palette = dark_palette()
    elif mode == LIGHT:
        palette = light_palette()
    else:
        # A palette that sets no role: every role comes from the platform again, and follows
        # it when the system switches scheme.
        palette = QPalette()
    QApplication.setPalette(palette)
    theme.keep_links_readable(app)
