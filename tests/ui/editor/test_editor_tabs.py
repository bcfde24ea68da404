"""The Visual and Summary tabs: statements in plain words, edits written back to the JSON."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QDialog

from iamdesk.core import catalog
from iamdesk.ui.editor import PolicyEditor
from iamdesk.ui.editor.summary import summarize
from iamdesk.ui.editor.wording import condition_phrase

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Reports", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ],
}


@pytest.fixture
def editor(qtbot):
    widget = PolicyEditor(text=json.dumps(POLICY, indent=4))
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


def test_visual_tab_lists_statements_in_plain_words(editor):
    editor.tabs.setCurrentWidget(editor.visual)
    table = editor.visual.table
    assert table.rowCount() == 2
    assert [table.item(0, c).text() for c in (0, 1, 3, 4, 5)] == [
        "Reports",
        "Allow",
        "s3:Get*",
        "every resource",
        "always",
    ]
    assert table.item(1, 5).text() == "aws:SecureTransport is false"
    assert table.isColumnHidden(2)  # no statement names a principal


def test_adding_a_statement_with_the_pickers_writes_json_and_undoes(editor, qtbot):
    before = editor.text()
    editor.tabs.setCurrentWidget(editor.visual)
    dialog = editor.visual.edit_statement(None)
    dialog.sid.setText("PutReports")
    dialog.service.setCurrentText("s3")
    assert dialog.check_action("s3:PutObject")
    dialog.add_checked_actions()
    dialog.resources.setPlainText("arn:aws:s3:::reports/*")
    dialog.add_condition("IpAddress", "aws:SourceIp", ["10.0.0.0/8", "192.168.0.0/16"])
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    written = json.loads(editor.text())["Statement"][2]
    assert written == {
        "Sid": "PutReports",
        "Effect": "Allow",
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::reports/*",
        "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}},
    }
    assert editor.visual.table.rowCount() == 3
    editor.code.undo()
    assert editor.text() == before


def test_a_statement_without_actions_is_refused(editor):
    dialog = editor.visual.edit_statement(None)
    dialog.accept()
    assert dialog.isVisible()
    assert "at least one action" in dialog.error.text()
    assert len(json.loads(editor.text())["Statement"]) == 2


def test_removing_and_editing_keep_other_statements(editor):
    editor.visual.refresh()
    dialog = editor.visual.edit_statement(1)
    dialog.effect.setCurrentText("Allow")
    dialog.accept()
    statements = json.loads(editor.text())["Statement"]
    assert statements[1]["Effect"] == "Allow"
    assert statements[1]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    editor.visual.remove_statement(0)
    assert [s.get("Sid") for s in json.loads(editor.text())["Statement"]] == [None]


def test_visual_tab_asks_to_fix_broken_json(editor):
    editor.set_text("{ broken")
    editor.tabs.setCurrentWidget(editor.visual)
    assert "Fix the JSON first" in editor.visual.message.text()
    assert not editor.visual.add_button.isEnabled()


def test_summary_access_levels_come_from_the_catalog():
    rows = summarize(
        {"Statement": [{"Effect": "Allow", "Action": ["iam:*", "s3:Get*"], "Resource": "*"}]}
    )
    by_service = {row.service: row for row in rows}
    assert by_service["iam"].access == "Full access"
    assert by_service["iam"].wildcard_notes  # iam:* includes permissions management
    s3 = by_service["s3"]
    levels = {catalog.action(a).access_level for a in catalog.expand_action("s3:Get*")}
    assert s3.access.startswith("Limited: ") or s3.access.startswith("Full: ")
    for level in levels:
        assert level in s3.access
    assert "Write" not in s3.access
    assert s3.resource_text == "All resources"


def test_summary_tab_shows_allow_and_deny(editor):
    editor.tabs.setCurrentWidget(editor.summary)
    tree = editor.summary.tree
    heads = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert heads == ["Allow (1 services)", "Deny (1 services)"]
    deny = tree.topLevelItem(1).child(0)
    assert deny.text(0) == "Amazon S3"
    assert deny.text(1) == "Full access"
    assert deny.text(3) == "aws:SecureTransport is false"


def test_condition_phrases():
    assert condition_phrase("IpAddress", "aws:SourceIp", ["1.2.3.0/24"]) == (
        "aws:SourceIp is in 1.2.3.0/24"
    )
    assert condition_phrase("Null", "aws:TokenIssueTime", ["true"]) == (
        "aws:TokenIssueTime is absent"
    )
    assert condition_phrase("ForAnyValue:StringLikeIfExists", "aws:TagKeys", ["a*", "b"]) == (
        "any value of aws:TagKeys matches a* or b (if present)"
    )


def test_a_trust_statement_keeps_and_edits_its_principal(qtbot):
    from iamdesk.core.policy.document import PolicyKind

    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    editor = PolicyEditor(text=json.dumps(trust, indent=4), kind=PolicyKind.TRUST)
    qtbot.addWidget(editor)
    editor.visual.refresh()
    assert editor.visual.table.item(0, 2).text() == "Service: ec2.amazonaws.com"
    dialog = editor.visual.edit_statement(0)
    assert dialog.principal.toPlainText() == "Service: ec2.amazonaws.com"
    dialog.principal.setPlainText(
        "Service: ec2.amazonaws.com\n"
        "AWS: arn:aws:iam::111122223333:root\n"
        "AWS: arn:aws:iam::444455556666:root"
    )
    dialog.accept()
    statement = json.loads(editor.text())["Statement"][0]
    assert statement["Principal"] == {
        "Service": "ec2.amazonaws.com",
        "AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"],
    }
    assert "Resource" not in statement or statement["Resource"]


def test_a_malformed_principal_line_is_refused_naming_the_line(editor):
    dialog = editor.visual.edit_statement(0)
    dialog.principal.setPlainText("AWS: arn:aws:iam::111122223333:root\nsomeone")
    dialog.accept()
    assert dialog.isVisible()
    assert "Principal line 2" in dialog.error.text()


def test_condition_keys_offered_follow_the_chosen_actions(editor):
    dialog = editor.visual.edit_statement(0)
    dialog.action_lines.setPlainText("s3:GetObject")
    keys = dialog.condition_keys()
    assert "aws:SourceIp" in keys and "s3:ExistingObjectTag/<key>" in keys
    dialog.action_lines.setPlainText("ec2:RunInstances")
    assert "s3:ExistingObjectTag/<key>" not in dialog.condition_keys()


def test_double_clicking_a_service_shows_the_statement_that_grants_it(editor):
    editor.tabs.setCurrentWidget(editor.summary)
    deny = editor.summary.tree.topLevelItem(1).child(0)
    editor.summary.tree.itemDoubleClicked.emit(deny, 0)
    assert editor.tabs.currentWidget() is editor.code
    highlighted = [s.cursor.blockNumber() + 1 for s in editor.code.layer("highlight")]
    from iamdesk.core.policy.parser import parse_policy

    second = parse_policy(editor.text()).statements[1]
    assert highlighted == list(range(second.span.start.line, second.span.end.line + 1))


def test_a_read_only_editor_shows_statements_but_offers_no_edits(qtbot):
    viewer = PolicyEditor(text=json.dumps(POLICY, indent=4), read_only=True)
    qtbot.addWidget(viewer)
    viewer.tabs.setCurrentWidget(viewer.visual)
    assert viewer.visual.table.rowCount() == 2 and viewer.visual.isEnabled()
    assert not viewer.visual.add_button.isVisibleTo(viewer)
    assert viewer.visual.edit_statement(0) is None
    viewer.visual.remove_statement(0)
    assert len(json.loads(viewer.text())["Statement"]) == 2


def test_a_visible_summary_follows_a_new_document(editor):
    editor.tabs.setCurrentWidget(editor.summary)
    editor.set_text(
        json.dumps({"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}})
    )
    names = [
        editor.summary.tree.topLevelItem(0).child(i).text(0)
        for i in range(editor.summary.tree.topLevelItem(0).childCount())
    ]
    assert names == ["AWS Key Management Service"]
