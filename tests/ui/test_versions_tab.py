"""Issue 10 item 8: the Policies view's Versions tab views a version, sets the default (undoably)
and compares versions; an AWS managed policy's versions can be viewed and compared only."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from iamdesk.services import policies
from tests.ui.helpers import button, visible_window


def _doc(action: str) -> str:
    statement = {"Effect": "Allow", "Action": action, "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=4)


def _versions_tab(window, key: str, name: str):
    window.resize(1200, 800)
    window.show()
    view = window.show_view("policies")
    view.filter.setText(name)
    assert view.select_key(key)
    tab = next(t for t in view.detail_tabs if t.name == "Versions")
    view.tabs.setCurrentWidget(tab)
    return view, tab


def _choose(tab, *versions: str) -> None:
    tab.list.clearSelection()
    for i in range(tab.list.topLevelItemCount()):
        item = tab.list.topLevelItem(i)
        if item.text(0) == versions[0]:
            tab.list.setCurrentItem(item)
        item.setSelected(item.text(0) in versions)


def test_view_set_default_and_compare_a_customer_policy(window, context, qtbot):
    db, account = context.database, context.account_id
    arn = policies.create_policy(db, account, "Reports", _doc("s3:GetObject"))["Policy"]["Arn"]
    policies.create_policy_version(db, account, arn, _doc("s3:ListBucket"), set_as_default=True)
    view, tab = _versions_tab(window, arn, "Reports")
    assert [tab.list.topLevelItem(i).text(0) for i in range(2)] == ["v2", "v1"]

    _choose(tab, "v1")
    qtbot.keyClick(tab.list, Qt.Key.Key_Return)  # Enter views, as double-click does
    shown = visible_window("policyVersionView")
    assert "s3:GetObject" in shown.editor.text() and shown.editor.code.isReadOnly()
    assert shown.windowTitle() == "Reports v1"
    shown.accept()

    button(tab, "policiesVersionsSetDefaultButton").click()
    assert policies.get_policy(db, account, arn)["Policy"]["DefaultVersionId"] == "v1"
    assert "s3:GetObject" in policies.default_document(db, account, arn)
    context.undo_stack.undo()
    assert policies.get_policy(db, account, arn)["Policy"]["DefaultVersionId"] == "v2"

    view.tabs.setCurrentWidget(tab)
    _choose(tab, "v1")  # one version: compared with the default
    button(tab, "policiesVersionsCompareButton").click()
    diff = visible_window("policyVersionDiff")
    assert diff.windowTitle() == "Compare v1 and v2"
    assert diff.removed and diff.added
    diff.close()


def test_an_aws_managed_policys_versions_can_be_viewed_not_defaulted(window, qtbot):
    power = "arn:aws:iam::aws:policy/PowerUserAccess"
    _view, tab = _versions_tab(window, power, "PowerUserAccess")
    qtbot.waitUntil(lambda: tab.list.topLevelItemCount() == 10, timeout=10_000)
    _choose(tab, "v1")
    assert not button(tab, "policiesVersionsSetDefaultButton").isEnabled()
    button(tab, "policiesVersionsViewButton").click()
    assert "Statement" in visible_window("policyVersionView").editor.text()
    _choose(tab, "v1", "v12")
    button(tab, "policiesVersionsCompareButton").click()
    assert visible_window("policyVersionDiff").windowTitle() == "Compare v1 and v12"
