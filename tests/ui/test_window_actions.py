"""Menu actions driven as a user would: import and export in the background, keyboard shortcuts,
the undo history, the console password dialog checked against the password policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit, QTableWidget, QUndoView

from iamdesk.services import login_profiles, password_policy, users
from tests.ui.helpers import button, visible_window

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "authorization-details-example.json"


def test_import_runs_in_background_with_progress_then_export(window, context, qtbot, tmp_path):
    window.show()
    before = window.account_switcher.count()
    window.file_actions.import_path(SAMPLE)
    assert window.progress.isVisible() or window.tasks.running == 0
    qtbot.waitUntil(lambda: window.tasks.running == 0, timeout=20_000)
    qtbot.waitUntil(lambda: not window.progress.isVisible())
    assert window.account_switcher.count() > before  # the sample's account is now listed
    imported = json.loads(SAMPLE.read_text())["UserDetailList"][0]
    account = imported["Arn"].split(":")[4]
    assert users.get_user(context.database, account, imported["UserName"])

    context.set_account(account)
    out = tmp_path / "export.json"
    window.file_actions.export_path(out)
    qtbot.waitUntil(out.exists, timeout=20_000)
    exported = json.loads(out.read_text())
    assert imported["UserName"] in [u["UserName"] for u in exported["UserDetailList"]]


@pytest.mark.allow_ui_warnings
def test_import_of_a_bad_file_explains_and_changes_nothing(window, context, qtbot, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"UserDetailList": [{"UserName": 5}]}')
    window.show()
    window.file_actions.import_path(bad)
    box = None

    def shown() -> bool:
        nonlocal box
        try:
            box = visible_window("errorBox")
        except AssertionError:
            return False
        return True

    qtbot.waitUntil(shown, timeout=20_000)
    assert "UserDetailList[0]" in box.text()
    assert window.account_switcher.count() == 1
    box.close()
    qtbot.waitUntil(lambda: not window.progress.isVisible())
    # The stage the import had reached does not stay in the status bar after it failed.
    assert not window.statusBar().currentMessage().startswith("Import"), (
        window.statusBar().currentMessage()
    )


def test_shortcuts_dialog_and_undo_history(window, context, qtbot):
    window.show()
    window.show_shortcuts()
    dialog = visible_window("shortcutsDialog")
    table = dialog.findChild(QTableWidget, "shortcutsTable")
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["Undo"] == "Ctrl+Z"
    assert "Ctrl+Shift+Z" in rows["Redo"]
    assert rows["Filter"] == "Ctrl+F"
    assert rows["Users"] == "Ctrl+2"
    dialog.close()

    from iamdesk.ui.commands.identity import create_user

    create_user(context, "hana")
    window.show_undo_history()
    history = window.findChild(QUndoView, "undoHistory")
    assert history.isVisible()
    assert history.stack().text(0) == "Create user hana"


def test_console_password_checked_against_policy_as_typed(window, context, qtbot):
    db, account = context.database, context.account_id
    users.create_user(db, account, "pat")
    password_policy.update_account_password_policy(
        db, account, minimum_password_length=12, require_symbols=True
    )
    window.show()
    view = window.show_view("users")
    view.select_first()
    view.tabs.setCurrentIndex(2)
    button(view, "usersConsoleSetPasswordButton").click()
    dialog = visible_window("passwordDialog")
    field = dialog.findChild(QLineEdit, "passwordPasswordField")
    confirm = dialog.findChild(QLineEdit, "passwordConfirmField")
    qtbot.keyClicks(field, "short")
    assert "at least 12 characters" in dialog.error.text()
    assert not dialog.ok_button.isEnabled()
    field.setText("long-enough-pass!")
    qtbot.keyClicks(confirm, "different")
    assert dialog.error.text() == "The passwords do not match."
    confirm.setText("long-enough-pass!")
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert not dialog.isVisible(), dialog.error.text()
    assert login_profiles.verify_password(db, account, "pat", "long-enough-pass!")
    assert "Must reset the password" in view.detail_tabs[2].console_label.text()
    context.undo_stack.undo()
    assert not login_profiles.verify_password(db, account, "pat", "long-enough-pass!")
    label = view.detail_tabs[2].console_label
    qtbot.waitUntil(lambda: "No console password" in label.text())


def test_import_ends_with_a_sentence_and_no_stale_stage(window, context, qtbot):
    window.show()
    window.file_actions.import_path(SAMPLE)
    qtbot.waitUntil(lambda: window.tasks.running == 0, timeout=20_000)
    qtbot.waitUntil(lambda: not window.progress.isVisible())
    document = json.loads(SAMPLE.read_text())
    shown = window.statusBar().currentMessage()
    users_count = len(document["UserDetailList"])
    assert shown.startswith(f"Imported {users_count} user"), shown
    assert f"from {SAMPLE.name} into account" in shown
    assert "{" not in shown and "Import:" not in shown
