"""Issue 10 item 2: a large paste never freezes the editor. The check runs off the GUI thread,
a newer edit supersedes a running check, a text far beyond its quota is answered by its size
alone, and colouring switches off for huge text (and back on when it shrinks)."""

from __future__ import annotations

import json
import threading
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from iamdesk.ui.editor import PolicyEditor, checker
from iamdesk.ui.editor.code_view import LARGE_TEXT, PASTE_ASK_CHARS
from tests.ui.helpers import click_box_button, visible_window


def _policy(statements: int) -> str:
    body = [
        {
            "Sid": f"S{i}",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": [f"arn:aws:s3:::bucket-{i}/*"],
        }
        for i in range(statements)
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": body}, indent=4)


@pytest.fixture
def editor(qtbot):
    widget = PolicyEditor()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    widget.code.setFocus()
    return widget


def test_a_two_megabyte_paste_returns_at_once_and_is_reported_by_its_size(
    editor, qtbot, monkeypatch
):
    threads = []
    real = checker.findings_for

    def recording(text, kind):
        threads.append(threading.get_ident())
        return real(text, kind)

    monkeypatch.setattr(checker, "findings_for", recording)
    text = _policy(15_000)
    assert len(text) > 2_000_000
    QApplication.clipboard().setText(text)
    started = time.perf_counter()
    qtbot.keyClick(editor.code, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    # Far over every quota: the question comes at once, before Qt's own insertion (~1.5 s of
    # a frozen window for 2 MB) could start; nothing is pasted unless the user says so.
    box = visible_window("largePasteBox")
    assert time.perf_counter() - started < 2
    assert f"{len(text):,} characters" in box.text() and "131,072" in box.text()
    assert editor.text() == ""
    click_box_button("largePasteBox", "confirmYesButton")
    qtbot.keyClick(editor.code, Qt.Key.Key_Space)  # the window takes the next key
    assert len(editor.text()) == len(text) + 1
    assert editor.code.highlighter.document() is None  # no colouring for huge text
    qtbot.waitUntil(lambda: not editor.is_checking(), timeout=20000)
    (finding,) = editor.findings()
    assert finding.severity == "ERROR"
    assert finding.code == "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"
    assert "far beyond the 6,144 character maximum" in finding.message
    assert threads and threading.get_ident() not in threads  # checked off the GUI thread
    assert editor.findings_view.isVisible()

    # Undo the paste: the text is small again and coloured again.
    editor.code.undo()
    editor.code.undo()
    assert len(editor.text()) < LARGE_TEXT
    assert editor.code.highlighter.document() is editor.code.document()


def test_a_paste_under_the_question_limit_goes_in_directly(editor, qtbot):
    text = _policy(800)
    assert LARGE_TEXT < len(text) < PASTE_ASK_CHARS
    QApplication.clipboard().setText(text)
    qtbot.keyClick(editor.code, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert editor.text() == text


def test_a_large_paste_declined_changes_nothing(editor, qtbot):
    editor.code.insertPlainText("{}")
    QApplication.clipboard().setText("x" * (PASTE_ASK_CHARS + 1))
    qtbot.keyClick(editor.code, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    click_box_button("largePasteBox", "confirmNoButton")
    assert editor.text() == "{}"


def test_a_newer_edit_supersedes_the_running_check(editor, qtbot):
    text = _policy(120)  # under the size gate: a full check that takes a while
    editor.code.insertPlainText(text)
    qtbot.waitUntil(lambda: editor.check._running is not None, timeout=5000)
    assert "checking" in editor.status.text()
    # Break the JSON while the first check still runs.
    editor.code.moveCursor(editor.code.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.code, ",")
    qtbot.waitUntil(lambda: not editor.is_checking(), timeout=20000)
    assert editor.check.superseded == 1
    codes = [f.code for f in editor.findings() if f.severity == "ERROR"]
    assert codes, editor.findings()  # the findings are the broken text's, not the first check's
    assert "checking" not in editor.status.text()
