"""Shared fixtures for the window's tests: a fresh model file and a window over it."""

from __future__ import annotations

import pytest

from iamdesk.ui.context import AppContext
from iamdesk.ui.settings import Settings


@pytest.fixture
def settings(tmp_path):
    return Settings(tmp_path / "settings.ini")


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "model.sqlite"


@pytest.fixture
def context(db_path):
    from iamdesk.store.db import open_database

    database = open_database(db_path)
    ctx = AppContext(database, database.default_account_id(), db_path)
    yield ctx
    database.close()


@pytest.fixture
def window(qtbot, context, settings):
    from iamdesk.ui.main_window import MainWindow

    win = MainWindow(context, settings)
    qtbot.addWidget(win)
    return win
