"""Issue 10 item 10: undo is exact. Adding two users to a group in one dialog is one undo
step; a renamed user keeps its History; the delete box counts "2 access keys"."""

from __future__ import annotations

from iamdesk.services import groups, users
from iamdesk.ui.views.deleting import plural
from tests.ui.helpers import button, click_box_button, visible_window


def test_adding_two_members_in_one_dialog_is_one_undo_step(window, context, qtbot):
    db, account = context.database, context.account_id
    for name in ("ann", "bo"):
        users.create_user(db, account, name)
    groups.create_group(db, account, "Auditors")
    window.show()
    view = window.show_view("groups")
    qtbot.waitUntil(lambda: view.select_name("Auditors"))
    view.tabs.setCurrentIndex(1)
    button(view, "groupsMembersAddButton").click()
    chooser = visible_window("addMembersDialog")
    chooser.table.selectAll()
    button(chooser, "addMembersOkButton").click()

    def members():
        return sorted(u["UserName"] for u in groups.get_group(db, account, "Auditors")["Users"])

    assert members() == ["ann", "bo"]
    assert context.undo_stack.count() == 1
    assert "ann, bo" in context.undo_stack.undoText()
    context.undo_stack.undo()
    assert members() == []
    context.undo_stack.redo()
    assert members() == ["ann", "bo"]


def test_a_renamed_user_keeps_its_history(window, context, qtbot):
    from iamdesk.ui.commands.identity import create_user, rename_entity, tag_command

    create_user(context, "alice")
    tag_command(context, "user", "alice", {"team": "data"})
    rename_entity(context, "user", "alice", "/", "alicia", "/")
    window.show()
    view = window.show_view("users")
    qtbot.waitUntil(lambda: view.select_name("alicia"))
    tab = next(t for t in view.detail_tabs if t.name == "History")
    view.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.list.topLevelItemCount() >= 3)
    operations = [tab.list.topLevelItem(i).text(1) for i in range(tab.list.topLevelItemCount())]
    assert operations == ["UpdateUser", "TagUser", "CreateUser"]
    # A new user under the old name does not inherit alicia's past, nor lend its own.
    create_user(context, "alice")
    view.refresh_detail()
    assert tab.list.topLevelItemCount() == 3


def test_plural_of_key_is_keys():
    assert plural(2, "access key") == "2 access keys"
    assert plural(2, "policy") == "2 policies"
    assert plural(1, "access key") == "1 access key"


def test_undoing_a_user_delete_brings_back_the_same_user(window, context, qtbot):
    from iamdesk.ui.commands.identity import create_user

    db, account = context.database, context.account_id
    create_user(context, "dora", "/eng/", {"team": "data"})
    before = users.get_user(db, account, "dora")["User"]
    window.show()
    view = window.show_view("users")
    qtbot.waitUntil(lambda: view.select_name("dora"))
    button(view, "usersDeleteButton").click()
    click_box_button("confirmDeleteBox", "confirmYesButton")
    assert users.list_users(db, account)["Users"] == []
    window.undo_action.trigger()
    after = users.get_user(db, account, "dora")["User"]
    assert after == before  # UserId, CreateDate, path, ARN and tags as they were
    context.undo_stack.redo()
    assert users.list_users(db, account)["Users"] == []


def test_deleting_a_user_with_belongings_is_one_step_and_undo_restores_them(window, context, qtbot):
    """What a user expects: delete a user as the console does, its memberships and policies
    removed with it in one undoable step."""
    import json

    from iamdesk.services import attachments, inline_policies, policies

    db, account = context.database, context.account_id
    users.create_user(db, account, "erin", path="/eng/")
    before = users.get_user(db, account, "erin")["User"]
    groups.create_group(db, account, "Devs")
    groups.add_user_to_group(db, account, "Devs", "erin")
    doc = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        }
    )
    arn = policies.create_policy(db, account, "S3All", doc)["Policy"]["Arn"]
    attachments.attach_policy(db, account, "user", "erin", arn)
    inline_policies.put_inline_policy(db, account, "user", "erin", "Own", doc)
    window.show()
    view = window.show_view("users")
    qtbot.waitUntil(lambda: view.select_name("erin"))
    button(view, "usersDeleteButton").click()
    box = visible_window("confirmDeleteBox")
    assert "1 inline policy" in box.text() and "1 group membership" in box.text()
    click_box_button("confirmDeleteBox", "confirmYesButton")
    assert users.list_users(db, account)["Users"] == []
    assert context.undo_stack.count() == 1  # one step
    window.undo_action.trigger()
    assert users.get_user(db, account, "erin")["User"] == before
    assert [g["GroupName"] for g in groups.list_groups_for_user(db, account, "erin")["Groups"]] == [
        "Devs"
    ]
    attached = attachments.list_attached_policies(db, account, "user", "erin")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [arn]
    assert inline_policies.list_inline_policies(db, account, "user", "erin")["PolicyNames"] == [
        "Own"
    ]
