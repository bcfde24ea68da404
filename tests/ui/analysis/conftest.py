"""Fixtures of the Analysis view's tests: a window over the hand-made account."""

from __future__ import annotations

import pytest

from tests.ui.analysis.analysis_model import build_model


@pytest.fixture
def model(context):
    return build_model(context.database)


@pytest.fixture
def analysis_window(qtbot, context, settings, model):
    from iamdesk.ui.main_window import MainWindow

    window = MainWindow(context, settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.apply_shortcuts()
    yield window
    window.tasks.cancel_all()
    window.close()


@pytest.fixture
def analysis(analysis_window):
    return analysis_window.show_view("analysis")
