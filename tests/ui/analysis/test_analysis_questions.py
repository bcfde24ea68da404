"""The engine's questions through the Analysis view, on the hand-made account and the demo:
typed by keyboard and run with Enter, rows that open the deciding statement, external access
findings archived with a reason and back (undoable), escalation paths with their steps,
validation findings opening at their span."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from iamdesk.analysis.refs import StatementRef
from tests.ui.analysis.analysis_model import ACCOUNT, policy


def _run(tab, qtbot) -> list:
    tab.run()
    qtbot.waitUntil(lambda: not tab.running, timeout=30_000)
    assert not tab.error.isVisible(), tab.error.text()
    return tab.pane.shown_rows()


def test_who_can_typed_and_run_by_keyboard_lists_the_group_member(analysis, qtbot):
    tab = analysis.show_tab("WhoCan")
    action = tab.inputs["Action"]
    action.setFocus()
    qtbot.waitUntil(action.hasFocus)
    qtbot.keyClicks(action, "s3:GetObject")
    qtbot.keyClick(action, Qt.Key.Key_Tab)
    resource = tab.inputs["Resource"]
    assert resource.hasFocus()
    qtbot.keyClicks(resource, "arn:aws:s3:::reports/q1.csv")
    qtbot.keyClick(resource, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not tab.running and tab.pane.model.rowCount() > 0, timeout=30_000)
    rows = tab.pane.shown_rows()
    who = {r.principal.name for r in rows}
    assert "alice" in who  # through the Readers group's ReadReports
    alice = next(r for r in rows if r.principal.name == "alice")
    assert any(s.policy_label == "ReadReports" and s.sid == "Read" for s in alice.statements)


def test_a_who_can_row_opens_its_deciding_statement(analysis, model, qtbot):
    tab = analysis.show_tab("WhoCan")
    tab.set_values(Action="s3:GetObject", Resource="arn:aws:s3:::reports/q1.csv")
    rows = _run(tab, qtbot)
    number = next(i for i, r in enumerate(rows) if r.principal.name == "alice")
    column = [c.title for c in tab.pane.model.columns].index("Deciding statements")
    tab.pane.table.doubleClicked.emit(tab.pane.proxy.index(number, column))
    dialog = analysis.edit_dialog
    assert dialog is not None and dialog.target.arn == model["read"]
    lines = [s.cursor.blockNumber() + 1 for s in dialog.editor.code.layer("highlight")]
    ref = next(s for s in rows[number].statements if isinstance(s, StatementRef))
    assert lines == list(range(ref.start_line, ref.end_line + 1))
    dialog.reject()


def _archive_dialog():
    found = [
        w
        for w in QApplication.topLevelWidgets()
        if w.objectName() == "archiveFindingDialog" and w.isVisible()
    ]
    assert found, "the archive dialog did not open"
    return found[-1]


def test_external_finding_archived_with_a_reason_and_undone(analysis, qtbot):
    tab = analysis.show_tab("External")
    rows = _run(tab, qtbot)
    public = [r for r in rows if r.is_public]
    assert [r.resource.name for r in public] == ["reports"]
    assert any("999988887777" in r.principal for r in rows)  # the role's other account
    tab.pane.table.selectRow(next(i for i, r in enumerate(rows) if r.is_public))
    tab.archive_button.click()
    dialog = _archive_dialog()
    assert not dialog.ok_button.isEnabled()  # a reason is required
    qtbot.keyClicks(dialog.reason, "public website assets")
    dialog.ok_button.click()
    assert all(not r.is_public for r in tab.pane.shown_rows())  # archived: hidden
    tab.show_archived.click()
    archived = [r for r in tab.pane.shown_rows() if r.status == "archived"]
    assert [(r.resource.name, r.archive_reason) for r in archived] == [
        ("reports", "public website assets")
    ]
    # The archive is kept in the model: a new run still reports it archived.
    again = _run(tab, qtbot)
    assert [r.archive_reason for r in again if r.is_public] == ["public website assets"]
    analysis.context.undo_stack.undo()
    assert [r.status for r in tab.rows if r.is_public] == ["active"]
    assert [r.status for r in _run(tab, qtbot) if r.is_public] == ["active"]


def test_escalation_path_of_a_user_who_can_attach_policies_to_itself(analysis, qtbot):
    from iamdesk.services.inline_policies import put_inline_policy
    from iamdesk.services.users import create_user

    db = analysis.context.database
    create_user(db, ACCOUNT, "mallory")
    put_inline_policy(
        db,
        ACCOUNT,
        "user",
        "mallory",
        "SelfService",
        policy(
            {
                "Effect": "Allow",
                "Action": "iam:AttachUserPolicy",
                "Resource": f"arn:aws:iam::{ACCOUNT}:user/mallory",
            }
        ),
    )
    tab = analysis.show_tab("Escalation")
    rows = _run(tab, qtbot)
    mallory = [r for r in rows if r.principal.name == "mallory"]
    assert len(mallory) == 1
    assert "attach" in mallory[0].steps[0].technique
    # The selected path's detail links every step's entities and statements.
    tab.pane.table.selectRow(rows.index(mallory[0]))
    assert "SelfService" in tab.pane.detail.toHtml()
    statement = next(r for r in tab.pane._detail_refs if isinstance(r, StatementRef))
    dialog = analysis.open_statement(statement)
    assert dialog.target.kind == "inline" and dialog.target.name == "SelfService"
    dialog.reject()


def test_validation_finding_opens_the_policy_at_the_finding(analysis, qtbot):
    from iamdesk.services.policies import create_policy

    db = analysis.context.database
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"},
            ],
        },
        indent=4,
    )
    create_policy(db, ACCOUNT, "Broad", text)
    tab = analysis.show_tab("Validation")
    rows = _run(tab, qtbot)
    mine = [r for r in rows if r.policy_label == "Broad"]
    assert mine, [r.policy_label for r in rows]
    number = rows.index(mine[0])
    column = [c.title for c in tab.pane.model.columns].index("Message")
    tab.pane.table.doubleClicked.emit(tab.pane.proxy.index(number, column))
    dialog = analysis.edit_dialog
    assert dialog.target.name == "Broad"
    lines = [s.cursor.blockNumber() + 1 for s in dialog.editor.code.layer("highlight")]
    assert lines[0] == mine[0].start_line
    assert "GetObjekt" in dialog.editor.text().splitlines()[mine[0].start_line - 1]
    dialog.reject()


def _cloudtrail(path, user: str, actions: list[tuple[str, str]]) -> None:
    from datetime import UTC, datetime, timedelta

    when = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    records = [
        {
            "eventVersion": "1.08",
            "userIdentity": {
                "type": "IAMUser",
                "arn": f"arn:aws:iam::{ACCOUNT}:user/{user}",
                "accountId": ACCOUNT,
                "userName": user,
            },
            "eventSource": source,
            "eventName": name,
            "eventTime": when,
            "requestParameters": {"bucketName": "reports", "key": "q1.csv"},
        }
        for source, name in actions
    ]
    path.write_text(json.dumps({"Records": records}), encoding="utf-8")


def test_policy_generated_from_activity_becomes_a_managed_policy(analysis, qtbot, tmp_path):
    from iamdesk.services.activity import import_activity
    from iamdesk.services.policies import get_policy

    trail = tmp_path / "trail.json"
    _cloudtrail(trail, "alice", [("s3.amazonaws.com", "GetObject")])
    import_activity(analysis.context.database, [trail])
    tab = analysis.show_tab("Generation")
    qtbot.waitUntil(lambda: tab.inputs["Principal"].count() > 0, timeout=5000)
    tab.set_values(Principal=f"arn:aws:iam::{ACCOUNT}:user/alice", Days=30)
    tab.run()
    qtbot.waitUntil(lambda: not tab.running, timeout=30_000)
    assert not tab.error.isVisible(), tab.error.text()
    document = json.loads(tab.editor.text())
    actions = json.dumps(document["Statement"])
    assert "s3:GetObject" in actions and "s3:PutObject" not in actions
    tab.create_button.click()
    tab.create_dialog.ok_button.click()
    name = tab.suggested_name()
    created = get_policy(
        analysis.context.database, ACCOUNT, f"arn:aws:iam::{ACCOUNT}:policy/{name}"
    )
    assert created["Policy"]["PolicyName"] == name


def test_unused_access_shows_granted_actions_never_used(analysis, qtbot, tmp_path):
    from iamdesk.services.activity import import_activity

    trail = tmp_path / "trail.json"
    _cloudtrail(trail, "alice", [("s3.amazonaws.com", "GetObject")])
    import_activity(analysis.context.database, [trail])
    tab = analysis.show_tab("Unused")
    rows = _run(tab, qtbot)
    alice = [r for r in rows if r.entity.name == "alice"]
    assert alice, [(r.kind, r.entity.name) for r in rows]
    assert any("s3:ListBucket" in " ".join(r.items) or "ListBucket" in r.detail for r in alice)
    # The entity cell opens the user.
    number = rows.index(alice[0])
    column = [c.title for c in tab.pane.model.columns].index("Entity")
    tab.pane.table.doubleClicked.emit(tab.pane.proxy.index(number, column))
    assert analysis.window().current_view_name() == "users"
    assert analysis.window().views["users"].selected_row()["UserName"] == "alice"


def test_best_practices_on_the_demo(demo_analysis, qtbot):
    tab = demo_analysis.show_tab("BestPractices")
    rows = _run(tab, qtbot)
    checks = {r.check_id for r in rows}
    assert len(rows) >= 3 and len(checks) >= 2, checks
    severity = [c.title for c in tab.pane.model.columns].index("Severity")
    qtbot.keyClicks(tab.pane.filter, rows[0].check_id)
    assert 0 < tab.pane.proxy.rowCount() <= len(rows)
    assert tab.pane.proxy.index(0, severity).data() in ("high", "medium", "low")


def test_who_can_and_what_can_include_users_sessions(analysis, qtbot):
    """A get-session-token session and a federated user of alice are principals of who-can and
    what-can, as role sessions are; the session's row opens its user."""
    from iamdesk.services.inline_policies import put_inline_policy
    from iamdesk.services.user_sessions import get_federation_token, get_session_token

    db = analysis.context.database
    federate = {"Effect": "Allow", "Action": "sts:GetFederationToken", "Resource": "*"}
    put_inline_policy(db, ACCOUNT, "user", "bob", "Federate", policy(federate))
    alice = f"arn:aws:iam::{ACCOUNT}:user/alice"
    key = get_session_token(db, caller_arn=alice)["Credentials"]["AccessKeyId"]
    federated = get_federation_token(
        db,
        name="auditor",
        caller_arn=f"arn:aws:iam::{ACCOUNT}:user/bob",
        policy=policy({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}),
    )["FederatedUser"]["Arn"]
    tab = analysis.show_tab("WhoCan")
    tab.set_values(Action="s3:ListBucket", Resource="arn:aws:s3:::reports")
    rows = _run(tab, qtbot)
    assert {alice, key} <= {r.principal.arn for r in rows}  # her group grants both
    session = next(r for r in rows if r.principal.arn == key)
    assert session.principal.kind == "session" and not session.conditional
    assert session.principal.name == f"alice (session {key})"
    assert [s.policy_label for s in session.statements] == ["ReadReports"]
    number = rows.index(session)
    column = [c.title for c in tab.pane.model.columns].index("Principal")
    tab.pane.table.doubleClicked.emit(tab.pane.proxy.index(number, column))
    assert analysis.window().current_view_name() == "users"
    assert analysis.window().views["users"].selected_row()["UserName"] == "alice"

    analysis.window().show_view("analysis")
    tab = analysis.show_tab("WhoCan")
    tab.set_values(Action="s3:PutObject", Resource="arn:aws:s3:::reports/q2.csv")
    rows = _run(tab, qtbot)
    assert {r.principal.arn for r in rows} == {f"arn:aws:iam::{ACCOUNT}:user/bob", federated}
    tab = analysis.show_tab("WhatCan")
    tab.set_values(Principal=federated, Service="s3", Resource="")
    rows = _run(tab, qtbot)
    assert [r.action for r in rows] == ["s3:PutObject"]  # bob's BobExtra capped by the session
