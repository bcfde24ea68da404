"""The test-access panel end to end on the demo organization, driven as a user drives it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from iamdesk.core.policy.parser import parse_policy
from iamdesk.ui.test_access.context_table import ContextRow

PRODUCTION_USER = "arn:aws:iam::{account}:user/{name}"


def _user(panel, name):
    return PRODUCTION_USER.format(account=panel.context.account_id, name=name)


def _statement_lines(text: str, sid: str) -> list[int]:
    statement = next(s for s in parse_policy(text).statements if s.sid == sid)
    return list(range(statement.span.start.line, statement.span.end.line + 1))


def test_principals_of_every_account_are_offered(panel):
    labels = [panel.principal.itemText(i) for i in range(panel.principal.count())]
    assert any(label.startswith("user · bob ·") for label in labels)
    assert any(label.startswith("role · WebServerRole ·") for label in labels)
    assert any("erin" in label and "Partner" in label for label in labels)
    assert any(label.startswith("session · DeployRole/alice-deploy ·") for label in labels)


def test_a_session_from_the_list_is_tested_with_its_session_policy(panel):
    index = next(
        i
        for i in range(panel.principal.count())
        if panel.principal.itemText(i).startswith("session · DeployRole/alice-deploy")
    )
    panel.principal.setCurrentIndex(index)
    panel.action_lines.setPlainText("ec2:RunInstances")
    panel.context_table.apply_preset("Requested region")
    assert [r.word for r in panel.run()] == ["implicitDeny"]
    assert "session – no allow" in panel.model.data(panel.model.index(0, 3))


def test_scp_deny_highlights_the_denying_statement_at_its_lines(panel, qtbot):
    panel.set_request(_user(panel, "bob"), ["ec2:RunInstances"], [])
    panel.context_table.model.add(ContextRow("aws:RequestedRegion", "string", "ap-southeast-2"))
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert panel.model.rowCount() == 1
    assert panel.model.data(panel.model.index(0, 0)) == "Explicit deny"
    assert "SCP ✗ deny" in panel.model.data(panel.model.index(0, 3))
    # The deciding policy is shown first, with exactly the denying statement in red.
    first = panel.details.policies_layout.itemAt(0).widget()
    assert first.title.text() == "SCP · Guardrails (level 1)"
    assert first.highlighted_lines() == {
        "deny": _statement_lines(first.code.toPlainText(), "DenyOutsideApprovedRegions")
    }
    # Scrolled into view: the statement's first line is on screen.
    top_line = first.code.firstVisibleBlock().blockNumber() + 1
    assert top_line <= first.highlighted_lines()["deny"][0] < top_line + 16
    assert "Guardrails" in panel.details.explanation.text()
    assert "explicitly denies" in panel.details.explanation.text()
    decided = [
        item.text(0) for item in panel.details.tree.statement_items() if "decided" in item.text(0)
    ]
    assert decided == ["Deny · statement 1 (DenyOutsideApprovedRegions) — decided: denies"]


def test_the_same_request_in_an_approved_region_is_allowed_by_identity(panel, qtbot):
    panel.set_request(_user(panel, "bob"), ["ec2:RunInstances"], [])
    panel.context_table.apply_preset("Requested region")
    rows = panel.run()
    assert [r.word for r in rows] == ["allowed"]
    view = panel.details.policies_layout.itemAt(0).widget()
    assert view.title.text() == "Identity policy · PowerUserAccess"
    assert list(view.highlighted_lines()) == ["allow"]


def test_boundary_implicit_deny_is_attributed_to_the_boundary(panel):
    panel.set_request(_user(panel, "carol"), ["ec2:RunInstances"], [])
    panel.context_table.apply_preset("Requested region")
    rows = panel.run()
    assert [r.word for r in rows] == ["implicitDeny"]
    types = panel.model.data(panel.model.index(0, 3))
    assert "identity ✓" in types and "boundary – no allow" in types
    assert "permissions boundary DeveloperBoundary" in panel.details.explanation.text()


def test_wildcard_actions_expand_into_one_row_each(panel):
    from iamdesk.core import catalog

    panel.set_request(_user(panel, "bob"), ["s3:GetObjectT*"], ["arn:aws:s3:::a/b", "*"])
    rows = panel.run()
    expanded = catalog.expand_action("s3:GetObjectT*")
    assert len(rows) == 2 * len(expanded)
    assert {r.action for r in rows} == set(expanded)


def test_bad_input_is_refused_inline_and_nothing_runs(panel):
    panel.set_request(_user(panel, "bob"), ["s3:GetObject"], [])
    panel.context_table.model.add(ContextRow("aws:SourceIp", "ip", "not-an-ip"))
    assert panel.run() == []
    assert panel.model.rowCount() == 0
    assert "aws:SourceIp" in panel.error.text() and "IP address" in panel.error.text()
    panel.set_request(_user(panel, "bob"), ["GetObject"], [])
    assert panel.run() == []
    assert "service:Action" in panel.error.text()


def test_unknown_principal_shows_iams_error(panel):
    panel.set_request("arn:aws:iam::123456789012:user/nobody", ["s3:GetObject"], [])
    assert panel.run() == []
    assert panel.error.isVisible()
    assert "nobody" in panel.error.text()


def test_missing_context_keys_are_listed_and_one_click_adds_them(panel, qtbot):
    # alice's MFA policy references aws:MultiFactorAuthPresent; the request gives none.
    panel.set_request(_user(panel, "alice"), ["iam:CreateUser"], [])
    panel.run()
    missing = panel.missing_keys()
    assert "aws:MultiFactorAuthPresent" in missing
    item = panel.missing.item(missing.index("aws:MultiFactorAuthPresent"))
    panel.missing.itemClicked.emit(item)
    row = panel.context_table.model.rows[-1]
    assert (row.key, row.type) == ("aws:MultiFactorAuthPresent", "boolean")
    assert "aws:MultiFactorAuthPresent" not in panel.missing_keys()
    panel.context_table.model.setData(panel.context_table.model.index(0, 2), "true")
    assert [r.word for r in panel.run()] == ["allowed"]


def test_f5_runs(panel, qtbot):
    panel.set_request(_user(panel, "bob"), ["ec2:DescribeInstances"], [])
    panel.action_lines.setFocus()
    qtbot.keyClick(panel.action_lines, Qt.Key.Key_F5)
    assert panel.model.rowCount() == 1
    panel.action_lines.setPlainText("ec2:DescribeInstances\nec2:DescribeVpcs")
    qtbot.keyClick(panel.action_lines, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert panel.model.rowCount() == 2
    assert panel.action_lines.toPlainText() == "ec2:DescribeInstances\nec2:DescribeVpcs"


def test_action_completion_offers_real_actions(panel, qtbot):
    panel.action_lines.setFocus()
    qtbot.keyClicks(panel.action_lines, "kms:Decr")
    assert panel.action_completer.completer.popup().isVisible()
    assert panel.action_completer.model.stringList() == ["kms:Decrypt"]


def test_the_panel_opens_on_a_real_denied_result(qtbot, demo_context):
    from iamdesk.ui.test_access import TestAccessPanel

    panel = TestAccessPanel(demo_context)
    qtbot.addWidget(panel)
    assert panel.model.rowCount() == 1
    assert panel.model.rows[0].word == "explicitDeny"
    first = panel.details.policies_layout.itemAt(0).widget()
    assert first.is_expanded() and "deny" in first.highlighted_lines()
    assert "expects explicitDeny" in panel.scenarios.status.text()


def test_near_misses_of_an_implicit_deny_are_amber_with_what_failed(panel):
    role = f"arn:aws:iam::{panel.context.account_id}:role/WebServerRole"
    panel.set_request(role, ["s3:GetObject"], ["arn:aws:s3:::example-corp-uploads/x"])
    panel.context_table.apply_preset("Requested region")
    assert [r.word for r in panel.run()] == ["implicitDeny"]
    view = panel.details.policies_layout.itemAt(0).widget()
    assert "ReadSiteAssets" in view.title.text()
    lines = view.highlighted_lines()
    assert list(lines) == ["near-miss"]
    statement = parse_policy(view.code.toPlainText()).statements[0]
    assert lines["near-miss"] == list(range(statement.span.start.line, statement.span.end.line + 1))
    assert "Resource" in view.notes.text() or "resource" in view.notes.text()
    near = [i.text(0) for i in panel.details.tree.statement_items() if "near miss" in i.text(0)]
    assert near and "failed on Resource" in near[0]


def test_cross_account_deny_names_both_sides(panel):
    erin = "arn:aws:iam::444455556666:user/erin"
    shared = "arn:aws:s3:::example-corp-shared-data/reports/2025-q4.csv"
    panel.set_request(erin, ["s3:GetObject"], [shared])
    panel.context_table.apply_preset("Requested region")
    rows = panel.run()
    assert [r.word for r in rows] == ["allowed"]
    types = panel.model.data(panel.model.index(0, 3))
    assert "resource ✓" in types and "cross-account" in types
    titles = [panel.details.policies_layout.itemAt(i).widget().title.text() for i in range(2)]
    assert any(t.startswith("Resource policy") for t in titles)
    assert any(t.startswith("Identity policy") for t in titles)


def test_choosing_a_statement_in_the_tree_shows_it_in_its_policy(panel):
    panel.set_request(_user(panel, "bob"), ["ec2:RunInstances"], [])
    panel.context_table.apply_preset("Requested region")
    panel.run()
    tree = panel.details.tree
    item = next(i for i in tree.statement_items() if "DenyLeavingTheOrganization" in i.text(0))
    tree.setCurrentItem(item)
    view = panel.details.views[
        next(k for k, v in panel.details.views.items() if "Guardrails" in v.title.text())
    ]
    assert view.is_expanded()
    line = view.code.textCursor().blockNumber() + 1
    statement = next(
        s
        for s in parse_policy(view.code.toPlainText()).statements
        if s.sid == "DenyLeavingTheOrganization"
    )
    assert line == statement.span.start.line


def test_the_copied_command_gets_the_same_answers_from_the_cli(panel, capsys):
    import json
    import shlex

    from PySide6.QtWidgets import QApplication

    from iamdesk.cli.main import main

    panel.set_request(_user(panel, "bob"), ["ec2:RunInstances", "iam:CreateUser"], [])
    panel.context_table.model.add(ContextRow("aws:RequestedRegion", "string", "ap-southeast-2"))
    gui = {r.action: r.word for r in panel.run()}
    command = panel.copy_as_command()
    assert QApplication.clipboard().text() == command
    words = shlex.split(command)
    # The model file and the account are part of the command (issue 10, item 12).
    assert words[:5] == [
        "iamdesk",
        "--db",
        str(panel.context.db_path),
        "--account-id",
        panel.context.account_id,
    ]
    assert words[5:7] == ["iam", "simulate-principal-policy"]
    capsys.readouterr()
    assert main(words[1:]) == 0
    answer = json.loads(capsys.readouterr().out)
    cli = {r["EvalActionName"]: r["EvalDecision"] for r in answer["EvaluationResults"]}
    assert cli == gui == {"ec2:RunInstances": "explicitDeny", "iam:CreateUser": "implicitDeny"}


def test_an_empty_model_opens_quietly_and_asks_for_a_principal(qtbot, tmp_path):
    from iamdesk.store.db import open_database
    from iamdesk.ui.context import AppContext
    from iamdesk.ui.test_access import TestAccessPanel

    database = open_database(tmp_path / "empty.sqlite")
    try:
        context = AppContext(database, database.default_account_id(), tmp_path / "empty.sqlite")
        empty = TestAccessPanel(context)
        qtbot.addWidget(empty)
        assert empty.model.rowCount() == 0 and empty.principal.count() == 0
        empty.action_lines.setPlainText("s3:GetObject")
        assert empty.run() == []
        assert "Choose a principal" in empty.error.text()
    finally:
        database.close()
