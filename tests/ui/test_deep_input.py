"""Issue 10: "maximum recursion depth" once reached a message. 50,000 ``[`` (and a long text)
typed into every field of the app that takes JSON or free text: the editor, test access's
context values, actions and resources, a resource policy, the SCP dialog, the create dialogs,
the search box and the analysis inputs. Each answers in words; no visible text shows Python's
internals, and no exception escapes (pytest-qt fails the test on one)."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox, QPlainTextEdit

from iamdesk.ui.context import AppContext
from iamdesk.ui.messages import describe
from iamdesk.ui.test_access.context_table import ContextRow
from tests.ui.helpers import show_active

DEEP = "[" * 50_000
LONG = "x" * 200_000
LEAKS = ("recursion", "Traceback", "RecursionError", "MemoryError", "Error:", "object at 0x")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    from iamdesk.services.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite")


@pytest.fixture
def demo_window(qtbot, demo_file, tmp_path, settings):
    from iamdesk.store.db import open_database
    from iamdesk.ui.main_window import MainWindow

    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_file, path)
    database = open_database(path)
    context = AppContext(database, database.default_account_id(), path)
    window = MainWindow(context, settings)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    show_active(qtbot, window)
    yield window, context
    database.close()


def _shown_texts() -> list[str]:
    """Every text a person can read right now: labels, message boxes, the status bar."""
    found = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        if isinstance(top, QMessageBox):
            found += [top.text(), top.informativeText()]
        for label in top.findChildren(QLabel):
            if label.isVisible():
                found.append(label.text())
    return found


def _assert_no_leak() -> None:
    for text in _shown_texts():
        for word in LEAKS:
            assert word not in text, text[:300]


def test_describe_never_shows_python_words() -> None:
    assert "recursion" not in describe(RecursionError("maximum recursion depth exceeded"))
    assert describe(MemoryError()) == "the input is too large to read"


def test_deep_json_in_every_field(demo_window, qtbot) -> None:
    window, context = demo_window
    for bad in (DEEP, LONG):
        # Test access: context value, actions and resources.
        panel = window.show_view("test-access")
        alice = f"arn:aws:iam::{context.account_id}:user/alice"
        panel.set_request(alice, ["s3:GetObject"], [bad[:5000]])
        panel.context_table.model.add(ContextRow("aws:SourceIp", "ipAddress", bad))
        panel.context_table.model.add(ContextRow("aws:TagKeys", "stringList", bad))
        panel.run()
        _assert_no_leak()
        panel.set_request(alice, [bad], ["*"])
        panel.run()
        _assert_no_leak()

        # The resource policy of a bucket: Save refuses in S3's words.
        resources = window.show_view("resources")
        resources.select_name("example-corp-uploads")
        tab = resources.open_tab("Policy")
        tab.document.set_text(bad)
        tab.save()
        _assert_no_leak()
        for box in QApplication.topLevelWidgets():
            if isinstance(box, QMessageBox) and box.isVisible():
                box.close()

        # Dialogs that take JSON or text.
        org = window.show_view("organization")
        dialog = org.new_policy()
        dialog.name.setText("Deep")
        dialog.document.set_text(bad)
        dialog.ok_button.click()
        assert dialog.isVisible()
        _assert_no_leak()
        dialog.reject()
        create = resources.create("secretsmanager")
        create.name.setText(bad)
        _assert_no_leak()
        assert not create.ok_button.isEnabled()
        create.reject()

        # The search box (Ctrl+K) and the analysis inputs.
        search = window.show_search()
        search.field.setText(bad)
        search.search_now()
        qtbot.waitUntil(lambda s=search: not s.busy, timeout=30000)
        _assert_no_leak()
        search.reject()
        analysis = window.show_view("analysis")
        for key in ("WhoCan", "WhatCan"):
            tab = analysis.tab(key)
            for widget in tab.inputs.values():
                if isinstance(widget, QLineEdit):
                    widget.setText(bad)
                elif isinstance(widget, QPlainTextEdit):
                    widget.setPlainText(bad)
            task = tab.run()
            if task is not None:
                qtbot.waitUntil(lambda t=tab: not t.running, timeout=60000)
            _assert_no_leak()
