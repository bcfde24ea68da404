"""Administering resources from the Resources view: create a bucket through the dialog, see it,
Ctrl+Z removes it, Ctrl+Shift+Z brings back the same ARN and date; delete by the context menu
and by Del; AWS's refusals in the dialog; a KMS key waits in Pending deletion."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QComboBox, QLabel

from iamdesk.services import removals, resources, roles
from tests.ui.helpers import click_box_button, no_visible_window, show_active, visible_window


def _names(view) -> list[str]:
    return [view.row_name(view.model.row_at(i)) for i in range(view.model.rowCount())]


def _open_create(view, qtbot, service: str):
    menu = view.on_create()
    [action] = [
        a
        for a in menu.findChildren(QAction)
        if a.objectName() == f"resourcesCreate_{service}_Action"
    ]
    action.trigger()
    menu.close()
    dialog = visible_window("createResourceDialog")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.name)
    return dialog


def test_create_a_bucket_see_it_undo_redo_same_arn_and_date(window, context, qtbot):
    show_active(qtbot, window)
    window.apply_shortcuts()
    view = window.show_view("resources")
    dialog = _open_create(view, qtbot, "s3")
    assert dialog.windowTitle() == "Create S3 bucket"
    qtbot.keyClicks(dialog.name, "Bad_Name")
    assert not dialog.ok_button.isEnabled()
    assert "InvalidBucketName" not in dialog.error.text()  # the rule, in S3's words
    assert "lowercase" in dialog.error.text()
    dialog.name.setText("amzn-s3-demo-bucket")
    dialog.region.setCurrentText("eu-west-1")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)  # Enter accepts
    qtbot.waitUntil(lambda: no_visible_window("createResourceDialog"))
    assert "amzn-s3-demo-bucket" in _names(view)
    assert view.selected_row()["Name"] == "amzn-s3-demo-bucket"
    before = removals.snapshot(
        context.database, service="s3", name="amzn-s3-demo-bucket", account_id=None
    )
    assert json.loads(before["Attributes"]) == {"Region": "eu-west-1"}
    region_column = [c.title for c in view.columns()].index("Region")
    shown = view.model.index(view.table.currentIndex().row(), region_column).data()
    assert shown == "eu-west-1"  # the bucket's location, not "global"

    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.table)
    qtbot.keyClick(view.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "amzn-s3-demo-bucket" not in _names(view))
    qtbot.keyClick(
        view.table,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: "amzn-s3-demo-bucket" in _names(view))
    assert (
        removals.snapshot(
            context.database, service="s3", name="amzn-s3-demo-bucket", account_id=None
        )
        == before
    )


def test_a_taken_name_shows_aws_error_in_the_dialog_and_changes_nothing(window, context, qtbot):
    resources.create_bucket(context.database, bucket="taken-bucket")
    window.show()
    view = window.show_view("resources")
    dialog = view.create("s3")
    dialog.name.setText("taken-bucket")
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert dialog.error.text().startswith("BucketAlreadyOwnedByYou:")
    assert context.undo_stack.count() == 0
    # Escape with typed input asks before throwing it away.
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    box = visible_window("discardInputBox")
    assert dialog.isVisible()
    click_box_button("discardInputBox", "confirmYesButton")
    qtbot.waitUntil(lambda: not dialog.isVisible())
    del box


def test_a_lambda_function_asks_for_its_execution_role(window, context, qtbot):
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    roles.create_role(context.database, None, "a-other", json.dumps(json.loads(trust)))
    role = roles.create_role(context.database, None, "z-fn-role", trust)["Role"]["Arn"]
    window.show()
    view = window.show_view("resources")
    dialog = view.create("lambda")
    assert dialog.role.isVisible() and dialog.runtime.isVisible()
    assert role in [dialog.role.itemText(i) for i in range(dialog.role.count())]
    dialog.role.setCurrentText(role)
    dialog.name.setText("resize-images")
    dialog.ok_button.click()
    assert not dialog.isVisible(), dialog.error.text()
    row = view.selected_row()
    assert row["Name"] == "resize-images" and row["Attributes"]["Role"] == role
    # Switching the kind hides the Lambda-only fields.
    other = view.create("sqs")
    assert not other.role.isVisible()
    other.reject()


def test_delete_from_the_context_menu_and_undo_restores_the_same_queue(window, context, qtbot):
    from iamdesk.services import integration

    integration.create_queue(context.database, queue_name="jobs", tags={"team": "a"})
    before = removals.snapshot(context.database, service="sqs", name="jobs", account_id=None)
    show_active(qtbot, window)
    view = window.show_view("resources")
    assert view.select_name("jobs")
    menu = view.context_menu()
    actions = {a.objectName(): a for a in menu.findChildren(QAction)}
    actions["resourcesDeleteAction"].trigger()
    dialog = visible_window("deleteResourceDialog")
    assert "jobs" in dialog.findChild(QLabel, "deleteResourceNote").text()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.ok_button)
    qtbot.keyClick(dialog.ok_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "jobs" not in _names(view))
    context.undo_stack.undo()
    qtbot.waitUntil(lambda: "jobs" in _names(view))
    assert (
        removals.snapshot(context.database, service="sqs", name="jobs", account_id=None) == before
    )
    context.undo_stack.redo()
    qtbot.waitUntil(lambda: "jobs" not in _names(view))


def test_del_schedules_a_key_deletion_and_undo_puts_the_key_back(window, context, qtbot):
    key = resources.create_key(context.database, description="reports")["KeyMetadata"]
    show_active(qtbot, window)
    view = window.show_view("resources")
    assert view.select_name(key["KeyId"])
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    dialog = visible_window("deleteResourceDialog")
    assert dialog.ok_button.text() == "Schedule deletion"
    dialog.window_days.setValue(7)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: "pending deletion" in view.model.data(view.model.index(0, 1)))
    assert view.model.row_at(0)["Attributes"]["KeyState"] == "PendingDeletion"
    context.undo_stack.undo()
    qtbot.waitUntil(lambda: view.model.data(view.model.index(0, 1)) == "KMS key")
    # A key pending deletion cannot be scheduled again: KMS's error in the dialog.
    context.undo_stack.redo()
    assert view.select_name(key["KeyId"])
    again = view.on_delete()
    again.ok_button.click()
    assert again.isVisible() and again.error.text().startswith("KMSInvalidStateException")
    again.reject()


def test_account_and_region_fields_list_the_model(window, context, qtbot):
    window.show()
    view = window.show_view("resources")
    dialog = view.create("secretsmanager")
    account = dialog.findChild(QComboBox, "createResourceAccountField")
    assert account.currentData() == context.account_id
    dialog.region.setCurrentText("nowhere")
    dialog.name.setText("pw")
    assert not dialog.ok_button.isEnabled() and "Region" in dialog.error.text()
    dialog.reject()
