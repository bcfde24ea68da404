"""Issue 10 item 3: unsaved edits are never lost without a word. Selecting another policy,
closing the window (Ctrl+Q) and the Edit policy dialog's Escape / Cancel / close all ask
Save / Discard / Cancel; a ``*`` marks the window title and the document tab meanwhile."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from iamdesk.core.policy.document import PolicyKind
from iamdesk.services import policies
from iamdesk.ui.editor.save_dialog import PolicySaveDialog
from iamdesk.ui.editor.targets import PolicyTarget
from iamdesk.ui.unsaved import asking
from tests.ui.helpers import click_box_button, visible_window

DOC = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    },
    indent=4,
)


@pytest.fixture
def two_policies(window, context):
    db, account = context.database, context.account_id
    arns = [
        policies.create_policy(db, account, name, DOC)["Policy"]["Arn"]
        for name in ("Alpha", "Beta")
    ]
    window.resize(1200, 800)
    window.show()
    view = window.show_view("policies")
    view.type_filter.setCurrentIndex(view.type_filter.findData("Customer managed"))
    return view, arns


def _type_into(editor, qtbot, text: str) -> None:
    editor.code.setFocus()
    editor.code.moveCursor(QTextCursor.MoveOperation.Start)
    qtbot.keyClicks(editor.code, text)


def test_selecting_another_policy_asks_and_cancel_keeps_the_edit(window, two_policies, qtbot):
    view, (alpha, beta) = two_policies
    assert view.select_key(alpha)
    tab = view.detail_tabs[0]
    editor = tab.document.editor
    _type_into(editor, qtbot, " ")
    edited = editor.text()
    assert window.isWindowModified() and "*" in window.windowTitle().replace("[*]", "*")
    assert view.tabs.tabText(0).endswith(" *")

    view.select_key(beta)  # as a click on another row does
    visible_window("unsavedBox")
    assert view.selected_row()["Arn"] == alpha  # the selection waits for the answer
    click_box_button("unsavedBox", "unsavedCancelButton")
    assert view.selected_row()["Arn"] == alpha and editor.text() == edited

    view.select_key(beta)
    click_box_button("unsavedBox", "unsavedDiscardButton")
    assert view.selected_row()["Arn"] == beta
    assert not window.isWindowModified() and not view.tabs.tabText(0).endswith("*")


def test_save_from_the_question_goes_through_the_impact_preview(
    window, context, two_policies, qtbot
):
    view, (alpha, beta) = two_policies
    view.select_key(alpha)
    editor = view.detail_tabs[0].document.editor
    edited = DOC.replace("s3:GetObject", "s3:ListBucket")
    editor.replace_text(edited)
    view.select_key(beta)
    click_box_button("unsavedBox", "unsavedSaveButton")
    db, account = context.database, context.account_id
    # Not saved yet: the Edit policy dialog shows the impact first, as the Save button does.
    assert "s3:ListBucket" not in policies.default_document(db, account, alpha)
    dialog = visible_window("policySaveDialog")
    assert dialog.editor.text() == edited
    qtbot.waitUntil(lambda: dialog.impact is not None, timeout=30000)
    assert view.selected_row()["Arn"] == alpha  # the user stays with the edit meanwhile
    assert dialog.save_clicked()
    assert "s3:ListBucket" in policies.default_document(db, account, alpha)
    assert not view.unsaved_edits()


def test_closing_the_window_with_ctrl_q_asks(window, two_policies, qtbot):
    view, (alpha, _beta) = two_policies
    view.select_key(alpha)
    _type_into(view.detail_tabs[0].document.editor, qtbot, " ")
    window.findChild(type(window.undo_action), "quitAction").trigger()
    visible_window("unsavedBox")
    click_box_button("unsavedBox", "unsavedCancelButton")
    assert window.isVisible()
    window.close()
    click_box_button("unsavedBox", "unsavedDiscardButton")
    assert not window.isVisible()


@pytest.fixture
def dialog(window, context, qtbot):
    arn = policies.create_policy(context.database, context.account_id, "Gamma", DOC)["Policy"][
        "Arn"
    ]
    target = PolicyTarget("managed", context.account_id, "Gamma", PolicyKind.IDENTITY, arn=arn)
    window.show()
    found = PolicySaveDialog(context, target, parent=window)
    found.show()
    qtbot.waitExposed(found)
    return found


def test_escape_in_the_edit_dialog_asks_and_cancel_keeps_editing(dialog, qtbot):
    _type_into(dialog.editor, qtbot, " ")
    qtbot.keyClick(dialog.editor.code, Qt.Key.Key_Escape)
    visible_window("unsavedBox")
    assert dialog.isVisible()
    click_box_button("unsavedBox", "unsavedCancelButton")
    assert dialog.isVisible() and dialog.editor.text().startswith(" ")
    dialog.findChild(type(dialog.save_button), "policyCancelButton").click()
    click_box_button("unsavedBox", "unsavedDiscardButton")
    assert not dialog.isVisible()


def test_escape_closes_the_completion_popup_only(dialog, qtbot):
    code = dialog.editor.code
    code.setFocus()
    cursor = code.document().find("s3:GetObject")
    cursor.setPosition(cursor.selectionStart() + len("s3:Get"))
    code.setTextCursor(cursor)
    cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor, 6)
    code.setTextCursor(cursor)
    qtbot.keyClick(code, Qt.Key.Key_Backspace)
    qtbot.keyClicks(code, "O")
    popup = dialog.editor.assist.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    qtbot.keyClick(popup, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert not asking(dialog)
    assert dialog.isVisible()
    dialog.editor.set_text(dialog.original)  # leave nothing unsaved for the window's teardown


def test_closing_the_edit_dialog_unchanged_asks_nothing(dialog):
    dialog.close()
    assert not dialog.isVisible() and not asking(dialog)
