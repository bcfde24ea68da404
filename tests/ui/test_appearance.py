"""View > Appearance: System, Light or Dark, applied at once (colours baked into widgets follow),
remembered for the next start; ``--appearance`` for one run (and pictures)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QImage, QPalette
from PySide6.QtWidgets import QMenu

from iamdesk.ui import appearance, theme
from iamdesk.ui.settings import Settings


@pytest.fixture
def restore_palette(qapp):
    yield
    appearance.apply(qapp, appearance.SYSTEM)


def _checked(window) -> str:
    menu = window.findChild(QMenu, "appearanceMenu")
    return next(a.objectName() for a in menu.actions() if a.isChecked())


def test_the_menu_switches_at_once_and_is_remembered(
    window, settings, qapp, qtbot, restore_palette
) -> None:
    window.show()
    assert _checked(window) == "appearanceSystemAction"
    started = qapp.palette().color(QPalette.ColorRole.Window).name()
    window.findChild(QAction, "appearanceDarkAction").trigger()
    assert theme.is_dark(qapp.palette())
    assert settings.appearance() == "dark"
    # Colours the app bakes in follow: the theme's dark variants, links that read.
    assert theme.color_name("muted_fg") == "#9aa0a6"
    link = qapp.palette().color(QPalette.ColorRole.Link)
    base = qapp.palette().color(QPalette.ColorRole.Base)
    assert theme.contrast_ratio(link, base) >= 4.5
    # Disabled text stays readable but quieter than enabled text.
    disabled = qapp.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    assert (
        2.5
        <= theme.contrast_ratio(disabled, base)
        < theme.contrast_ratio(qapp.palette().color(QPalette.ColorRole.Text), base)
    )
    qapp.processEvents()
    picture = window.grab().toImage()
    assert picture.pixelColor(picture.width() // 2, picture.height() - 5).lightnessF() < 0.3

    window.findChild(QAction, "appearanceSystemAction").trigger()
    assert settings.appearance() == "system"
    assert qapp.palette().color(QPalette.ColorRole.Window).name() == started


def test_the_choice_applies_at_the_next_start(tmp_path: Path, qapp, restore_palette) -> None:
    from iamdesk.ui.app import Application

    stored = Settings(tmp_path / "s.ini")
    stored.set_appearance("dark")
    instance = Application(stored)
    try:
        assert theme.is_dark(qapp.palette())
        assert _checked(instance.window) == "appearanceDarkAction"
    finally:
        instance.window.close()
        instance.window.deleteLater()
    # A value the app never wrote reads as System.
    stored.set_appearance("purple")
    assert stored.appearance() == "system"


def test_appearance_on_the_command_line_for_a_picture(tmp_path: Path) -> None:
    out = tmp_path / "dark.png"
    command = [sys.executable, "-m", "iamdesk", "--demo", "--appearance", "dark",
               "--screenshot", str(out), "--view", "roles"]  # fmt: skip
    env = {**os.environ, "IAMDESK_NO_SERVER": "1", "HOME": str(tmp_path)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert image.pixelColor(image.width() // 2, image.height() // 2).lightnessF() < 0.3
    wrong = subprocess.run([*command[:5], "purple", *command[6:]], capture_output=True, text=True,
                           timeout=120, env=env)  # fmt: skip
    assert wrong.returncode == 2 and "invalid choice: 'purple'" in wrong.stderr
