"""Shared fixtures for the window's tests: a fresh model file and a window over it."""

from __future__ import annotations

import logging

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


@pytest.fixture(autouse=True)
def no_unexpected_ui_warnings(request, caplog):
    """A warning logged by the window's code fails the test, unless the test expects it
    (``@pytest.mark.allow_ui_warnings``); the editor's and test-access panel's tests keep their
    own rules."""
    yield
    path = str(request.node.fspath)
    if "/editor/" in path or "/test_access/" in path:
        return
    if request.node.get_closest_marker("allow_ui_warnings"):
        return
    mine = [
        r
        for r in caplog.get_records("call")
        if r.levelno >= logging.WARNING
        and r.name.startswith("iamdesk.ui")
        and not r.name.startswith(("iamdesk.ui.editor", "iamdesk.ui.test_access"))
    ]
    assert not mine, [f"{r.name}: {r.getMessage()}" for r in mine]


def pytest_configure(config):
    config.addinivalue_line("markers", "allow_ui_warnings: the test expects ui warnings")
