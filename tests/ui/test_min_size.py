"""The window fits a 1000x650 screen whatever views were shown: a QStackedWidget is as large as
its largest page, so one wide row of buttons or one tall form in any view used to hold the
whole window at 1230x772. Pages scroll, rows fold into ">>", long labels shorten instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QTabWidget, QToolButton

from iamdesk.ui.context import AppContext
from iamdesk.ui.main_window import MainWindow
from iamdesk.ui.views import VIEW_NAMES

SMALL = (900, 600)  # the largest minimum the window may ask for


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    from iamdesk.services.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite")


@pytest.fixture
def demo_window(qtbot, demo_file, settings):
    from iamdesk.store.db import open_database

    database = open_database(demo_file)
    window = MainWindow(AppContext(database, "111122223333", demo_file), settings)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    yield window
    window.close()
    window.model_watcher.close()
    database.close()


def _settle(qtbot) -> None:
    QApplication.processEvents()
    qtbot.wait(20)


def _visit(window: MainWindow, name: str, qtbot) -> None:
    """Show the view, select its first row and open each of its tabs in turn."""
    view = window.show_view(name)
    _settle(qtbot)
    select_first = getattr(view, "select_first", None)
    if select_first is not None:
        select_first()
        _settle(qtbot)
    for tabs in view.findChildren(QTabWidget):
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            _settle(qtbot)


def _fits(window: MainWindow) -> bool:
    hint = window.minimumSizeHint()
    return hint.width() <= SMALL[0] and hint.height() <= SMALL[1]


@pytest.mark.parametrize("name", VIEW_NAMES)
def test_each_view_leaves_the_window_small(demo_window, qtbot, name):
    _visit(demo_window, name, qtbot)
    hint = demo_window.minimumSizeHint()
    assert _fits(demo_window), f"{name}: the window needs at least {hint.width()}x{hint.height()}"
    demo_window.resize(1000, 650)
    _settle(qtbot)
    assert demo_window.size().toTuple() == (1000, 650)


def test_every_view_shown_still_fits_1000x650(demo_window, qtbot):
    for name in VIEW_NAMES:
        _visit(demo_window, name, qtbot)
    assert _fits(demo_window), demo_window.minimumSizeHint()
    demo_window.resize(1000, 650)
    _settle(qtbot)
    assert demo_window.size().toTuple() == (1000, 650)


def test_narrow_window_folds_buttons_and_shortens_the_status(demo_window, qtbot):
    """At the smallest size the window allows, nothing is lost: the buttons without room are
    behind the ">>" button, the editor's status line says less and keeps all of it in its
    tooltip; at a normal size both show whole."""
    view = demo_window.show_view("users")
    _settle(qtbot)
    view.select_first()
    tab = view.open_tab("Permissions")
    _settle(qtbot)
    status = tab.document.editor.status
    bar = tab.bar.toolbar
    extension = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert all(button.isVisible() for button in tab.bar.buttons.values())
    assert not extension.isVisible()
    assert status.shown_text() == status.text()
    assert "characters without whitespace" in status.shown_text()

    hint = demo_window.minimumSizeHint()
    demo_window.resize(hint)
    _settle(qtbot)
    hidden = [b for b in tab.bar.buttons.values() if not b.isVisible()]
    assert hidden, "the smallest window still shows every button: nothing to fold"
    assert extension.isVisible()
    assert status.shown_text() != status.text()
    assert "characters without whitespace" in status.toolTip()
    assert status.width() >= status.minimumSizeHint().width()

    demo_window.resize(1440, 900)
    _settle(qtbot)
    assert all(button.isVisible() for button in tab.bar.buttons.values())
    assert "characters without whitespace" in status.shown_text()
    assert status.toolTip() == ""
