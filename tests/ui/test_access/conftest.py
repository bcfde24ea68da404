"""The demo organization, built once per test session and copied for each test that edits it."""

from __future__ import annotations

import shutil

import pytest

from iamdesk.ui.context import AppContext
from tests.ui.helpers import show_active


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory):
    from iamdesk.services.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite")


@pytest.fixture
def demo_context(demo_file, tmp_path):
    from iamdesk.store.db import open_database

    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_file, path)
    database = open_database(path)
    context = AppContext(database, database.default_account_id(), path)
    yield context
    database.close()


@pytest.fixture
def panel(qtbot, demo_context):
    from iamdesk.ui.test_access import TestAccessPanel

    widget = TestAccessPanel(demo_context, autorun=False)
    qtbot.addWidget(widget)
    widget.resize(1500, 950)
    show_active(qtbot, widget)
    return widget
