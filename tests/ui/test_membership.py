"""Group membership from both sides: the user's Groups tab and the group's Members tab list the
other side, remove the selected one (undoably), and open it on a double-click."""

from __future__ import annotations

from PySide6.QtCore import Qt

from iamdesk.services import groups, users
from tests.ui.helpers import button


def _names(db, account, user: str) -> list[str]:
    return sorted(g["GroupName"] for g in groups.list_groups_for_user(db, account, user)["Groups"])


def test_remove_from_either_side_and_open_the_other(window, context, qtbot):
    db, account = context.database, context.account_id
    users.create_user(db, account, "ann")
    for group in ("devs", "ops"):
        groups.create_group(db, account, group)
        groups.add_user_to_group(db, account, group, "ann")
    window.show()

    user_view = window.show_view("users")
    qtbot.waitUntil(lambda: user_view.select_name("ann"))
    user_view.tabs.setCurrentIndex(1)
    tab = user_view.detail_tabs[1]
    qtbot.waitUntil(lambda: tab.list.topLevelItemCount() == 2)
    assert sorted(tab.list.topLevelItem(i).text(0) for i in range(2)) == ["devs", "ops"]
    tab.list.setCurrentItem(tab.list.findItems("ops", Qt.MatchFlag.MatchExactly)[0])
    button(user_view, "usersGroupsRemoveButton").click()
    assert _names(db, account, "ann") == ["devs"]
    qtbot.waitUntil(lambda: tab.list.topLevelItemCount() == 1)
    context.undo_stack.undo()
    assert _names(db, account, "ann") == ["devs", "ops"]

    group_view = window.show_view("groups")
    qtbot.waitUntil(lambda: group_view.select_name("devs"))
    group_view.tabs.setCurrentIndex(1)
    members = group_view.detail_tabs[1]
    qtbot.waitUntil(lambda: members.list.topLevelItemCount() == 1)
    assert members.list.topLevelItem(0).text(0) == "ann"
    members.list.setCurrentItem(members.list.topLevelItem(0))
    button(group_view, "groupsMembersRemoveButton").click()
    assert _names(db, account, "ann") == ["ops"]
    context.undo_stack.undo()
    assert _names(db, account, "ann") == ["devs", "ops"]

    qtbot.waitUntil(lambda: members.list.topLevelItemCount() == 1)
    item = members.list.topLevelItem(0)
    members.list.itemDoubleClicked.emit(item, 0)
    assert window.current_view_name() == "users"
    assert user_view.selected_row()["UserName"] == "ann"
