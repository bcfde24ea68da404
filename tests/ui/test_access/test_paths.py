"""Issue 10 item 1: a policy held by a principal with a path (``/eng/`` user, ``/service-role/``
role) can be reviewed and saved: the impact preview simulates the principal by its stored ARN."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from iamdesk.services.attachments import attach_policy
from iamdesk.services.policies import create_policy
from iamdesk.services.roles import create_role
from iamdesk.services.users import create_user
from iamdesk.ui.test_access.context_table import ContextRow

DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
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


def test_review_impact_and_save_for_principals_with_a_path(panel, qtbot):
    db, account = panel.context.database, panel.context.account_id
    user = create_user(db, account, "dev", path="/eng/")["User"]["Arn"]
    create_role(db, account, "role-1092", json.dumps(TRUST), path="/service-role/")
    policy = create_policy(db, account, "PathPolicy", json.dumps(DOC))["Policy"]["Arn"]
    attach_policy(db, account, "user", "dev", policy)
    attach_policy(db, account, "role", "role-1092", policy)

    panel.set_request(user, ["sqs:ListQueues"], [])
    panel.context_table.model.add(ContextRow("aws:RequestedRegion", "string", "us-east-1"))
    assert [r.word for r in panel.run()] == ["implicitDeny"]
    view = next(v for v in panel.details.views.values() if "PathPolicy" in v.title.text())
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    dialog = panel.edit_dialog
    document = dict(
        DOC, Statement=[dict(DOC["Statement"][0], Action=["s3:ListAllMyBuckets", "sqs:ListQueues"])]
    )
    dialog.editor.replace_text(json.dumps(document, indent=4))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.impact is not None or "NoSuchEntity" in dialog.message.text(), timeout=20000
    )
    assert "NoSuchEntity" not in dialog.message.text()
    added = {(c.principal, c.action) for c in dialog.impact.added}
    role = f"arn:aws:iam::{account}:role/service-role/role-1092"
    assert {(user, "sqs:ListQueues"), (role, "sqs:ListQueues")} <= added
    assert dialog.save_button.text() == "Save"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert [r.word for r in panel.model.rows] == ["allowed"]
