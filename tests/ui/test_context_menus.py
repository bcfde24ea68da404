"""What a user of an admin console expects: a context menu on every row. On a user: Test access
as this user, Copy ARN, Attach policies, Delete; on a policy: Open in editor, Create a customer
copy of an AWS managed policy, Show entities."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication

from iamdesk.services import users
from tests.ui.helpers import click_box_button, visible_window


def _menu(view):
    menu = view.context_menu()
    assert menu is not None
    return menu, {a.objectName(): a for a in menu.findChildren(QAction) if a.objectName()}


def test_a_users_menu_tests_access_copies_attaches_and_deletes(window, context, qtbot):
    arn = users.create_user(context.database, context.account_id, "ann", path="/eng/")["User"][
        "Arn"
    ]
    window.resize(1200, 800)
    window.show()
    view = window.show_view("users")
    qtbot.waitUntil(lambda: view.select_name("ann"))
    # The right-click path selects the row under the pointer and pops the menu up.
    view.table.customContextMenuRequested.emit(QPoint(5, 5))
    _, actions = _menu(view)
    assert {
        "usersTestAccessAction",
        "usersCopyArnAction",
        "usersAttachAction",
        "usersDeleteAction",
    } <= set(actions)

    actions["usersCopyArnAction"].trigger()
    assert QApplication.clipboard().text() == arn
    actions["usersAttachAction"].trigger()
    visible_window("attachPolicyDialog").reject()
    assert view.tabs.currentWidget().name == "Permissions"

    actions["usersTestAccessAction"].trigger()
    assert window.current_view_name() == "test-access"
    assert window.views["test-access"].principal_arn() == arn

    window.show_view("users")
    _, actions = _menu(view)
    actions["usersDeleteAction"].trigger()
    visible_window("confirmDeleteBox")
    click_box_button("confirmDeleteBox", "confirmNoButton")  # leave no box for later tests
    assert users.get_user(context.database, context.account_id, "ann")["User"]["Arn"] == arn


def test_a_policys_menu_opens_the_editor_copies_and_shows_entities(window, context, qtbot):
    window.resize(1200, 800)
    window.show()
    view = window.show_view("policies")
    qtbot.waitUntil(lambda: view.model.total_count() > 1000, timeout=10_000)
    view.filter.setText("PowerUserAccess")
    assert view.select_key("arn:aws:iam::aws:policy/PowerUserAccess")
    _, actions = _menu(view)
    assert {
        "policiesOpenEditorAction",
        "policiesShowEntitiesAction",
        "policiesCopyPolicyAction",
    } <= set(actions)

    actions["policiesShowEntitiesAction"].trigger()
    assert view.tabs.currentWidget().name == "Attached"

    actions["policiesOpenEditorAction"].trigger()
    editor = visible_window("policySaveDialog")
    assert "NotAction" in editor.editor.text() and not editor.save_button.isEnabled()
    editor.reject()

    actions["policiesCopyPolicyAction"].trigger()
    dialog = visible_window("createPolicyDialog")
    assert dialog.name.text() == "PowerUserAccessCopy"
    assert "NotAction" in dialog.document.text()
    dialog.ok_button.click()
    assert not dialog.isVisible(), dialog.error.text()
    assert view.selected_row()["Arn"].endswith(":policy/PowerUserAccessCopy")
    context.undo_stack.undo()  # creating the copy is one undoable step
    from iamdesk.services import policies

    names = [
        p["PolicyName"]
        for p in policies.list_policies(context.database, context.account_id, scope="Local")[
            "Policies"
        ]
    ]
    assert "PowerUserAccessCopy" not in names
