"""Fixtures of the Analysis view's tests: a window over the hand-made account."""

from __future__ import annotations

import pytest

from tests.ui.analysis.analysis_model import build_model
from tests.ui.helpers import show_active


def _settle(window) -> None:
    """Let background reads (completions, the graph) finish and report before the window
    and its database go: a late answer must not land on deleted widgets."""
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    window.tasks.cancel_all()
    QThreadPool.globalInstance().waitForDone(20_000)
    QApplication.processEvents()
    window.close()


@pytest.fixture
def model(context):
    return build_model(context.database)


@pytest.fixture
def analysis_window(qtbot, context, settings, model):
    from iamdesk.ui.main_window import MainWindow

    window = MainWindow(context, settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    show_active(qtbot, window)
    window.apply_shortcuts()
    yield window
    _settle(window)


@pytest.fixture
def analysis(analysis_window):
    return analysis_window.show_view("analysis")


@pytest.fixture(scope="module")
def demo_model(tmp_path_factory):
    from iamdesk.services.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite")


@pytest.fixture
def demo_analysis(qtbot, demo_model, settings):
    from iamdesk.store.db import open_database
    from iamdesk.ui.context import AppContext
    from iamdesk.ui.main_window import MainWindow

    database = open_database(demo_model)
    window = MainWindow(AppContext(database, "111122223333", demo_model), settings)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    yield window.show_view("analysis")
    _settle(window)
    database.close()
