"""Issue 10 items 5-7: Redo has its keys (Ctrl+Shift+Z and Ctrl+Y, each bound once, listed
once in F1); Tab leaves tables instead of walking their cells; create dialogs open with the
cursor in their first field; the explanation and the tree number statements the same way."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QApplication, QLineEdit, QTableWidget

from iamdesk.services import users
from tests.ui.helpers import button, visible_window


def _active(window, qtbot):
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.apply_shortcuts()


def test_redo_answers_ctrl_shift_z_and_ctrl_y(window, context, qtbot):
    from iamdesk.ui.commands.identity import create_user

    _active(window, qtbot)
    create_user(context, "hana")
    view = window.show_view("users")
    view.table.setFocus()
    db, account = context.database, context.account_id
    names = lambda: [u["UserName"] for u in users.list_users(db, account)["Users"]]  # noqa: E731
    for keys in ("Ctrl+Shift+Z", "Ctrl+Y"):
        qtbot.keyClick(view.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert names() == []
        key = Qt.Key.Key_Z if keys.endswith("Z") else Qt.Key.Key_Y
        modifiers = Qt.KeyboardModifier.ControlModifier
        if "Shift" in keys:
            modifiers |= Qt.KeyboardModifier.ShiftModifier
        qtbot.keyClick(view.table, key, modifiers)
        assert names() == ["hana"], keys
    shortcuts = [s.toString() for s in window.redo_action.shortcuts()]
    assert shortcuts == ["Ctrl+Shift+Z", "Ctrl+Y"]


def test_f1_lists_each_redo_key_once(window, qtbot):
    _active(window, qtbot)
    window.show_shortcuts()
    dialog = visible_window("shortcutsDialog")
    table = dialog.findChild(QTableWidget, "shortcutsTable")
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["Redo"] == "Ctrl+Shift+Z or Ctrl+Y"
    assert all(len(v.split(" or ")) == len(set(v.split(" or "))) for v in rows.values())
    dialog.close()


def test_tab_leaves_the_users_table_without_changing_the_selection(window, context, qtbot):
    for name in ("ana", "ben", "cy"):
        users.create_user(context.database, context.account_id, name)
    _active(window, qtbot)
    view = window.show_view("users")
    view.select_key(view.model.key_at(0))
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not view.table
    assert view.selected_row()["UserName"] == "ana"


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("users", "createUserNameField"),
        ("groups", "createGroupNameField"),
        ("roles", "createRoleNameField"),
        ("policies", "createPolicyNameField"),
    ],
)
def test_create_dialogs_open_with_the_cursor_in_the_first_field(window, qtbot, kind, field):
    _active(window, qtbot)
    view = window.show_view(kind)
    button(view, f"{kind}CreateButton").click()
    dialog = visible_window(field.removesuffix("NameField") + "Dialog")
    qtbot.waitExposed(dialog)
    name = dialog.findChild(QLineEdit, field)
    # The dialog's own focus widget: where typing goes once its window is active (offscreen
    # tests cannot rely on the window manager activating it).
    assert dialog.focusWidget() is name
    qtbot.keyClicks(dialog.focusWidget(), "typed")
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Space)  # Space types, never cancels
    assert name.text() == "typed " and dialog.isVisible()
    dialog.reject()


def test_tab_leaves_the_test_access_context_table(window, qtbot):
    _active(window, qtbot)
    panel = window.show_view("test-access")
    table = panel.context_table.view
    panel.context_table.apply_preset("Requested region")
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not table


def test_f1_lists_the_editor_and_test_access_keys_that_work(window, qtbot):
    from iamdesk.ui.editor import PolicyEditor

    _active(window, qtbot)
    window.show_shortcuts()
    dialog = visible_window("shortcutsDialog")
    table = dialog.findChild(QTableWidget, "shortcutsTable")
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    dialog.close()
    assert rows["Search Everything…"] == "Ctrl+K"
    # Each listed key is the one the widgets bind.
    editor = PolicyEditor()
    qtbot.addWidget(editor)
    assert rows["Editor: format the policy"] == editor.format_action.shortcut().toString()
    panel = window.show_view("test-access")
    bound = {s.key().toString() for s in panel.findChildren(type(panel.findChild(QShortcut)))}
    assert {"F5", "Ctrl+Return"} <= bound and rows["Test access: run"] == "F5 / Ctrl+Enter"


def test_enter_on_a_row_moves_into_its_details_and_tab_follows_the_pane(window, context, qtbot):
    users.create_user(context.database, context.account_id, "ana")
    _active(window, qtbot)
    view = window.show_view("users")
    view.select_key(view.model.key_at(0))
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert view.detail.isAncestorOf(QApplication.focusWidget())
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Tab)
    assert view.detail.isAncestorOf(QApplication.focusWidget())


def test_view_keys_act_only_where_they_belong(window, context, qtbot):
    """Down, Enter and Delete are the table's and the filter's own keys: Down inside the table
    walks its rows (it used to jump focus back to the table), Enter typed in the detail pane
    doesn't reopen the details, and Delete there deletes nothing."""
    for name in ("ana", "ben", "cy"):
        users.create_user(context.database, context.account_id, name)
    _active(window, qtbot)
    view = window.show_view("users")
    view.select_key(view.model.key_at(0))
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    assert view.selected_row()["UserName"] == "ben"
    for shortcut in view.findChildren(QShortcut):
        if shortcut.key().toString() in {"Down", "Return", "Enter", "Del"}:
            assert shortcut.context() == Qt.ShortcutContext.WidgetShortcut, shortcut.key()
    view.filter.setFocus()
    qtbot.keyClick(view.filter, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is view.table
