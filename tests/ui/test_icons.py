"""Icons read wherever they are drawn: in the window's ink on a light palette, a lighter one on a
dark palette, the highlighted-text colour on a selected row; colours with a meaning stay."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QPalette

from iamdesk.ui import appearance, icons, theme


@pytest.fixture
def restore_palette(qapp):
    yield
    appearance.apply(qapp, appearance.SYSTEM)


def _colours(qicon: QIcon, mode: QIcon.Mode) -> set[str]:
    image = qicon.pixmap(QSize(48, 48), mode).toImage()
    return {
        image.pixelColor(x, y).name()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    }


@pytest.mark.parametrize("mode", [appearance.LIGHT, appearance.DARK])
def test_icons_take_the_ink_of_the_palette_and_the_selection(qapp, restore_palette, mode) -> None:
    appearance.apply(qapp, mode)
    analysis = icons.icon("analysis")
    expected = theme.color_name("icon_ink")
    assert (expected == icons.INK) == (mode == appearance.LIGHT)
    assert expected in _colours(analysis, QIcon.Mode.Normal)
    background = qapp.palette().color(QPalette.ColorRole.Window)
    assert theme.contrast_ratio(QColor(expected), background) >= 3  # WCAG non-text
    highlighted = qapp.palette().color(QPalette.ColorRole.HighlightedText).name()
    selected = _colours(analysis, QIcon.Mode.Selected)
    assert highlighted in selected and expected not in selected
    # A warning stays amber whatever the palette.
    assert "#c77c00" in _colours(icons.icon("warning"), QIcon.Mode.Normal)


def test_an_icon_follows_a_palette_switch(qapp, restore_palette) -> None:
    users = icons.icon("users")
    appearance.apply(qapp, appearance.LIGHT)
    assert icons.INK in _colours(users, QIcon.Mode.Normal)
    appearance.apply(qapp, appearance.DARK)
    assert theme.color_name("icon_ink") != icons.INK
    assert theme.color_name("icon_ink") in _colours(users, QIcon.Mode.Normal)
