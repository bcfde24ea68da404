"""Users' sessions (get-session-token with MFA, get-federation-token) as principals of the
test-access panel, and a denial's encoded authorization message, copied from the panel and
decoded by ``iamdesk sts decode-authorization-message`` as a user would."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyotp
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from iamdesk.cli.main import main
from iamdesk.services import demo, inline_policies, user_sessions, users


def _pick(panel, text: str) -> None:
    index = next(i for i in range(panel.principal.count()) if text in panel.principal.itemText(i))
    panel.principal.setCurrentIndex(index)


def test_mfa_session_and_federated_user_are_principals_and_denials_decode(panel, qtbot, capsys):
    db, account = panel.context.database, panel.context.account_id
    alice = f"arn:aws:iam::{account}:user/alice"
    deploy = f"arn:aws:iam::{account}:role/DeployRole"  # trusts alice with MFA only
    code = pyotp.TOTP(demo.MFA_SEEDS["alice"]).at(datetime.now(UTC))
    mfa = user_sessions.get_session_token(
        db, caller_arn=alice, serial_number=f"arn:aws:iam::{account}:mfa/alice", token_code=code
    )["Credentials"]["AccessKeyId"]
    users.create_user(db, account, "auditor")
    actions = ["sts:DecodeAuthorizationMessage", "sts:GetFederationToken", "iam:GetUser",
               "iam:ListUsers"]  # fmt: skip
    grants = {"Effect": "Allow", "Action": actions, "Resource": "*"}
    document = json.dumps({"Version": "2012-10-17", "Statement": [grants]})
    inline_policies.put_inline_policy(db, account, "user", "auditor", "decode", document)
    panel.reload_choices()

    # As alice herself (no MFA): denied, and the denial carries its encoded message.
    panel.set_request(alice, ["sts:AssumeRole"], [deploy])
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert panel.model.data(panel.model.index(0, 0)) != "Allowed"
    details = panel.details
    qtbot.waitUntil(details.message_row.isVisible)
    qtbot.mouseClick(details.copy_message, Qt.MouseButton.LeftButton)
    message = QApplication.clipboard().text()
    assert message and message == details.message.text()
    assert main(["--db", str(panel.context.db_path), "sts", "decode-authorization-message",
                 "--encoded-message", message, "--caller-arn",
                 f"arn:aws:iam::{account}:user/auditor"]) == 0  # fmt: skip
    decoded = json.loads(json.loads(capsys.readouterr().out)["DecodedMessage"])
    assert decoded["allowed"] is False and decoded["context"]["action"] == "sts:AssumeRole"
    assert decoded["context"]["resource"] == deploy
    assert decoded["context"]["principal"]["arn"] == alice

    # As her MFA session, chosen from the list: allowed, and no message.
    _pick(panel, f"alice (session {mfa}, MFA)")
    assert panel.form.principal_arn() == mfa
    assert [r.word for r in panel.run()] == ["allowed"]
    assert not details.message_row.isVisible()

    # A federated user of the auditor's: the auditor's permissions capped by the session
    # policy passed.
    only_reads = {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}
    user_sessions.get_federation_token(
        db,
        name="carol",
        caller_arn=f"arn:aws:iam::{account}:user/auditor",
        policy=json.dumps({"Version": "2012-10-17", "Statement": [only_reads]}),
    )
    panel.reload_choices()
    _pick(panel, "federated-user/carol (of auditor)")
    assert panel.form.principal_arn() == f"arn:aws:sts::{account}:federated-user/carol"
    panel.action_lines.setPlainText("iam:GetUser\niam:ListUsers")
    assert [r.word for r in panel.run()] == ["allowed", "implicitDeny"]
