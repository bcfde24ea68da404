"""Administering the organization from its view: create an OU (Ins) and undo/redo it with the
same id, create an account placed in an OU, move it, a non-empty OU cannot be deleted, create an
SCP, attach it and see test access change from allowed to explicitDeny, detach, delete."""

from __future__ import annotations

import json
import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox

from iamdesk.services import organizations as orgs
from iamdesk.services.errors import IamError
from iamdesk.services.organizations import removal
from iamdesk.ui.context import AppContext
from iamdesk.ui.test_access.context_table import ContextRow
from tests.ui.helpers import click_box_button, show_active, visible_window

DENY_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]},
    indent=4,
)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    from iamdesk.services.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite")


@pytest.fixture
def org_window(qtbot, demo_file, tmp_path, settings):
    from iamdesk.store.db import open_database
    from iamdesk.ui.main_window import MainWindow

    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_file, path)
    database = open_database(path)
    context = AppContext(database, database.default_account_id(), path)
    window = MainWindow(context, settings)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    show_active(qtbot, window)
    window.apply_shortcuts()
    view = window.show_view("organization")
    yield window, view, context
    database.close()


def _item(view, node_id: str):
    return view._find_account(view.tree.topLevelItem(0), node_id)


def _labels(view) -> set[str]:
    found = set()

    def walk(item):
        found.add(item.text(1))
        for i in range(item.childCount()):
            walk(item.child(i))

    walk(view.tree.topLevelItem(0))
    return found


def _menu_actions(menu) -> dict[str, QAction]:
    return {a.objectName(): a for a in menu.findChildren(QAction) if a.objectName()}


def test_create_an_ou_with_ins_undo_and_redo_keep_its_id(org_window, qtbot):
    _window, view, context = org_window
    root = view.tree.topLevelItem(0)
    view.tree.setCurrentItem(root)
    view.tree.setFocus()
    qtbot.keyClick(view.tree, Qt.Key.Key_Insert)
    dialog = visible_window("createOuDialog")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.name)
    assert dialog.parent_field.currentData() == root.text(1)
    qtbot.keyClicks(dialog.name, "Sandbox")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    ou_id = dialog.created["Id"]
    assert ou_id.startswith("ou-")
    qtbot.waitUntil(lambda: ou_id in _labels(view))
    context.undo_stack.undo()
    qtbot.waitUntil(lambda: ou_id not in _labels(view))
    context.undo_stack.redo()
    qtbot.waitUntil(lambda: ou_id in _labels(view))
    assert removal.ou_snapshot(context.database, ou_id=ou_id, account_id=view.management) == (
        dialog.created
    )


def test_create_an_account_in_an_ou_move_it_and_a_non_empty_ou_stays(org_window, qtbot):
    _window, view, context = org_window
    mgmt = view.management
    root = orgs.list_roots(context.database, account_id=mgmt)["Roots"][0]["Id"]
    workloads = next(
        ou["Id"]
        for ou in orgs.list_organizational_units_for_parent(
            context.database, parent_id=root, account_id=mgmt
        )["OrganizationalUnits"]
        if ou["Name"] == "Workloads"
    )
    view.tree.setCurrentItem(_item(view, workloads))
    dialog = view.action_buttons["NewAccount"].click() or visible_window("createAccountDialog")
    assert dialog.parent_field.currentData() == workloads
    dialog.name.setText("Dev")
    dialog.email.setText("bad")
    assert not dialog.ok_button.isEnabled() and "email" in dialog.error.text()
    dialog.email.setText("dev@example.com")
    dialog.account_id.setText("777788889999")
    dialog.ok_button.click()
    assert not dialog.isVisible(), dialog.error.text()
    qtbot.waitUntil(lambda: _item(view, "777788889999") is not None)
    item = _item(view, "777788889999")
    assert item.parent().text(1) == workloads

    # Move it to the root from its context menu.
    view.tree.setCurrentItem(item)
    menu = view.tree_menu(view.tree.visualItemRect(item).center())
    _menu_actions(menu)["organizationMoveAction"].trigger()
    menu.close()
    move = visible_window("moveAccountDialog")
    assert not move.ok_button.isEnabled()  # still where it is: the service's own rule says so
    assert "already present in the specified destination" in move.error.text()
    move.destination.setCurrentIndex(move.destination.findData(root))
    move.ok_button.click()
    qtbot.waitUntil(lambda: _item(view, "777788889999").parent().text(1) == root)
    context.undo_stack.undo()
    qtbot.waitUntil(lambda: _item(view, "777788889999").parent().text(1) == workloads)

    # Workloads holds accounts: AWS refuses to delete it, and the box says so.
    view.tree.setCurrentItem(_item(view, workloads))
    view.action_buttons["DeleteOu"].click()
    click_box_button("confirmDeleteBox", "confirmYesButton")
    box = visible_window("errorBox")
    assert isinstance(box, QMessageBox)
    assert box.text().startswith("OrganizationalUnitNotEmptyException: The specified OU is not")
    box.close()
    assert workloads in _labels(view)

    # Undo of the create removes the account, redo brings it back with its date.
    after = removal.account_state(context.database, member_account_id="777788889999")
    context.undo_stack.undo()
    qtbot.waitUntil(lambda: "777788889999" not in _labels(view))
    context.undo_stack.redo()
    assert removal.account_state(context.database, member_account_id="777788889999") == after


def test_an_account_for_an_ou_gone_meanwhile_is_not_created(org_window, qtbot):
    """The dialog places the account in the OU chosen when it opened; if that OU is deleted
    meanwhile (another window or the command line, on the same model), the create is refused
    whole: no account at the root, nothing to undo, the dialog says why and stays open."""
    _window, view, context = org_window
    mgmt, db = view.management, context.database
    root = orgs.list_roots(db, account_id=mgmt)["Roots"][0]["Id"]
    sandbox = orgs.create_organizational_unit(db, parent_id=root, name="Sandbox", account_id=mgmt)
    sandbox_id = sandbox["OrganizationalUnit"]["Id"]
    view.reload()
    qtbot.waitUntil(lambda: _item(view, sandbox_id) is not None)
    view.tree.setCurrentItem(_item(view, sandbox_id))
    dialog = view.action_buttons["NewAccount"].click() or visible_window("createAccountDialog")
    assert dialog.parent_field.currentData() == sandbox_id
    dialog.name.setText("Dev")
    dialog.email.setText("dev@example.com")
    dialog.account_id.setText("777788889999")
    orgs.delete_organizational_unit(db, organizational_unit_id=sandbox_id, account_id=mgmt)
    accounts = orgs.list_accounts(db, account_id=mgmt)["Accounts"]
    steps = context.undo_stack.count()
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert dialog.error.text().startswith("ParentNotFoundException: ")
    assert orgs.list_accounts(db, account_id=mgmt)["Accounts"] == accounts
    assert removal.account_state(db, member_account_id="777788889999") is None
    assert context.undo_stack.count() == steps
    dialog.close()


def test_attach_an_scp_and_test_access_turns_to_explicit_deny(org_window, qtbot):
    window, _view, context = org_window
    prod = context.account_id
    panel = window.show_view("test-access")
    bucket_action = ["s3:ListBucket"]
    alice = f"arn:aws:iam::{prod}:user/alice"
    panel.set_request(alice, bucket_action, ["*"])
    # The demo's Guardrails SCP wants MFA and an approved region.
    panel.context_table.model.add(ContextRow("aws:RequestedRegion", "string", "us-east-1"))
    panel.context_table.model.add(ContextRow("aws:MultiFactorAuthPresent", "boolean", "true"))
    before = [r.word for r in panel.run()]
    assert before == ["allowed"], before

    view = window.show_view("organization")
    view.new_policy()
    dialog = visible_window("createOrgPolicyDialog")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.name)
    dialog.name.setText("N" * 129)  # CreatePolicy's name rule, checked as the user types
    assert not dialog.ok_button.isEnabled() and "1 to 128 characters" in dialog.error.text()
    dialog.name.setText("NoS3")
    dialog.document.set_text('{"Version": "2012-10-17", "Statement": [')
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert dialog.error.text().startswith("MalformedPolicyDocumentException")
    dialog.document.set_text(DENY_S3)
    dialog.ok_button.click()
    assert not dialog.isVisible(), dialog.error.text()
    policy_id = dialog.created["id"]

    qtbot.waitUntil(lambda: not view._dirty)
    view.tree.setCurrentItem(_item(view, prod))
    view.policies.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.policies)
    qtbot.keyClick(view.policies, Qt.Key.Key_Insert)  # Ins in the policy list: attach
    attach = visible_window("attachOrgPolicyDialog")
    attach.policy.setCurrentIndex(attach.policy.findText("NoS3"))
    attach.ok_button.click()
    assert not attach.isVisible(), attach.error.text()

    panel = window.show_view("test-access")
    panel.set_request(alice, bucket_action, ["*"])
    assert [r.word for r in panel.run()] == ["explicitDeny"]

    # Detach (Del in the policy list) is one undo step; the decision comes back.
    view = window.show_view("organization")
    qtbot.waitUntil(lambda: not view._dirty)
    view.tree.setCurrentItem(_item(view, prod))
    names = [
        view.policies.topLevelItem(i).text(0) for i in range(view.policies.topLevelItemCount())
    ]
    view.policies.setCurrentItem(view.policies.topLevelItem(names.index("NoS3")))
    view.policies.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.policies)
    qtbot.keyClick(view.policies, Qt.Key.Key_Delete)
    panel = window.show_view("test-access")
    assert [r.word for r in panel.run()] == ["allowed"]
    context.undo_stack.undo()
    assert [r.word for r in panel.run()] == ["explicitDeny"]
    context.undo_stack.redo()

    # Delete the now unattached policy from the every-policy list; undo brings the same id.
    view = window.show_view("organization")
    qtbot.waitUntil(lambda: not view._dirty)
    view.scope.setCurrentIndex(view.scope.findData("all"))
    rows = {
        view.policies.topLevelItem(i).text(0): i for i in range(view.policies.topLevelItemCount())
    }
    view.policies.setCurrentItem(view.policies.topLevelItem(rows["NoS3"]))
    assert view.action_buttons["DeletePolicy"].isEnabled()
    view.action_buttons["DeletePolicy"].click()
    click_box_button("confirmDeleteBox", "confirmYesButton")
    with pytest.raises(IamError, match="PolicyNotFound"):
        orgs.describe_policy(context.database, policy_id=policy_id, account_id=view.management)
    context.undo_stack.undo()
    got = orgs.describe_policy(context.database, policy_id=policy_id, account_id=view.management)
    assert got["Policy"]["Content"] == DENY_S3


def test_f1_lists_the_new_keys(org_window):
    from iamdesk.ui.dialogs.shortcuts import shortcut_rows

    window, _view, _context = org_window
    rows = dict(shortcut_rows(window))
    assert rows["Create in the current view (user, role, resource…)"] == "Ins"
    assert rows["Organization: attach / detach a policy (in the policy list)"] == "Ins / Del"
