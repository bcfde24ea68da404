"""The demo loop: a denied request, "Edit this policy", fix it with the impact preview, save,
the panel re-runs and marks the changed decision; undo brings the denial back."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from iamdesk.ui.test_access.context_table import ContextRow
from iamdesk.ui.test_access.results_model import CHANGED_BACKGROUND


def _carol_runs_instances(panel):
    carol = f"arn:aws:iam::{panel.context.account_id}:user/carol"
    panel.set_request(carol, ["ec2:RunInstances"], [])
    panel.context_table.model.add(ContextRow("aws:RequestedRegion", "string", "us-east-1"))
    return panel.run()


def _boundary_view(panel):
    return panel.details.views["permissions_boundary"]


def test_fixing_the_boundary_in_the_editor_turns_the_denial_into_an_allow(panel, qtbot):
    assert [r.word for r in _carol_runs_instances(panel)] == ["implicitDeny"]
    view = _boundary_view(panel)
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    dialog = panel.edit_dialog
    assert dialog.target is not None and dialog.target.kind == "managed"
    editor = dialog.editor
    assert editor.text() == view.code.toPlainText()

    document = json.loads(editor.text())
    statements = document["Statement"]
    statements = statements if isinstance(statements, list) else [statements]
    statements.append({"Sid": "AllowEc2", "Effect": "Allow", "Action": "ec2:*", "Resource": "*"})
    document["Statement"] = statements
    editor.replace_text(json.dumps(document, indent=4))

    # First click previews the impact (in the background): carol gains ec2:RunInstances,
    # nothing is saved yet.
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.impact is not None, timeout=20000)
    added = {(c.principal.rsplit("/", 1)[-1], c.action) for c in dialog.impact.added}
    assert ("carol", "ec2:RunInstances") in added
    assert dialog.impact.removed == []
    assert panel.model.rows[0].word == "implicitDeny"
    heads = [dialog.impact_view.topLevelItem(i).text(0) for i in range(2)]
    assert heads[0].startswith("Access added (") and heads[1] == "Access removed (0)"

    # Second click saves; the panel re-runs and marks the change.
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    row = panel.model.rows[0]
    assert row.word == "allowed"
    assert row.changed and row.previous == "implicitDeny"
    assert panel.model.data(panel.model.index(0, 5)) == "changed (was Implicit deny)"
    background = panel.model.data(panel.model.index(0, 1), Qt.ItemDataRole.BackgroundRole)
    assert background.color().name() == CHANGED_BACKGROUND
    assert "1 changed since the last run" in panel.summary.text()
    boundary = _boundary_view(panel)
    assert list(boundary.highlighted_lines()) == ["allow"]

    # Undo on the window's stack restores the old boundary; the panel answers again by itself.
    assert panel.context.undo_stack.count() == 1
    panel.context.undo_stack.undo()
    assert [(r.word, r.previous) for r in panel.model.rows] == [("implicitDeny", "allowed")]
    panel.context.undo_stack.redo()
    assert [(r.word, r.previous) for r in panel.model.rows] == [("allowed", "implicitDeny")]


def test_an_invalid_policy_is_refused_with_iams_error_and_nothing_changes(panel, qtbot):
    _carol_runs_instances(panel)
    _boundary_view(panel).edit_button.click()
    dialog = panel.edit_dialog
    dialog.editor.replace_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}')
    dialog.save_clicked()
    qtbot.waitUntil(lambda: "MalformedPolicyDocument" in dialog.message.text(), timeout=20000)
    assert dialog.impact is None and dialog.save_button.text() != "Save"
    assert panel.context.undo_stack.count() == 0
    assert [r.word for r in panel.rerun()] == ["implicitDeny"]


def test_aws_managed_policies_open_read_only_with_the_reason(panel, qtbot):
    _carol_runs_instances(panel)
    view = panel.details.views["identity[0]"]
    assert "PowerUserAccess" in view.title.text()
    view.edit_button.click()
    dialog = panel.edit_dialog
    assert dialog.target is None
    assert dialog.editor.code.isReadOnly()
    assert not dialog.save_button.isEnabled()
    assert "AWS managed policy" in dialog.message.text()


def test_closing_the_public_bucket_previews_who_loses_access(panel, qtbot):
    frank = f"arn:aws:iam::{panel.context.account_id}:user/frank"
    page = "arn:aws:s3:::example-corp-public-website/index.html"
    panel.set_request(frank, ["s3:GetObject"], [page])
    panel.context_table.model.add(ContextRow("aws:RequestedRegion", "string", "us-east-1"))
    assert [r.word for r in panel.run()] == ["allowed"]
    view = panel.details.views["resource_policy"]
    view.edit_button.click()
    dialog = panel.edit_dialog
    assert dialog.target.kind == "bucket"
    document = json.loads(dialog.editor.text())
    statements = document["Statement"]
    statements = statements if isinstance(statements, list) else [statements]
    root = f"arn:aws:iam::{panel.context.account_id}:root"
    for statement in statements:
        if statement.get("Principal") in ("*", {"AWS": "*"}):
            statement["Principal"] = {"AWS": root}  # the account, no longer everyone
    document["Statement"] = statements
    dialog.editor.replace_text(json.dumps(document, indent=4))
    assert dialog.save_clicked()
    qtbot.waitUntil(lambda: dialog.impact is not None, timeout=20000)
    losers = {c.principal for c in dialog.impact.removed if c.action == "s3:GetObject"}
    assert frank in losers
    assert dialog.impact.added == []
    assert dialog.save_clicked()
    row = panel.model.rows[0]
    assert (row.word, row.previous) == ("implicitDeny", "allowed")


def test_widening_a_roles_inline_policy_from_its_near_miss(panel, qtbot):
    role = f"arn:aws:iam::{panel.context.account_id}:role/WebServerRole"
    upload = "arn:aws:s3:::example-corp-uploads/x"
    panel.set_request(role, ["s3:GetObject"], [upload])
    panel.context_table.model.add(ContextRow("aws:RequestedRegion", "string", "us-east-1"))
    assert [r.word for r in panel.run()] == ["implicitDeny"]
    view = next(v for v in panel.details.views.values() if "ReadSiteAssets" in v.title.text())
    assert "near-miss" in view.highlighted_lines()
    view.edit_button.click()
    dialog = panel.edit_dialog
    target = dialog.target
    assert (target.kind, target.owner_kind, target.owner_name) == (
        "inline",
        "role",
        "WebServerRole",
    )
    document = json.loads(dialog.editor.text())
    statement = (
        document["Statement"][0]
        if isinstance(document["Statement"], list)
        else document["Statement"]
    )
    statement["Resource"] = [*statement["Resource"], "arn:aws:s3:::example-corp-uploads/*"]
    dialog.editor.replace_text(json.dumps(document, indent=4))
    dialog.save_clicked()
    qtbot.waitUntil(lambda: dialog.impact is not None, timeout=20000)
    assert (role, "s3:GetObject") in {(c.principal, c.action) for c in dialog.impact.added}
    dialog.save_clicked()
    assert [(r.word, r.previous) for r in panel.model.rows] == [("allowed", "implicitDeny")]


def test_a_hidden_panel_answers_again_when_shown(panel, qtbot):
    assert [r.word for r in _carol_runs_instances(panel)] == ["implicitDeny"]
    panel.hide()
    from iamdesk.services.policies import create_policy_version

    arn = f"arn:aws:iam::{panel.context.account_id}:policy/DeveloperBoundary"
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    create_policy_version(
        panel.context.database,
        panel.context.account_id,
        arn,
        json.dumps(document),
        set_as_default=True,
    )
    panel.context.notify("policies")
    assert panel.model.rows[0].word == "implicitDeny"  # hidden: nothing ran yet
    panel.show()
    assert [(r.word, r.previous) for r in panel.model.rows] == [("allowed", "implicitDeny")]
