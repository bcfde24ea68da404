"""Creating a role session from the panel: AssumeRole with MFA and a session policy, then
testing as that session."""

from __future__ import annotations

import json

import pyotp
from sqlmodel import select

from iamdesk.store.tables import MfaDevice

SESSION_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}


def _choose(combo, arn_suffix):
    index = next(i for i in range(combo.count()) if str(combo.itemData(i)).endswith(arn_suffix))
    combo.setCurrentIndex(index)


def _alice_code(context):
    with context.database.read() as session:
        device = session.exec(select(MfaDevice).where(MfaDevice.name == "alice")).one()
        return device.serial_number, pyotp.TOTP(device.seed).now()


def test_a_session_needs_the_mfa_the_trust_policy_asks_for(panel):
    dialog = panel.open_session_dialog()
    _choose(dialog.role, ":role/DeployRole")
    _choose(dialog.caller, ":user/alice")
    assert dialog.create_session() is None
    assert "AccessDenied" in dialog.error.text()
    assert dialog.isVisible()


def test_a_session_with_mfa_and_a_session_policy_becomes_the_principal(panel):
    dialog = panel.open_session_dialog()
    _choose(dialog.role, ":role/DeployRole")
    _choose(dialog.caller, ":user/alice")
    serial, code = _alice_code(panel.context)
    assert dialog.mfa_serial.findData(serial) >= 0
    dialog.mfa_serial.setCurrentIndex(dialog.mfa_serial.findData(serial))
    dialog.mfa_code.setText(code)
    dialog.name.setText("demo-room")
    dialog.policy.set_text(json.dumps(SESSION_POLICY, indent=4))
    dialog.accept()
    assert dialog.error.text() == ""
    assert panel.principal_arn().endswith(":assumed-role/DeployRole/demo-room")
    assert panel.principal.currentText().startswith("session · DeployRole/demo-room")

    panel.action_lines.setPlainText("s3:GetObject\nec2:RunInstances")
    panel.context_table.apply_preset("Requested region")
    rows = {r.action: r for r in panel.run()}
    assert rows["s3:GetObject"].word == "allowed"
    assert rows["ec2:RunInstances"].word == "implicitDeny"
    assert "session ✓" in panel.model.data(panel.model.index(0, 3))
    panel.select_result("ec2:RunInstances")
    assert "session policy" in panel.details.explanation.text()
