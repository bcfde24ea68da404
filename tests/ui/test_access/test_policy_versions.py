"""Managed policy versions: edit makes a new default version, compare marks the differences,
set default is undoable."""

from __future__ import annotations

import json

import pytest

from iamdesk.ui.editor.versions import PolicyVersionsPanel, line_differences


@pytest.fixture
def versions(qtbot, demo_context):
    arn = f"arn:aws:iam::{demo_context.account_id}:policy/DeveloperBoundary"
    widget = PolicyVersionsPanel(demo_context, arn, demo_context.account_id)
    qtbot.addWidget(widget)
    return widget


def _select(panel, *version_ids):
    panel.table.clearSelection()
    for number, version in enumerate(panel.versions):
        if version["VersionId"] in version_ids:
            panel.table.selectionModel().select(
                panel.table.model().index(number, 0),
                panel.table.selectionModel().SelectionFlag.Select
                | panel.table.selectionModel().SelectionFlag.Rows,
            )


def _new_version(panel, qtbot):
    dialog = panel.edit()
    document = json.loads(dialog.editor.text())
    statements = document["Statement"]
    statements = statements if isinstance(statements, list) else [statements]
    statements.append({"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"})
    document["Statement"] = statements
    dialog.editor.replace_text(json.dumps(document, indent=4))
    assert dialog.save_clicked()  # impact preview, in the background
    qtbot.waitUntil(lambda: dialog.impact is not None, timeout=20000)
    assert dialog.save_clicked()  # save
    return dialog


def test_editing_creates_a_new_default_version(versions, qtbot):
    assert [v["VersionId"] for v in versions.versions] == ["v1"]
    _new_version(versions, qtbot)
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions.versions] == [
        ("v2", True),
        ("v1", False),
    ]
    assert versions.table.item(0, 1).text() == "default"


def test_compare_marks_the_added_lines(versions, qtbot):
    _new_version(versions, qtbot)
    _select(versions, "v1", "v2")
    diff = versions.compare_selected()
    assert diff.windowTitle() == "Compare v1 and v2"
    assert diff.removed == [] or all(n > 0 for n in diff.removed)
    added_text = [diff.right.document().findBlockByNumber(n - 1).text() for n in diff.added]
    assert any('"ec2:Describe*"' in line for line in added_text)
    painted = [s.cursor.blockNumber() + 1 for s in diff.right.layer("highlight")]
    assert painted == diff.added


def test_set_default_is_undoable(versions, qtbot):
    _new_version(versions, qtbot)
    _select(versions, "v1")
    assert versions.set_default_selected()
    assert versions.default_version() == "v1"
    versions.context.undo_stack.undo()
    versions.reload()
    assert versions.default_version() == "v2"


def test_set_default_needs_one_selected_version(versions, qtbot):
    _select(versions)
    assert not versions.set_default_selected()
    assert "Select one version" in versions.message.text()


def test_line_differences():
    assert line_differences("a\nb\nc", "a\nB\nc\nd") == ([2], [2, 4])
    assert line_differences("same", "same") == ([], [])


def test_a_sixth_version_is_refused_with_iams_limit_text(versions, qtbot):
    from iamdesk.services.policies import create_policy_version

    db = versions.context.database
    for number in range(4):
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": f"s3:Get{'Object' * (number + 1)}", "Resource": "*"}
            ],
        }
        create_policy_version(db, versions.context.account_id, versions.arn, json.dumps(document))
    versions.reload()
    assert len(versions.versions) == 5
    dialog = versions.edit()
    dialog.editor.replace_text(dialog.editor.text().replace('"Allow"', '"Deny"', 1))
    dialog.save_clicked()
    qtbot.waitUntil(lambda: "LimitExceeded" in dialog.message.text(), timeout=20000)
    assert dialog.impact is None
    versions.reload()
    assert len(versions.versions) == 5
