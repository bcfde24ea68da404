"""The policy editor driven as a user drives it: typing, validation markers, format, jumping."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWidget

from iamdesk.core.policy.document import PolicyKind
from iamdesk.ui.editor import PolicyEditor

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadReports",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
            }
        ],
    },
    indent=4,
)


@pytest.fixture
def editor(qtbot):
    widget = PolicyEditor(text=POLICY)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


def _errors(editor: PolicyEditor):
    return [f for f in editor.findings() if f.severity == "ERROR"]


def test_valid_policy_has_no_error_and_no_marker(editor):
    assert _errors(editor) == []
    assert all(editor.code.marker_severity(n) != "ERROR" for n in range(1, 20))


def test_malformed_edit_marks_the_line_and_lists_the_finding(editor, qtbot):
    # Delete the comma after "Allow" (line 6) the way a user would: place the cursor, backspace.
    line_text = editor.code.document().findBlockByNumber(5).text()
    assert line_text.rstrip().endswith('"Allow",')
    editor.code.go_to(6, len(line_text.rstrip()) + 1)
    qtbot.keyClick(editor.code, Qt.Key.Key_Backspace)
    # Live validation is debounced; wait for it rather than calling it.
    qtbot.waitUntil(lambda: bool(_errors(editor)), timeout=2000)
    error = _errors(editor)[0]
    # JSON reports the missing delimiter where the next element starts: line 7.
    assert error.span.start.line == 7
    assert editor.code.marker_severity(7) == "ERROR"
    assert editor.code.marker_severity(6) is None
    items = editor.findings_view.finding_items()
    assert items and items[0].text(1) == "7"
    underlined = [s for s in editor.code.extraSelections() if s.format.underlineStyle() != 0]
    assert any(s.cursor.blockNumber() == 6 for s in underlined)


def test_clicking_a_finding_jumps_to_its_span(editor, qtbot):
    editor.set_text(POLICY.replace('"Allow",', '"Allow"'))
    item = editor.findings_view.finding_items()[0]
    editor.code.go_to(1, 1)
    editor.findings_view.itemClicked.emit(item, 0)
    assert editor.code.line_column()[0] == 7


def test_format_pretty_prints_and_is_one_undo_step(editor, qtbot):
    compact = json.dumps(json.loads(POLICY))
    editor.set_text(compact)
    assert editor.code.blockCount() == 1
    assert editor.format_document()
    assert editor.text() == POLICY
    editor.code.undo()
    assert editor.text() == compact


def test_format_refuses_malformed_json_and_changes_nothing(editor):
    broken = POLICY.replace("]", "", 1)
    editor.set_text(broken)
    assert not editor.format_document()
    assert editor.text() == broken
    assert "Cannot format" in editor.status.text()


def test_enter_auto_indents_and_closing_bracket_dedents(editor, qtbot):
    editor.set_text('{\n    "Statement": []\n}')
    editor.code.go_to(2, len('    "Statement": [') + 1)
    qtbot.keyClick(editor.code, Qt.Key.Key_Return)
    lines = editor.text().splitlines()
    # The cursor sits on a new line indented one level deeper, the "]" moved below it.
    assert lines[2] == " " * 8
    assert lines[3] == "    ]"
    assert editor.code.line_column() == (3, 9)
    qtbot.keyClicks(editor.code, "{")
    qtbot.keyClick(editor.code, Qt.Key.Key_Return)
    qtbot.keyClicks(editor.code, "}")
    # Enter after "{" indents a level; "}" typed on that blank line goes back to the "{" level.
    assert editor.text().splitlines()[2:5] == ["        {", "        }", "    ]"]


def test_bracket_matching_pairs_brackets_outside_strings(editor):
    editor.set_text('{"a": "}{", "b": [1, 2]}')
    cursor = editor.code.textCursor()
    cursor.setPosition(0)
    editor.code.setTextCursor(cursor)
    assert editor.code.matching_bracket() == (0, len(editor.text()) - 1)
    cursor.setPosition(editor.text().index("[") + 1)
    editor.code.setTextCursor(cursor)
    assert editor.code.matching_bracket() == (editor.text().index("["), editor.text().index("]"))


def test_typing_is_undone_by_the_editors_own_undo(editor, qtbot):
    editor.code.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor.code, " ")
    assert editor.text() != POLICY
    editor.code.undo()
    assert editor.text() == POLICY


def test_go_to_span_highlights_whole_lines(editor):
    from iamdesk.core.policy.document import Position, Span

    span = Span(Position(4, 9), Position(11, 10))
    editor.go_to_span(span, highlight="#ffd6d6")
    highlighted = editor.code.layer("highlight")
    assert [s.cursor.blockNumber() + 1 for s in highlighted] == list(range(4, 12))
    assert editor.code.line_column() == (4, 9)


def test_kind_changes_the_rules(editor):
    pytest.importorskip("iamdesk.core.policy.validation")
    # A trust policy needs a Principal: the same text gets a finding only under TRUST.
    identity_codes = {f.code for f in editor.findings()}
    editor.set_kind(PolicyKind.TRUST)
    trust_codes = {f.code for f in editor.findings()}
    assert trust_codes != identity_codes


def test_format_shortcut_formats_the_focused_editor_only(qtbot):
    from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    compact = json.dumps(json.loads(POLICY))
    first, second = PolicyEditor(text=compact), PolicyEditor(text=compact)
    layout.addWidget(first)
    layout.addWidget(second)
    window.show()
    window.activateWindow()  # shortcuts only reach the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    second.code.setFocus()
    qtbot.keyClick(
        second.code,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert second.text() == POLICY
    assert first.text() == compact


def test_an_empty_editor_is_empty_not_malformed(qtbot):
    editor = PolicyEditor()
    qtbot.addWidget(editor)
    assert editor.findings() == [] and not editor.has_errors()
    assert "empty" in editor.status.text()
    editor.code.setPlainText("{")
    assert editor.validate_now() and editor.has_errors()


def test_clicking_a_gutter_marker_selects_its_finding(editor, qtbot):
    from PySide6.QtCore import QPoint

    editor.set_text(POLICY.replace('"Allow",', '"Allow"'))
    gutter = editor.code.findChild(QWidget, "policyEditorGutter")
    block = editor.code.document().findBlockByNumber(6)
    top = editor.code.blockBoundingGeometry(block).translated(editor.code.contentOffset()).top()
    editor.code.go_to(1, 1)
    qtbot.mouseClick(gutter, Qt.MouseButton.LeftButton, pos=QPoint(6, int(top) + 4))
    assert editor.code.line_column()[0] == 7
    current = editor.findings_view.currentItem()
    assert current is not None and current.text(1) == "7"


def test_spans_count_code_points_even_beyond_the_basic_plane(qtbot):
    from iamdesk.core.policy.document import Position, Span

    editor = PolicyEditor(text='{"Sid": "😀😀", "Effect": "Allow"}')
    qtbot.addWidget(editor)
    start = editor.text().index('"Effect"') + 1  # 1-based column of the quote, in code points
    cursor = editor.code.cursor_for_span(
        Span(Position(1, start), Position(1, start + len('"Effect"')))
    )
    assert cursor.selectedText() == '"Effect"'


def test_highlighting_lands_on_the_right_characters_after_an_emoji(qtbot):
    editor = PolicyEditor(text='{"Sid": "😀", "Effect": "Allow"}')
    qtbot.addWidget(editor)
    block = editor.code.document().firstBlock()
    text = block.text()
    utf16 = text.encode("utf-16-le")
    allow = [
        utf16[2 * r.start : 2 * (r.start + r.length)].decode("utf-16-le")
        for r in block.layout().formats()
        if r.format.foreground().color().name() == "#1b7a2f"
    ]
    assert allow == ['"Allow"']
