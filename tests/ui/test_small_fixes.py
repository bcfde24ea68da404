"""Issue 10 item 12, the smaller list: names sort as a person reads them (user-2 before
user-10); forms stay quiet until typed in and spell AWS's regex escapes out."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from iamdesk.services import users
from tests.ui.helpers import button, visible_window


def test_users_sort_by_the_numbers_in_their_names(window, context, qtbot):
    for name in ("user-10", "user-2", "user-100", "user-1"):
        users.create_user(context.database, context.account_id, name)
    window.show()
    view = window.show_view("users")
    qtbot.waitUntil(lambda: view.model.total_count() == 4)
    view.table.sortByColumn(0, view.table.horizontalHeader().sortIndicatorOrder().AscendingOrder)
    shown = [view.model.index(r, 0).data() for r in range(view.model.rowCount())]
    assert shown == ["user-1", "user-2", "user-10", "user-100"]


def _open_create_user(window, qtbot):
    window.show()
    view = window.show_view("users")
    button(view, "usersCreateButton").click()
    return visible_window("createUserDialog")


def test_an_untouched_form_shows_no_error_until_the_user_types(window, qtbot):
    dialog = _open_create_user(window, qtbot)
    ok = button(dialog, "createUserOkButton")
    assert not ok.isEnabled()  # the empty name still keeps OK off
    assert not dialog.error.isVisible()
    qtbot.keyClicks(dialog.findChild(QLineEdit, "createUserNameField"), "bad name!")
    assert dialog.error.isVisible()
    assert "regular expression pattern" in dialog.error.text()
    dialog.reject()


def test_a_path_error_spells_the_pattern_readably(window, qtbot):
    dialog = _open_create_user(window, qtbot)
    qtbot.keyClicks(dialog.findChild(QLineEdit, "createUserNameField"), "alice")
    path = dialog.findChild(QLineEdit, "createUserPathField")
    path.clear()
    qtbot.keyClicks(path, "no-slash")
    assert dialog.error.isVisible()
    assert "\\u" not in dialog.error.text()
    assert "(/)|(/[!-~]+/)" in dialog.error.text()
    dialog.reject()


def test_used_as_counts_a_permissions_boundary_in_use(window, context, qtbot):
    import json

    from PySide6.QtCore import Qt

    from iamdesk.services import attachments, policies

    db, account = context.database, context.account_id
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    arn = policies.create_policy(db, account, "Boundary", json.dumps(document))["Policy"]["Arn"]
    users.create_user(db, account, "alice")
    attachments.put_permissions_boundary(db, account, "user", "alice", arn)
    window.show()
    view = window.show_view("policies")
    view.filter.setText("Boundary")
    assert view.select_key(arn)
    used = next(c for c, col in enumerate(view.model.columns) if col.title == "Used as")
    row = next(r for r in range(view.model.rowCount()) if view.model.row_at(r)["Arn"] == arn)
    cell = view.model.index(row, used)
    assert cell.data() in (1, "1")
    assert "permissions boundary of 1 entity" in cell.data(Qt.ItemDataRole.ToolTipRole)
    view.type_filter.setCurrentIndex(view.type_filter.findData("used"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert view.model.row_at(0)["Arn"] == arn  # "In use" lists it too


def test_ctrl_end_goes_to_the_real_last_row(window, context, qtbot):
    from PySide6.QtCore import Qt

    from iamdesk.ui.models.table import BATCH

    total = BATCH + 40
    for i in range(total):
        users.create_user(context.database, context.account_id, f"u{i:04d}")
    window.show()
    view = window.show_view("users")
    qtbot.waitUntil(lambda: view.model.total_count() == total)
    assert view.model.rowCount() < total  # only the first batch is loaded
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(0, 0))
    qtbot.keyClick(view.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert view.table.currentIndex().row() == total - 1
    assert view.selected_row()["UserName"] == f"u{total - 1:04d}"


def test_a_quota_exceeded_is_flagged_on_the_dashboard(window, context, qtbot):
    import json

    from PySide6.QtWidgets import QLabel

    from iamdesk.services.importexport import import_authorization_details
    from iamdesk.ui import theme

    account = "210987654321"
    service = {"Service": "lambda.amazonaws.com"}
    statement = {"Effect": "Allow", "Principal": service, "Action": "sts:AssumeRole"}
    trust = {"Version": "2012-10-17", "Statement": [statement]}
    roles = [
        {
            "Path": "/",
            "RoleName": f"r{i}",
            "RoleId": f"AROA{i:017d}",
            "Arn": f"arn:aws:iam::{account}:role/r{i}",
            "CreateDate": "2024-01-01 00:00:00+00:00",
            "AssumeRolePolicyDocument": trust,
            "InstanceProfileList": [],
            "RolePolicyList": [],
            "AttachedManagedPolicies": [],
            "Tags": [],
        }
        for i in range(2500)
    ]
    document = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles}
    import_authorization_details(context.database, json.dumps(document))
    context.set_account(account)
    window.show()
    dashboard = window.show_view("dashboard")
    label = dashboard.findChild(QLabel, "dashboardRolesQuota")
    qtbot.waitUntil(lambda: "2,500" in label.text())
    assert label.text() == "2,500 of 1,000 allowed (250%) — over the quota"
    assert theme.color_name("error_fg") in label.styleSheet()
    assert "LimitExceeded" in label.toolTip()
    users_label = dashboard.findChild(QLabel, "dashboardUsersQuota")
    assert "over" not in users_label.text() and not users_label.toolTip()
