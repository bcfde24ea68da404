"""Pasting absurd text into the policy editor: a message in the editor, never the crash dialog
(issue 8, item 4; issue 10, item 4)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from iamdesk.ui.editor import PolicyEditor

DEEP = "[" * 50_000
DEEP_OBJECT = '{"Version": "2012-10-17", "Statement": ' + "[" * 900 + "]" * 900 + "}"


@pytest.fixture
def editor(qtbot):
    widget = PolicyEditor()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("text", [DEEP, DEEP_OBJECT, '{"Sid": "\\udcff"}'])
def test_format_visual_and_summary_explain_instead_of_crashing(editor, qtbot, text) -> None:
    editor.set_text(text)
    editor.validate_now()
    assert editor.has_errors()
    qtbot.mouseClick(editor.findChild(QToolButton, "policyFormatButton"), Qt.MouseButton.LeftButton)
    assert "Cannot format" in editor.status.text()
    assert editor.text() == text  # nothing rewritten
    editor.tabs.setCurrentWidget(editor.visual)
    assert "Fix the JSON first" in editor.visual.message.text()
    assert not editor.visual.add_button.isEnabled()
    editor.tabs.setCurrentWidget(editor.summary)
    assert "No summary" in editor.summary.message.text()
