"""The Access Advisor tab on a user and a role, and the other credentials on the Security
credentials tab, driven on the real window."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QLabel, QTabWidget, QTreeWidget

from iamdesk.services import activity, inline_policies, roles, user_credentials, users

ACCOUNT = "123456789012"
KEYS = Path(__file__).resolve().parents[1] / "data" / "keys"
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


def _allow(*actions: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
        }
    )


def _rows(tree: QTreeWidget) -> list[list[str]]:
    return [
        [tree.topLevelItem(i).text(c) for c in range(tree.columnCount())]
        for i in range(tree.topLevelItemCount())
    ]


def _open_tab(qtbot, window, view_name: str, name: str, tab: str):
    window.show_view(view_name)
    view = window.views[view_name]
    qtbot.waitUntil(lambda: view.select_name(name))
    tabs = view.findChild(QTabWidget, f"{view_name}DetailTabs")
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == tab)
    tabs.setCurrentIndex(index)
    return view


def test_access_advisor_on_a_user_and_a_role(qtbot, window, context, tmp_path: Path) -> None:
    db = context.database
    users.create_user(db, ACCOUNT, "ana")
    inline_policies.put_inline_policy(
        db, ACCOUNT, "user", "ana", "p", _allow("s3:GetObject", "sqs:*")
    )
    roles.create_role(db, ACCOUNT, "worker", json.dumps(TRUST))
    inline_policies.put_inline_policy(db, ACCOUNT, "role", "worker", "p", _allow("lambda:*"))
    trail = tmp_path / "trail.json"
    trail.write_text(
        json.dumps(
            {
                "Records": [
                    {
                        "eventVersion": "1.08",
                        "userIdentity": {
                            "type": "IAMUser",
                            "arn": f"arn:aws:iam::{ACCOUNT}:user/ana",
                            "accountId": ACCOUNT,
                        },
                        "eventTime": "2026-11-20T10:00:00Z",
                        "eventSource": "s3.amazonaws.com",
                        "eventName": "GetObject",
                        "awsRegion": "us-east-1",
                    }
                ]
            }
        )
    )
    activity.import_activity(db, [trail])
    context.notify("users")
    view = _open_tab(qtbot, window, "users", "ana", "Access Advisor")
    listed = view.findChild(QTreeWidget, "usersAccessAdvisorList")
    qtbot.waitUntil(lambda: listed.topLevelItemCount() == 2)
    rows = _rows(listed)
    # never-used services first: they are what a review removes
    assert rows[0][0] == "Amazon SQS (sqs)" and rows[0][1].startswith("Not accessed")
    assert rows[1][0] == "Amazon S3 (s3)" and rows[1][1].startswith("2026-11-20 10:00")
    assert rows[1][2] == "1"
    summary = view.findChild(QLabel, "usersAccessAdvisorSummary")
    assert summary.text().startswith("2 services allowed by the policies; 1 not accessed.")
    role_view = _open_tab(qtbot, window, "roles", "worker", "Access Advisor")
    role_list = role_view.findChild(QTreeWidget, "rolesAccessAdvisorList")
    qtbot.waitUntil(lambda: role_list.topLevelItemCount() == 1)
    assert _rows(role_list)[0][:2] == [
        "AWS Lambda (lambda)",
        "Not accessed in the imported activity",
    ]


def test_credentials_tab_lists_ssh_keys_and_service_credentials(qtbot, window, context) -> None:
    db = context.database
    users.create_user(db, ACCOUNT, "sam")
    key = user_credentials.upload_ssh_public_key(
        db, ACCOUNT, "sam", (KEYS / "ssh2048.pub").read_text()
    )["SSHPublicKey"]
    from iamdesk.services import service_credentials

    service_credentials.create_service_specific_credential(
        db, ACCOUNT, "sam", "codecommit.amazonaws.com"
    )
    context.notify("users")
    view = _open_tab(qtbot, window, "users", "sam", "Security credentials")
    other = view.findChild(QTreeWidget, "usersOtherCredentialsList")
    qtbot.waitUntil(lambda: other.topLevelItemCount() == 2)
    rows = _rows(other)
    assert rows[0][:3] == ["SSH public key", key["SSHPublicKeyId"], "Active"]
    assert rows[1][0] == "codecommit.amazonaws.com (sam-at-123456789012)"
