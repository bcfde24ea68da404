"""What a user expects: one search box (Ctrl+K) across every entity type and policy text; an
action finds every policy that grants it; Enter opens the hit in its view."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from iamdesk.services import policies, roles, users
from tests.ui.helpers import visible_window

PASS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iam:Pass*", "Resource": "*"}],
}
READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _search(window, qtbot, text: str, *, aws: bool = False):
    window.resize(1200, 800)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.apply_shortcuts()
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = visible_window("globalSearch")
    dialog.aws.setChecked(aws)
    qtbot.keyClicks(dialog.field, text)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    return dialog


def test_ctrl_k_finds_what_grants_pass_role_and_opens_it(window, context, qtbot):
    db, account = context.database, context.account_id
    granting = policies.create_policy(db, account, "Deployer", json.dumps(PASS))["Policy"]["Arn"]
    policies.create_policy(db, account, "Reader", json.dumps(READ))
    dialog = _search(window, qtbot, "iam:PassRole")
    found = {(h.name, h.why) for h in dialog.hits}
    assert ("Deployer", "grants iam:PassRole (statement 0)") in found
    assert all(name != "Reader" for name, _ in found)
    dialog.results.setCurrentItem(
        next(
            dialog.results.topLevelItem(i)
            for i in range(dialog.results.topLevelItemCount())
            if dialog.results.topLevelItem(i).text(1) == "Deployer"
        )
    )
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert window.current_view_name() == "policies"
    assert window.views["policies"].selected_row()["Arn"] == granting
    # The keyboard follows the hit: its view's table has the focus, the window's keys answer.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.views["policies"].table)


def test_one_query_finds_users_roles_and_policies_by_name(window, context, qtbot):
    db, account = context.database, context.account_id
    users.create_user(db, account, "billing-ann")
    roles.create_role(db, account, "billing-role", json.dumps(TRUST))
    policies.create_policy(db, account, "BillingRead", json.dumps(READ))
    dialog = _search(window, qtbot, "billing")
    assert {(h.kind, h.name) for h in dialog.hits} == {
        ("user", "billing-ann"),
        ("role", "billing-role"),
        ("policy", "BillingRead"),
    }


def test_aws_managed_policies_that_grant_an_action_are_found(window, qtbot):
    dialog = _search(window, qtbot, "iam:PassRole", aws=True)
    names = {h.name for h in dialog.hits}
    assert {"AdministratorAccess", "IAMFullAccess"} <= names
    assert "ReadOnlyAccess" not in names
