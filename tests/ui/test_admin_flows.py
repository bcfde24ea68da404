"""Groups, roles and policies administered through their views and dialogs, with undo/redo."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QLineEdit

from iamdesk.services import attachments, groups, policies, roles, tags, users
from tests.ui.helpers import button, click_box_button, visible_window

DOC = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
)


def test_group_create_members_and_delete_conflict(window, context, qtbot):
    db, account = context.database, context.account_id
    users.create_user(db, account, "ann")
    window.show()
    view = window.show_view("groups")
    button(view, "groupsCreateButton").click()
    dialog = visible_window("createGroupDialog")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "createGroupNameField"), "Auditors")
    button(dialog, "createGroupOkButton").click()
    assert view.selected_row()["GroupName"] == "Auditors"  # the new group is selected

    view.tabs.setCurrentIndex(1)
    button(view, "groupsMembersAddButton").click()
    chooser = visible_window("addMembersDialog")
    assert chooser.choose("UserName", "ann")
    button(chooser, "addMembersOkButton").click()
    assert [u["UserName"] for u in groups.get_group(db, account, "Auditors")["Users"]] == ["ann"]
    assert view.detail_tabs[1].list.topLevelItemCount() == 1

    button(view, "groupsDeleteButton").click()
    click_box_button("confirmDeleteBox", "confirmYesButton")
    conflict = visible_window("deleteConflictBox")
    assert "1 member" in conflict.informativeText()
    conflict.close()

    context.undo_stack.undo()  # membership
    button(view, "groupsDeleteButton").click()
    click_box_button("confirmDeleteBox", "confirmYesButton")
    qtbot.waitUntil(lambda: view.model.total_count() == 0)
    context.undo_stack.undo()  # the delete
    qtbot.waitUntil(lambda: view.model.total_count() == 1)
    assert groups.get_group(db, account, "Auditors")["Group"]["GroupName"] == "Auditors"


def test_role_created_for_a_service_and_trust_edited(window, context, qtbot):
    db, account = context.database, context.account_id
    window.show()
    view = window.show_view("roles")
    button(view, "rolesCreateButton").click()
    dialog = visible_window("createRoleDialog")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "createRoleNameField"), "LambdaRunner")
    dialog.service.setCurrentText("lambda.amazonaws.com")
    assert '"lambda.amazonaws.com"' in dialog.document.text()
    button(dialog, "createRoleOkButton").click()
    assert not dialog.isVisible(), dialog.error.text()
    assert view.selected_row()["RoleName"] == "LambdaRunner"
    role = roles.get_role(db, account, "LambdaRunner")["Role"]
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert view.model.row_at(0)["TrustedEntities"] == ["AWS service: lambda"]

    from iamdesk.ui.commands.identity import update_trust_policy

    account_trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    update_trust_policy(context, "LambdaRunner", account_trust)
    qtbot.waitUntil(lambda: view.model.row_at(0)["TrustedEntities"] == ["Account: 444455556666"])
    context.undo_stack.undo()
    qtbot.waitUntil(lambda: view.model.row_at(0)["TrustedEntities"] == ["AWS service: lambda"])
    context.undo_stack.undo()  # the creation
    qtbot.waitUntil(lambda: view.model.total_count() == 0)


def test_customer_policy_created_versioned_and_tagged(window, context, qtbot):
    db, account = context.database, context.account_id
    window.show()
    view = window.show_view("policies")
    view.type_filter.setCurrentIndex(view.type_filter.findData("Customer managed"))
    button(view, "policiesCreateButton").click()
    dialog = visible_window("createPolicyDialog")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "createPolicyNameField"), "ReadReports")
    dialog.document.set_text(DOC)
    button(dialog, "createPolicyOkButton").click()
    assert not dialog.isVisible(), dialog.error.text()
    arn = "arn:aws:iam::123456789012:policy/ReadReports"
    assert view.selected_row()["Arn"] == arn

    edited = DOC.replace("s3:GetObject", "s3:ListBucket")
    view.detail_tabs[0].document.set_text(edited)
    button(view, "policiesDocumentSaveButton").click()
    # Save as new version previews the impact first, in the Edit policy dialog; nothing is
    # saved until the user confirms there.
    editor = visible_window("policySaveDialog")
    assert editor.editor.text() == edited
    qtbot.waitUntil(lambda: editor.save_button.text() == "Save" and editor.impact is not None)
    assert editor.impact_view.isVisible()
    assert policies.get_policy(db, account, arn)["Policy"]["DefaultVersionId"] == "v1"
    editor.save_button.click()
    assert not editor.isVisible()
    assert '"s3:ListBucket"' in policies.default_document(db, account, arn)
    assert policies.get_policy(db, account, arn)["Policy"]["DefaultVersionId"] == "v2"
    context.undo_stack.undo()
    assert '"s3:GetObject"' in policies.default_document(db, account, arn)
    assert len(policies.list_policy_versions(db, account, arn)["Versions"]) == 1

    from iamdesk.ui.commands.identity import tag_command, untag_command

    tag_command(context, "policy", arn, {"team": "data"})
    assert tags.list_tags(db, account, "policy", arn)["Tags"] == [{"Key": "team", "Value": "data"}]
    untag_command(context, "policy", arn, ["team"])
    assert tags.list_tags(db, account, "policy", arn)["Tags"] == []
    context.undo_stack.undo()
    assert tags.list_tags(db, account, "policy", arn)["Tags"] == [{"Key": "team", "Value": "data"}]

    # Attached to a user, the policy cannot be deleted: the conflict is explained.
    users.create_user(db, account, "rita")
    attachments.attach_policy(db, account, "user", "rita", arn)
    context.notify("policies")
    qtbot.waitUntil(lambda: view.model.row_at(0)["AttachmentCount"] == 1)
    view.select_key(arn)
    button(view, "policiesDeleteButton").click()
    click_box_button("confirmDeleteBox", "confirmYesButton")
    conflict = visible_window("deleteConflictBox")
    assert "attachments to 1 entity" in conflict.informativeText()
    conflict.close()


def test_inline_policy_and_boundary_on_user(window, context, qtbot):
    db, account = context.database, context.account_id
    users.create_user(db, account, "ivy")
    window.show()
    view = window.show_view("users")
    view.select_first()
    perms = view.detail_tabs[0]
    button(view, "usersPermissionsAddInlineButton").click()
    dialog = visible_window("inlinePolicyDialog")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "inlinePolicyNameField"), "reports")
    dialog.document.set_text(DOC)
    button(dialog, "inlinePolicyOkButton").click()
    assert not dialog.isVisible(), dialog.error.text()
    assert perms.list.topLevelItem(0).text(1) == "Inline"
    context.undo_stack.undo()
    from iamdesk.services import inline_policies

    assert inline_policies.list_inline_policies(db, account, "user", "ivy")["PolicyNames"] == []
    context.undo_stack.redo()

    button(view, "usersPermissionsSetBoundaryButton").click()
    chooser = visible_window("boundaryDialog")
    assert chooser.choose("PolicyName", "PowerUserAccess")
    button(chooser, "boundaryOkButton").click()
    boundary = users.get_user(db, account, "ivy")["User"]["PermissionsBoundary"]
    assert boundary["PermissionsBoundaryArn"].endswith("/PowerUserAccess")
    assert "PowerUserAccess" in perms.boundary.text()
    context.undo_stack.undo()
    assert "PermissionsBoundary" not in users.get_user(db, account, "ivy")["User"]


def test_rename_user_and_edit_role_settings_with_undo(window, context, qtbot):
    db, account = context.database, context.account_id
    users.create_user(db, account, "old-name")
    window.show()
    view = window.show_view("users")
    view.select_first()
    button(view, "usersEditButton").click()
    dialog = visible_window("editUserDialog")
    ok = button(dialog, "editUserOkButton")
    assert not ok.isEnabled()  # nothing changed yet
    name = dialog.findChild(QLineEdit, "editUserNameField")
    name.setText("new-name")
    dialog.findChild(QLineEdit, "editUserPathField").setText("/staff/")
    ok.click()
    assert not dialog.isVisible(), dialog.error.text()
    renamed = users.get_user(db, account, "new-name")["User"]
    assert renamed["Arn"] == "arn:aws:iam::123456789012:user/staff/new-name"
    assert view.selected_row()["UserName"] == "new-name"
    context.undo_stack.undo()
    assert users.get_user(db, account, "old-name")["User"]["Path"] == "/"

    roles.create_role(
        db,
        account,
        "Runner",
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    )
    roles_view = window.show_view("roles")
    roles_view.select_first()
    button(roles_view, "rolesEditButton").click()
    dialog = visible_window("editRoleDialog")
    dialog.findChild(QLineEdit, "editRoleDescriptionField").setText("runs the batch jobs")
    dialog.session.setValue(4)
    button(dialog, "editRoleOkButton").click()
    role = roles.get_role(db, account, "Runner")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("runs the batch jobs", 14400)
    context.undo_stack.undo()
    assert roles.get_role(db, account, "Runner")["Role"]["MaxSessionDuration"] == 3600


def test_tags_tab_adds_and_removes_with_undo(window, context, qtbot):
    db, account = context.database, context.account_id
    users.create_user(db, account, "tia")
    window.show()
    view = window.show_view("users")
    view.select_first()
    view.tabs.setCurrentIndex(3)
    button(view, "usersTagsAddButton").click()
    dialog = visible_window("tagDialog")
    key = dialog.findChild(QLineEdit, "tagKeyField")
    qtbot.keyClicks(key, "a" * 129)
    assert "128" in dialog.error.text() and not dialog.ok_button.isEnabled()
    key.setText("CostCenter")
    dialog.findChild(QLineEdit, "tagValueField").setText("42")
    dialog.ok_button.click()
    tab = view.detail_tabs[3]
    assert tab.list.topLevelItem(0).text(0) == "CostCenter"
    tab.list.setCurrentItem(tab.list.topLevelItem(0))
    button(view, "usersTagsRemoveButton").click()
    assert tags.list_tags(db, account, "user", "tia")["Tags"] == []
    context.undo_stack.undo()
    assert tags.list_tags(db, account, "user", "tia")["Tags"] == [
        {"Key": "CostCenter", "Value": "42"}
    ]
