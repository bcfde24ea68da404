"""Completion and hover help in the policy editor, against the real action catalog."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from iamdesk.core import catalog
from iamdesk.ui.editor import PolicyEditor
from iamdesk.ui.editor.assist import hover_text, token_at
from iamdesk.ui.editor.completion import complete, completion_context

HEAD = '{\n    "Version": "2012-10-17",\n    "Statement": [\n        {\n'


@pytest.fixture
def editor(qtbot):
    widget = PolicyEditor()
    qtbot.addWidget(widget)
    widget.resize(800, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _type_at_end(editor, qtbot, text):
    editor.code.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor.code, text)


def test_typing_an_action_offers_real_actions_and_enter_inserts_one(editor, qtbot):
    editor.set_text(HEAD + '            "Effect": "Allow",\n            "Action": [')
    _type_at_end(editor, qtbot, '"s3:GetObj')
    popup = editor.assist.completer.popup()
    assert popup.isVisible()
    offered = editor.assist.model.stringList()
    assert "s3:GetObject" in offered
    assert all(name.lower().startswith("s3:getobj") for name in offered)
    assert all(catalog.action(name) is not None for name in offered)
    popup.setCurrentIndex(editor.assist.completer.completionModel().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert editor.text().endswith('"Action": ["s3:GetObject"')


def test_completing_a_key_closes_it_and_starts_the_value(editor, qtbot):
    editor.set_text(HEAD + "            ")
    _type_at_end(editor, qtbot, '"Eff')
    popup = editor.assist.completer.popup()
    assert editor.assist.model.stringList() == ["Effect"]
    popup.setCurrentIndex(editor.assist.completer.completionModel().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert editor.text().endswith('"Effect": ')
    # ...and the value's choices pop up as soon as its quote is typed.
    _type_at_end(editor, qtbot, '"')
    assert editor.assist.model.stringList() == ["Allow", "Deny"]
    assert popup.isVisible()


def test_a_service_prefix_is_offered_before_the_colon(editor, qtbot):
    editor.set_text(HEAD + '            "Action": "')
    editor.code.moveCursor(QTextCursor.MoveOperation.End)
    assert "dynamodb:" in editor.assist.update(explicit=True)


def test_condition_operators_and_the_actions_own_keys():
    text = HEAD + '"Action": "s3:GetObject", "Condition": {"StringEq'
    _, found = complete(text, text)
    assert "StringEquals" in found and "StringEqualsIgnoreCase" in found
    text = HEAD + '"Action": "s3:GetObject", "Condition": {"StringEquals": {"s3:'
    _, found = complete(text, text)
    assert "s3:ExistingObjectTag/<key>" in found
    text = HEAD + '"Action": "s3:GetObject", "Condition": {"Bool": {"aws:Secure'
    _, found = complete(text, text)
    assert found == ["aws:SecureTransport"]


def test_arn_formats_follow_the_actions_resource_types():
    text = HEAD + '"Action": "s3:GetObject", "Resource": "arn:aws:s3:::'
    _, found = complete(text, text)
    assert "arn:aws:s3:::${BucketName}/${ObjectName}" in found


def test_modelled_resources_come_first_in_resource_completion(editor, qtbot):
    editor.set_known_resources(["arn:aws:s3:::reports", "arn:aws:s3:::reports-archive"])
    editor.set_text(HEAD + '            "Action": "s3:GetObject",\n            "Resource": ')
    _type_at_end(editor, qtbot, '"arn:aws:s3:::rep')
    assert editor.assist.model.stringList() == [
        "arn:aws:s3:::reports",
        "arn:aws:s3:::reports-archive",
    ]


def test_statement_keys_and_no_completion_outside_strings():
    text = HEAD + '            "Eff'
    context, found = complete(text, text)
    assert context.kind == "key" and found == ["Effect"]
    assert completion_context(HEAD + '            "Effect": "Allow", ') is None


def test_colon_inside_the_typed_prefix_does_not_confuse_the_context():
    context = completion_context('{"Statement": {"Action": ["iam:Pass')
    assert context is not None
    assert (context.kind, context.key, context.prefix) == ("value", "Action", "iam:Pass")


def test_hover_on_an_action_and_on_a_wildcard():
    text = hover_text("s3:GetObject")
    assert "Read" in text and "object" in text and "s3:ExistingObjectTag" in text
    wildcard = hover_text("s3:GetObject*")
    count = len(catalog.expand_action("s3:GetObject*"))
    assert count > 5
    assert f"matches {count} actions" in wildcard
    assert "s3:GetObjectTagging" in wildcard
    # A long list is cut, saying how many more there are.
    many = len(catalog.expand_action("s3:*"))
    assert f"and {many - 40} more" in hover_text("s3:*")
    assert "matches no action" in hover_text("s3:Fly*")
    assert hover_text("arn:aws:s3:::bucket") is None
    key = hover_text("aws:TagKeys")
    assert "condition key" in key and "multivalued" in key
    assert "IPAddress" in hover_text("aws:SourceIp")


def test_token_at_finds_the_string_under_the_mouse():
    line = '            "Action": ["s3:GetObject", "s3:Put*"],'
    assert token_at(line, line.index("Put")) == "s3:Put*"
    assert token_at(line, 2) is None


def test_bool_condition_values_complete_to_true_and_false():
    text = HEAD + '"Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": ["f'
    assert complete(text, text)[1] == ["false"]
    text = HEAD + '"Condition": {"StringEquals": {"aws:username": "'
    assert complete(text, text)[1] == []


def test_hovering_an_action_in_the_editor_shows_its_description(editor, qtbot):
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    editor.set_text(HEAD + '            "Action": "s3:GetObject"\n        }\n    ]\n}')
    block = editor.code.document().findBlockByNumber(4)
    cursor = QTextCursor(block)
    cursor.setPosition(block.position() + block.text().index("GetObject"))
    point = editor.code.cursorRect(cursor).center()
    event = QHelpEvent(
        QEvent.Type.ToolTip, point, editor.code.viewport().mapToGlobal(point + QPoint(0, 0))
    )
    QApplication.sendEvent(editor.code.viewport(), event)
    assert QToolTip.isVisible()
    assert "s3:GetObject" in QToolTip.text() and "Read" in QToolTip.text()


def test_completion_and_brackets_after_an_emoji(editor, qtbot):
    editor.set_text('{"Sid": "😀", "Statement": [{"Action": [')
    _type_at_end(editor, qtbot, '"kms:Decr')
    assert editor.assist.model.stringList() == ["kms:Decrypt"]
    text = editor.text()
    cursor = editor.code.textCursor()
    cursor.setPosition(len(text.encode("utf-16-le")) // 2 - len('"kms:Decr') - 1)  # on "["
    editor.code.setTextCursor(cursor)
    assert editor.code.matching_bracket() is None  # the [ is still open
    editor.set_text('{"Sid": "😀", "A": [1]}')
    cursor = editor.code.textCursor()
    cursor.setPosition(len('{"Sid": "😀", "A": '.encode("utf-16-le")) // 2)
    editor.code.setTextCursor(cursor)
    opening, closing = editor.code.matching_bracket()
    doc = editor.code.document()
    assert doc.characterAt(opening) == "[" and doc.characterAt(closing) == "]"
    assert editor.code.line_column() == (1, len('{"Sid": "😀", "A": ') + 1)


def test_principal_completion_offers_kinds_services_and_known_principals():
    text = '{"Statement": [{"Effect": "Allow", "Principal": {"Ser'
    assert complete(text, text)[1] == ["Service"]
    text = '{"Statement": [{"Principal": {"Service": "lambda.'
    assert complete(text, text)[1] == ["lambda.amazonaws.com"]
    known = ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/Deploy"]
    text = '{"Statement": [{"Principal": {"AWS": ["arn:aws:iam::1111'
    assert complete(text, text, principals=known)[1] == known
    text = '{"Statement": [{"Principal": "'
    assert complete(text, text)[1] == ["*"]
