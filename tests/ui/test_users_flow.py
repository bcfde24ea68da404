"""A user's life in the Users view, driven through the real widgets: create in the dialog, add
to a group, attach a managed policy, create an access key (secret shown once), enable MFA with
real TOTP codes, a delete refused with the conflict explained; every step undone and redone."""

from __future__ import annotations

import pyotp
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTabWidget

from iamdesk.services import access_keys, attachments, groups, mfa, users
from iamdesk.ui.views.users import UsersView
from tests.ui.helpers import (
    button,
    click_box_button,
    no_visible_window,
    show_active,
    visible_window,
)


@pytest.fixture
def users_view(window, qtbot) -> UsersView:
    show_active(qtbot, window)
    view = window.show_view("users")
    assert isinstance(view, UsersView)
    return view


def names(view: UsersView) -> list[str]:
    return [view.model.row_at(i)["UserName"] for i in range(view.model.rowCount())]


def create_user_in_dialog(view: UsersView, qtbot, name: str) -> None:
    button(view, "usersCreateButton").click()
    dialog = visible_window("createUserDialog")
    field = dialog.findChild(QLineEdit, "createUserNameField")
    ok = button(dialog, "createUserOkButton")
    qtbot.keyClicks(field, "bad name!")
    assert not ok.isEnabled()
    error = dialog.findChild(type(dialog.error), "createUserError")
    assert "regular expression pattern" in error.text()
    field.clear()
    qtbot.keyClicks(field, name)
    assert ok.isEnabled()
    ok.click()
    assert not dialog.isVisible()


def test_create_user_validates_as_you_type_and_undoes(users_view, context, qtbot):
    create_user_in_dialog(users_view, qtbot, "alice")
    assert names(users_view) == ["alice"]
    assert users_view.selected_row()["UserName"] == "alice"
    context.undo_stack.undo()
    qtbot.waitUntil(lambda: names(users_view) == [])
    context.undo_stack.redo()
    qtbot.waitUntil(lambda: names(users_view) == ["alice"])
    # A second user with the same name: IAM's error, inline, the dialog stays open.
    button(users_view, "usersCreateButton").click()
    dialog = visible_window("createUserDialog")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "createUserNameField"), "alice")
    button(dialog, "createUserOkButton").click()
    assert dialog.isVisible()
    assert "EntityAlreadyExists: User with name alice already exists." in dialog.error.text()
    dialog.reject()
    assert context.undo_stack.count() == 1


def test_full_user_lifecycle_with_undo(users_view, context, qtbot):
    db, account = context.database, context.account_id
    groups.create_group(db, account, "devs")
    create_user_in_dialog(users_view, qtbot, "bob")
    tabs = users_view.findChild(QTabWidget, "usersDetailTabs")

    # Add to a group through the Groups tab.
    tabs.setCurrentIndex(1)
    button(users_view, "usersGroupsAddButton").click()
    chooser = visible_window("addToGroupsDialog")
    assert chooser.choose("GroupName", "devs")
    button(chooser, "addToGroupsOkButton").click()

    def members() -> list[str]:
        return [g["GroupName"] for g in groups.list_groups_for_user(db, account, "bob")["Groups"]]

    assert members() == ["devs"]
    assert (
        users_view.findChild(
            type(users_view.detail_tabs[1].list), "usersGroupsList"
        ).topLevelItemCount()
        == 1
    )
    context.undo_stack.undo()
    assert members() == []
    context.undo_stack.redo()
    assert members() == ["devs"]

    # Attach an AWS managed policy, found by searching its description.
    tabs.setCurrentIndex(0)
    button(users_view, "usersPermissionsAttachButton").click()
    attach = visible_window("attachPolicyDialog")
    assert attach.model.rowCount() > 1000  # the AWS managed catalog is searchable
    qtbot.keyClicks(attach.filter, "ReadOnlyAccess")
    assert attach.proxy.rowCount() < 200
    assert attach.choose("PolicyName", "ReadOnlyAccess")
    button(attach, "attachPolicyOkButton").click()

    def attached() -> list[str]:
        found = attachments.list_attached_policies(db, account, "user", "bob")
        return [p["PolicyName"] for p in found["AttachedPolicies"]]

    assert attached() == ["ReadOnlyAccess"]
    perms = users_view.detail_tabs[0]
    assert perms.list.topLevelItem(0).text(0) == "ReadOnlyAccess"
    context.undo_stack.undo()
    assert attached() == []
    context.undo_stack.redo()
    assert attached() == ["ReadOnlyAccess"]

    # Create an access key: the secret is shown once, in a dialog, and works.
    tabs.setCurrentIndex(2)
    button(users_view, "usersAccessKeyCreateButton").click()
    shown = visible_window("accessKeyDialog")
    key_id = shown.findChild(QLineEdit, "accessKeyIdField").text()
    secret_field = shown.findChild(QLineEdit, "accessKeySecretField")
    assert secret_field.echoMode() == QLineEdit.EchoMode.Password
    secret = secret_field.text()
    assert len(secret) == 40
    assert access_keys.verify(db, key_id, secret)
    button(shown, "accessKeyCopySecretButton").click()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == secret
    button(shown, "accessKeyCloseButton").click()
    assert secret_field.text() == ""  # forgotten once closed
    keys_list = users_view.detail_tabs[2].key_list
    assert keys_list.topLevelItem(0).text(0) == key_id
    assert all(secret not in keys_list.topLevelItem(0).text(c) for c in range(4))
    context.undo_stack.undo()
    assert access_keys.list_access_keys(db, account, "bob")["AccessKeyMetadata"] == []

    # Enable a virtual MFA device with two real consecutive codes.
    button(users_view, "usersMfaAssignButton").click()
    dialog = visible_window("mfaDialog")
    button(dialog, "mfaCreateButton").click()
    assert not dialog.findChild(type(dialog.qr), "mfaQrCode").pixmap().isNull()
    seed = dialog.findChild(QLineEdit, "mfaSeedField").text()
    totp = pyotp.TOTP(seed)
    step = int(db.clock().timestamp()) // 30
    qtbot.keyClicks(dialog.code1, totp.at((step - 1) * 30))
    qtbot.keyClicks(dialog.code2, totp.at(step * 30))
    button(dialog, "mfaOkButton").click()
    assert not dialog.isVisible(), dialog.error.text()

    def devices() -> list[dict]:
        return mfa.list_mfa_devices(db, account, "bob")["MFADevices"]

    assert len(devices()) == 1
    context.undo_stack.undo()
    assert devices() == []
    context.undo_stack.redo()  # re-enabled with the next codes of the same seed
    assert len(devices()) == 1

    # Delete: the user still has an MFA device, a policy and a group; as the console does,
    # the question offers to remove them too (Cancel keeps everything).
    button(users_view, "usersDeleteButton").click()
    box = visible_window("confirmDeleteBox")
    for what in ("1 MFA device", "1 attached managed policy", "1 group membership"):
        assert what in box.text()
    assert "cannot come back" in box.informativeText()
    click_box_button("confirmDeleteBox", "confirmNoButton")
    assert users.get_user(db, account, "bob")["User"]["UserName"] == "bob"


def test_filter_sort_and_undo_history(users_view, context, qtbot, window):
    db, account = context.database, context.account_id
    for name in ("zed", "amy", "kim"):
        users.create_user(db, account, name)
    context.notify("users")
    qtbot.waitUntil(lambda: users_view.model.rowCount() == 3)
    window.focus_filter()
    assert users_view.filter.hasFocus() or not window.isActiveWindow()
    qtbot.keyClicks(users_view.filter, "user/zed")
    assert names(users_view) == ["zed"]
    assert users_view.count_label.text() == "1 of 3"
    users_view.filter.clear()
    users_view.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert names(users_view) == ["zed", "kim", "amy"]


def test_switching_accounts_reloads_views(users_view, context, qtbot, window):
    from iamdesk.services import organizations

    db = context.database
    organizations.create_organization(db, account_id=context.account_id)
    created = organizations.create_account(
        db, email="dev@example.com", account_name="dev", account_id=context.account_id
    )
    other = created["CreateAccountStatus"]["AccountId"]
    users.create_user(db, other, "only-in-dev")
    users.create_user(db, context.account_id, "only-in-main")
    context.notify("account", "users")
    qtbot.waitUntil(lambda: names(users_view) == ["only-in-main"])
    switcher = window.account_switcher
    index = switcher.findData(other)
    assert index >= 0
    switcher.setCurrentIndex(index)
    switcher.activated.emit(index)
    assert context.account_id == other
    qtbot.waitUntil(lambda: names(users_view) == ["only-in-dev"])
    assert other in window.windowTitle()
    assert no_visible_window("errorBox")


def test_filtering_keeps_the_detail_pane(users_view, context, qtbot):
    db, account = context.database, context.account_id
    for name in ("amy", "bert"):
        users.create_user(db, account, name)
    context.notify("users")
    qtbot.waitUntil(lambda: users_view.model.rowCount() == 2)
    users_view.select_key("arn:aws:iam::123456789012:user/bert")
    qtbot.keyClicks(users_view.filter, "user/a")
    assert names(users_view) == ["amy"]
    assert "bert" in users_view.detail_title.text()  # still showing what was selected
    users_view.filter.clear()
    assert users_view.selected_row()["UserName"] == "bert"


def test_keyboard_delete_and_column_widths_persist(users_view, context, qtbot, window, settings):
    users.create_user(context.database, context.account_id, "kay")
    context.notify("users")
    qtbot.waitUntil(lambda: users_view.model.rowCount() == 1)
    users_view.table.setFocus()
    users_view.select_first()
    qtbot.keyClick(users_view.table, Qt.Key.Key_Delete)
    click_box_button("confirmDeleteBox", "confirmYesButton")
    qtbot.waitUntil(lambda: users_view.model.total_count() == 0)

    users_view.table.horizontalHeader().resizeSection(0, 333)
    window.save_state()
    from iamdesk.ui.main_window import MainWindow

    again = MainWindow(context, settings)
    qtbot.addWidget(again)
    assert again.show_view("users").table.horizontalHeader().sectionSize(0) == 333


def test_each_edit_is_announced_in_the_status_bar(users_view, window, qtbot):
    from iamdesk.ui.commands.identity import create_user

    create_user(window.context, "sam")
    assert window.statusBar().currentMessage() == "Create user sam — Ctrl+Z undoes it"
