"""Issue 10 item 12, the smaller list: names sort as a person reads them (user-2 before
user-10)."""

from __future__ import annotations

from iamdesk.services import users


def test_users_sort_by_the_numbers_in_their_names(window, context, qtbot):
    for name in ("user-10", "user-2", "user-100", "user-1"):
        users.create_user(context.database, context.account_id, name)
    window.show()
    view = window.show_view("users")
    qtbot.waitUntil(lambda: view.model.total_count() == 4)
    view.table.sortByColumn(0, view.table.horizontalHeader().sortIndicatorOrder().AscendingOrder)
    shown = [view.model.index(r, 0).data() for r in range(view.model.rowCount())]
    assert shown == ["user-1", "user-2", "user-10", "user-100"]
