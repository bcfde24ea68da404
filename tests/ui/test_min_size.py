"""The window fits a 1000x650 screen whatever views were shown: a QStackedWidget is as large as
its largest page, so one wide row of buttons or one tall form in any view used to hold the
whole window at 1230x772. Pages scroll, rows fold into ">>", long labels shorten instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QScrollArea, QTabWidget, QToolButton

from iamdesk.ui.context import AppContext
from iamdesk.ui.fitting import SCROLLING
from iamdesk.ui.main_window import MainWindow
from iamdesk.ui.views import VIEW_NAMES
from iamdesk.ui.views.entity_view import EntityView

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
    # Let the views' background reads (the dashboard's findings) deliver before the window goes.
    QThreadPool.globalInstance().waitForDone(20_000)
    QApplication.processEvents()
    window.close()
    window.model_watcher.close()
    database.close()


def _settle(qtbot) -> None:
    QApplication.processEvents()
    qtbot.wait(20)


def _visit(window: MainWindow, name: str, qtbot) -> None:
    """Show the view and open each of its tabs in turn; an entity view's tabs for each of its
    rows (the first fifty), so a long name, note or ARN of any row is seen."""
    view = window.show_view(name)
    _settle(qtbot)
    rows = [None]
    if isinstance(view, EntityView):
        rows = list(range(min(view.model.rowCount(), 50)))
    for row in rows:
        if row is not None:
            view.table.setCurrentIndex(view.model.index(row, 0))
            _settle(qtbot)
        for tabs in view.findChildren(QTabWidget):
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                _settle(qtbot)
                if window.size().toTuple() == (1000, 650):
                    _assert_no_sideways_scrolling(tabs, f"{name} row {row}")


def _assert_no_sideways_scrolling(tabs: QTabWidget, where: str) -> None:
    """At 1000x650 a page may scroll down (a tall form) but never sideways."""
    page = QTabWidget.currentWidget(tabs)
    if isinstance(page, QScrollArea) and page.property(SCROLLING):
        bar = page.horizontalScrollBar()
        text = tabs.tabText(tabs.currentIndex())
        assert bar.maximum() == 0, f"{where}, tab {text}: {bar.maximum()} px wider than the pane"


def _fits(window: MainWindow) -> bool:
    hint = window.minimumSizeHint()
    return hint.width() <= SMALL[0] and hint.height() <= SMALL[1]


@pytest.mark.parametrize("name", VIEW_NAMES)
def test_each_view_leaves_the_window_small(demo_window, qtbot, name):
    demo_window.resize(1000, 650)
    _settle(qtbot)
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
    assert not extension.icon().isNull() and extension.toolTip()
    assert status.shown_text() != status.text()
    assert "characters without whitespace" in status.toolTip()
    assert status.width() >= status.minimumSizeHint().width()

    demo_window.resize(1440, 900)
    _settle(qtbot)
    assert all(button.isVisible() for button in tab.bar.buttons.values())
    assert "characters without whitespace" in status.shown_text()
    assert status.toolTip() == ""


@pytest.mark.parametrize("name", ["users", "roles"])
def test_permissions_buttons_all_show_at_1000x650(demo_window, qtbot, name):
    """At 1000x650 the Permissions tab's buttons fit for every row: "Remove" (the boundary)
    used to fold into ">>". The boundary's label says less there, all of it in its tooltip, and
    its buttons say what they do in theirs; at 1920x1080 the label shows whole."""
    demo_window.resize(1000, 650)
    view = demo_window.show_view(name)
    _settle(qtbot)
    for row in range(view.model.rowCount()):
        view.table.setCurrentIndex(view.model.index(row, 0))
        tab = view.open_tab("Permissions")
        _settle(qtbot)
        where = f"{name} row {row}"
        for bar in (tab.bar, tab.boundary_bar):
            folded = [n for n, button in bar.buttons.items() if not button.isVisible()]
            assert not folded, f"{where}: {folded} folded into >>"
        label = tab.boundary
        assert label.text().startswith("Permissions boundary: ")
        assert label.shown_text() == label.text() or label.toolTip() == label.text(), where
        # The label's own wording beside the buttons is whole: the text the variant holds fits.
        assert label.fontMetrics().horizontalAdvance("Boundary: not set") <= label.width(), where
        for button in tab.boundary_bar.buttons.values():
            assert "permissions boundary" in button.toolTip(), where
    demo_window.resize(1920, 1080)
    _settle(qtbot)
    assert tab.boundary.shown_text() == tab.boundary.text()
    assert tab.boundary.toolTip() == ""
