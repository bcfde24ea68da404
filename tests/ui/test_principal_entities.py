"""The Roles view's trust tab after a trusted user is deleted (Users view, Delete) and the
delete undone: the policy shows the user's old unique ID, then its ARN again."""

from __future__ import annotations

import json

from iamdesk.services import roles, users
from tests.ui.helpers import button, click_box_button


def test_trust_tab_shows_the_deleted_users_unique_id(window, context, qtbot):
    db, account = context.database, context.account_id
    bob = users.create_user(db, account, "bob")["User"]
    statement = {"Effect": "Allow", "Principal": {"AWS": bob["Arn"]}, "Action": "sts:AssumeRole"}
    trust = {"Version": "2012-10-17", "Statement": [statement]}
    roles.create_role(db, account, "Deploy", json.dumps(trust, indent=4))
    window.show()
    roles_view = window.show_view("roles")
    assert roles_view.select_name("Deploy")
    tab = next(t for t in roles_view.detail_tabs if t.name == "Trust")
    roles_view.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: bob["Arn"] in tab.document.text())
    assert bob["Arn"] in tab.words.text()

    users_view = window.show_view("users")
    assert users_view.select_name("bob")
    button(users_view, "usersDeleteButton").click()
    click_box_button("confirmDeleteBox", "confirmYesButton")
    qtbot.waitUntil(lambda: users_view.model.total_count() == 0)

    window.show_view("roles")
    qtbot.waitUntil(lambda: bob["UserId"] in tab.document.text())
    assert bob["Arn"] not in tab.document.text()
    assert f"Deleted user ({bob['UserId']})" in tab.words.text()

    context.undo_stack.undo()  # the user comes back with its ID: the trust names it again
    qtbot.waitUntil(lambda: bob["Arn"] in tab.document.text())
    assert bob["UserId"] not in tab.document.text()


def test_a_deleted_role_comes_back_with_its_id_and_the_bucket_policy_names_it_again(
    window, context, qtbot
):
    from iamdesk.services import resources

    db, account = context.database, context.account_id
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}  # fmt: skip
    role = roles.create_role(db, account, "Reader", json.dumps(trust))["Role"]
    resources.create_bucket(db, bucket="reports", account_id=account)
    grant = {"Effect": "Allow", "Principal": {"AWS": role["Arn"]}, "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::reports/*"}  # fmt: skip
    policy = json.dumps({"Version": "2012-10-17", "Statement": [grant]})
    resources.put_bucket_policy(db, bucket="reports", policy=policy, account_id=account)

    def principal() -> str:
        text = resources.get_bucket_policy(db, bucket="reports", account_id=account)["Policy"]
        return json.loads(text)["Statement"][0]["Principal"]["AWS"]

    window.show()
    roles_view = window.show_view("roles")
    assert roles_view.select_name("Reader")
    button(roles_view, "rolesDeleteButton").click()
    click_box_button("confirmDeleteBox", "confirmYesButton")
    qtbot.waitUntil(lambda: roles_view.model.total_count() == 0)
    assert principal() == role["RoleId"]

    context.undo_stack.undo()  # the role is back as it was: same ID, same date
    qtbot.waitUntil(lambda: roles_view.model.total_count() == 1)
    again = roles.get_role(db, account, "Reader")["Role"]
    assert (again["RoleId"], again["CreateDate"]) == (role["RoleId"], role["CreateDate"])
    assert principal() == role["Arn"]
