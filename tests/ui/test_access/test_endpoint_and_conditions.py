"""Test access through a VPC endpoint, and the "would be allowed if" answer for absent keys,
driven as a user drives the panel."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt


def _user(panel, name):
    return f"arn:aws:iam::{panel.context.account_id}:user/{name}"


def test_a_request_through_a_vpc_endpoint_is_checked_against_its_policy(panel, qtbot):
    panel.set_request(_user(panel, "bob"), ["ec2:DescribeInstances"], [])
    panel.context_table.apply_preset("Requested region")
    assert not panel.form.endpoint_policy.isVisibleTo(panel)
    panel.form.endpoint.click()  # as a click on the box
    assert panel.form.endpoint_policy.isVisibleTo(panel)
    only_s3 = {
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]
    }
    panel.form.endpoint_policy.setPlainText(json.dumps(only_s3, indent=4))
    panel.form.endpoint_id.setText("vpce-0a1b2c3d")
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert panel.model.rowCount() == 1
    assert panel.model.data(panel.model.index(0, 0)) == "Implicit deny"
    assert "VPC endpoint policy" in panel.details.explanation.text()
    titles = [
        panel.details.policies_layout.itemAt(i).widget().title.text()
        for i in range(panel.details.policies_layout.count() - 1)
    ]
    assert "VPC endpoint policy · vpce-0a1b2c3d" in titles
    # Empty means the default endpoint policy (full access): bob's own policies decide again.
    panel.form.endpoint_policy.setPlainText("")
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert panel.model.data(panel.model.index(0, 0)) == "Allowed"
    panel.form.endpoint.click()  # as a click on the box
    assert panel.build_request().endpoint_policy is None


def test_absent_keys_say_under_which_values_it_would_be_allowed(panel, qtbot):
    # alice's MFA policy needs aws:MultiFactorAuthPresent, which the request does not give.
    panel.set_request(_user(panel, "alice"), ["iam:CreateUser"], [])
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    text = panel.details.explanation.text()
    assert "Would be allowed if aws:MultiFactorAuthPresent" in text


def test_escape_in_a_new_condition_key_keeps_the_typed_key(panel, qtbot):
    from PySide6.QtWidgets import QApplication

    table = panel.context_table
    table.add_empty()
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "aws:SourceI")
    popup = editor.completer().popup()
    assert popup.isVisible()
    qtbot.keyClick(popup, Qt.Key.Key_Escape)  # closes the suggestions, the editor stays
    assert not popup.isVisible() and QApplication.focusWidget() is editor
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert table.model.index(0, 0).data() == "aws:SourceI"
    # An existing key still reverts on Escape, as tables do.
    table.view.edit(table.model.index(0, 0))
    editor = QApplication.focusWidget()
    editor.setText("aws:Changed")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert table.model.index(0, 0).data() == "aws:SourceI"
