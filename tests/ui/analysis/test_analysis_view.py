"""The Analysis view driven as a user drives it: Ctrl+9 opens it, a question runs off the GUI
thread with progress and Cancel, results filter, double-click opens the entity in its view or
the policy in the editor at the deciding statement, a generated policy becomes a customer
managed policy through the undo stack."""

from __future__ import annotations

import json
import threading
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QProgressBar, QPushButton

from iamdesk.analysis.best_practices import BestPracticeFinding
from iamdesk.analysis.policy.generation import GeneratedPolicy
from iamdesk.analysis.refs import EntityRef, StatementRef
from iamdesk.core.policy.parser import parse_policy
from iamdesk.ui.views.analysis.inputs import ChoiceSource, Field
from iamdesk.ui.views.analysis.question_tab import Question, QuestionTab
from iamdesk.ui.views.analysis.results import ResultColumn
from tests.ui.analysis.analysis_model import ACCOUNT, policy


def _user(name: str) -> EntityRef:
    return EntityRef("user", f"arn:aws:iam::{ACCOUNT}:user/{name}", name, ACCOUNT)


def _finding_rows(db, account) -> list[BestPracticeFinding]:
    """A real (if tiny) account-wide check, so the tab's run path has work to do."""
    from iamdesk.services.users import list_users

    users = list_users(db, account)["Users"]
    return [
        BestPracticeFinding(
            "user-exists", "low", _user(u["UserName"]), f"{u['UserName']} was created"
        )
        for u in users
    ]


def _question(call) -> Question:
    return Question(
        "Probe",
        "Probe",
        "A test question.",
        (Field("Name", "Name", "text", required=False),),
        call,
        lambda: [
            ResultColumn("Entity", lambda f: f.entity, 120),
            ResultColumn("Detail", lambda f: f.detail, 200),
        ],
    )


def test_ctrl_9_opens_the_analysis_view_with_every_tab(analysis_window, qtbot):
    qtbot.keyClick(analysis_window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    assert analysis_window.current_view_name() == "analysis"
    view = analysis_window.views["analysis"]
    titles = [view.tabs.tabText(i) for i in range(view.tabs.count())]
    assert titles == [
        "Who can",
        "What can",
        "External access",
        "Unused access",
        "Policy generation",
        "Escalation paths",
        "Best practices",
        "Policy validation",
        "Graph",
    ]
    # Principals of the model complete in the principal pickers (read off the GUI thread).
    picker = view.findChild(object, "analysisWhatCanPrincipal")
    qtbot.waitUntil(lambda: picker.count() > 0, timeout=5000)
    labels = [picker.itemText(i) for i in range(picker.count())]
    assert any("alice" in label for label in labels)


def test_required_input_is_refused_inline_and_nothing_runs(analysis, qtbot):
    tab = analysis.show_tab("WhoCan")
    tab.run_button.click()
    error = analysis.findChild(QLabel, "analysisWhoCanError")
    assert error.isVisible() and "Action: required" in error.text()
    assert not tab.running


def test_a_question_runs_off_the_gui_thread_and_rows_filter(analysis, analysis_window, qtbot):
    threads: list[str] = []

    def call(db, account, values, progress, cancel):
        threads.append(threading.current_thread().name)
        rows = _finding_rows(db, account)
        for number, _row in enumerate(rows):
            cancel()
            progress(number + 1, len(rows))
        return rows

    tab = QuestionTab(_question(call), analysis.context, ChoiceSource(), analysis)
    analysis.tabs.addTab(tab, "Probe")
    analysis.tabs.setCurrentWidget(tab)
    tab.run()
    qtbot.waitUntil(lambda: not tab.running, timeout=5000)
    assert threads and threads[0] != threading.main_thread().name
    names = sorted(tab.pane.model.index(i, 0).data() for i in range(tab.pane.proxy.rowCount()))
    assert names == ["alice", "bob"]
    assert "2" in tab.summary.text()
    qtbot.keyClicks(tab.pane.filter, "bob")
    assert tab.pane.proxy.rowCount() == 1
    assert tab.pane.count.text() == "1 of 2"


def test_cancel_stops_a_long_run_and_keeps_the_window_usable(analysis, analysis_window, qtbot):
    started = threading.Event()

    def call(db, account, values, progress, cancel):
        for number in range(10_000):
            started.set()
            progress(number, 10_000)
            cancel()
            time.sleep(0.005)
        return []

    tab = QuestionTab(_question(call), analysis.context, ChoiceSource(), analysis)
    analysis.tabs.addTab(tab, "Probe")
    analysis.tabs.setCurrentWidget(tab)
    tab.run()
    assert started.wait(5)
    status = analysis_window.findChild(QProgressBar, "taskProgress")
    cancel = analysis.findChild(QPushButton, "analysisProbeCancel")
    qtbot.waitUntil(lambda: status.isVisible() and cancel.isVisible(), timeout=3000)
    cancel.click()
    qtbot.waitUntil(lambda: not tab.running, timeout=5000)
    assert "Cancelled" in tab.summary.text()
    assert not status.isVisible()
    assert tab.run_button.isEnabled()


def test_double_click_on_an_entity_opens_it_in_its_view(analysis, analysis_window, qtbot):
    tab = analysis.tab("BestPractices")
    analysis.show_tab("BestPractices")
    tab.show_result([BestPracticeFinding("inline-policy", "medium", _user("bob"), "inline")], 0.1)
    column = [c.title for c in tab.pane.model.columns].index("Entity")
    index = tab.pane.proxy.index(0, column)
    tab.pane.table.doubleClicked.emit(index)
    assert analysis_window.current_view_name() == "users"
    users = analysis_window.views["users"]
    assert users.selected_row()["UserName"] == "bob"


def _statement_ref(text: str, index: int, **where) -> StatementRef:
    statement = parse_policy(text).statements[index]
    return StatementRef.of(statement, **where)


def _highlighted(dialog) -> list[int]:
    return [s.cursor.blockNumber() + 1 for s in dialog.editor.code.layer("highlight")]


def test_double_click_on_a_statement_opens_the_policy_at_it(analysis, model, qtbot):
    from iamdesk.services.policies import default_document

    db = analysis.context.database
    text = default_document(db, ACCOUNT, model["read"])
    ref = _statement_ref(
        text, 1, policy_label="ReadReports", policy_kind="managed", policy_arn=model["read"]
    )
    tab = analysis.tab("BestPractices")
    analysis.show_tab("BestPractices")
    finding = BestPracticeFinding("wildcard", "high", _user("alice"), "reads reports", ref)
    tab.show_result([finding], 0.1)
    column = [c.title for c in tab.pane.model.columns].index("Detail")
    tab.pane.table.setCurrentIndex(tab.pane.proxy.index(0, column))
    tab.pane.table.setFocus()
    qtbot.waitUntil(tab.pane.table.hasFocus)
    qtbot.keyClick(tab.pane.table, Qt.Key.Key_Return)
    dialog = analysis.edit_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.target.arn == model["read"]
    assert _highlighted(dialog) == list(range(ref.start_line, ref.end_line + 1))
    highlighted = "\n".join(dialog.editor.text().splitlines()[ref.start_line - 1 : ref.end_line])
    assert '"Sid": "Read"' in highlighted and '"Sid": "List"' not in highlighted
    dialog.reject()


def test_inline_trust_and_bucket_statements_open_their_own_policies(analysis, qtbot):
    from iamdesk.services.inline_policies import get_inline_policy
    from iamdesk.services.resources import get_bucket_policy
    from iamdesk.services.roles import get_role

    db = analysis.context.database
    inline_text = json.dumps(
        get_inline_policy(db, ACCOUNT, "user", "bob", "BobExtra")["PolicyDocument"], indent=4
    )
    role = EntityRef("role", f"arn:aws:iam::{ACCOUNT}:role/Auditor", "Auditor", ACCOUNT)
    bucket = EntityRef("resource", "arn:aws:s3:::reports", "reports", ACCOUNT)
    cases = [
        (
            _statement_ref(
                inline_text,
                0,
                policy_label="inline BobExtra on user/bob",
                policy_kind="inline",
                policy_name="BobExtra",
                owner=_user("bob"),
            ),
            ("inline", "BobExtra", "bob"),
        ),
        (
            _statement_ref(
                get_role(db, ACCOUNT, "Auditor")["Role"]["AssumeRolePolicyDocument"],
                1,
                policy_label="trust policy of role/Auditor",
                policy_kind="trust",
                owner=role,
            ),
            ("trust", "Auditor", "Auditor"),
        ),
        (
            _statement_ref(
                get_bucket_policy(db, bucket="reports", account_id=ACCOUNT)["Policy"],
                0,
                policy_label="bucket policy of reports",
                policy_kind="resource",
                owner=bucket,
            ),
            ("bucket", "reports", "reports"),
        ),
    ]
    for ref, (kind, name, owner) in cases:
        dialog = analysis.open_statement(ref)
        assert dialog is not None, ref.policy_label
        assert (dialog.target.kind, dialog.target.name, dialog.target.owner_name) == (
            kind,
            name,
            owner,
        )
        assert _highlighted(dialog) == list(range(ref.start_line, ref.end_line + 1))
        dialog.reject()


def test_generated_policy_becomes_a_customer_managed_policy_undoably(analysis, qtbot):
    from iamdesk.services.errors import IamError
    from iamdesk.services.policies import get_policy

    tab = analysis.show_tab("Generation")
    document = policy(
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::reports/*"}
    )
    generated = GeneratedPolicy(_user("alice"), document, ("s3:GetObject",), 90)
    tab.show_result(generated, 0.2)
    assert tab.editor.text() == document
    assert "s3:GetObject" in tab.actions_label.text()
    tab.create_button.click()
    dialog = tab.create_dialog
    assert dialog.name.text() == "alice-least-privilege"
    assert json.loads(dialog.document.text()) == json.loads(document)
    dialog.ok_button.click()
    db, context = analysis.context.database, analysis.context
    arn = f"arn:aws:iam::{ACCOUNT}:policy/alice-least-privilege"
    assert get_policy(db, ACCOUNT, arn)["Policy"]["PolicyName"] == "alice-least-privilege"
    context.undo_stack.undo()
    try:
        get_policy(db, ACCOUNT, arn)
    except IamError as exc:
        assert exc.code == "NoSuchEntity"
    else:
        raise AssertionError("undo left the policy in place")


def test_results_say_when_the_model_changed_since_the_run(analysis, qtbot):
    from iamdesk.ui.commands.identity import create_user

    tab = analysis.tab("BestPractices")
    analysis.show_tab("BestPractices")
    tab.show_result([BestPracticeFinding("inline-policy", "medium", _user("bob"), "inline")], 0.1)
    assert "changed" not in tab.summary.text()
    create_user(analysis.context, "carol")
    assert "the model changed since" in tab.summary.text()


def test_tab_walks_inputs_run_then_results(analysis, qtbot):
    tab = analysis.show_tab("WhoCan")
    tab.inputs["Action"].setFocus()
    qtbot.waitUntil(tab.inputs["Action"].hasFocus)
    seen = []
    for _ in range(6):
        seen.append(QApplication.focusWidget().objectName())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert seen == [
        "analysisWhoCanAction",
        "analysisWhoCanResource",
        "analysisWhoCanRun",
        "analysisWhoCanFilter",
        "analysisWhoCanExportCsv",
        "analysisWhoCanExportJson",
    ]
    assert QApplication.focusWidget().objectName() == "analysisWhoCanTable"


def test_an_aws_managed_statement_opens_read_only_at_the_statement(analysis, qtbot):
    from iamdesk.services.policies import default_document

    arn = "arn:aws:iam::aws:policy/SecurityAudit"
    text = default_document(analysis.context.database, ACCOUNT, arn)
    ref = _statement_ref(
        text, 0, policy_label="SecurityAudit", policy_kind="managed", policy_arn=arn
    )
    dialog = analysis.open_statement(ref)
    assert dialog.editor.code.isReadOnly()
    assert not dialog.save_button.isEnabled()
    assert "cannot be changed" in dialog.message.text()
    assert _highlighted(dialog) == list(range(ref.start_line, ref.end_line + 1))
    dialog.reject()


def test_an_entity_outside_the_model_is_said_not_opened(analysis, analysis_window, qtbot):
    before = analysis_window.current_view_name()
    outside = EntityRef("external", "arn:aws:iam::999988887777:root", "999988887777", None)
    analysis.open_entity(outside)
    assert analysis_window.current_view_name() == before
    assert "outside the model" in analysis_window.statusBar().currentMessage()


def test_an_escalation_path_lists_its_steps_each_linked(analysis, model, qtbot):
    from PySide6.QtCore import QUrl

    from iamdesk.analysis.privesc import EscalationPath, EscalationStep
    from iamdesk.services.policies import default_document

    text = default_document(analysis.context.database, ACCOUNT, model["read"])
    ref = _statement_ref(
        text, 0, policy_label="ReadReports", policy_kind="managed", policy_arn=model["read"]
    )
    admin = EntityRef("role", f"arn:aws:iam::{ACCOUNT}:role/Auditor", "Auditor", ACCOUNT)
    step = EscalationStep(
        "assume-role", ("sts:AssumeRole",), _user("alice"), admin, (ref,), "alice assumes Auditor"
    )
    tab = analysis.show_tab("Escalation")
    tab.show_result([EscalationPath(_user("alice"), (step,))], 0.1)
    detail = tab.pane.detail.toPlainText()
    assert "assume-role" in detail and "alice assumes Auditor" in detail
    assert "allowed by policy: ReadReports, statement 0" in detail
    number = tab.pane._detail_refs.index(ref)
    tab.pane.detail.anchorClicked.emit(QUrl(f"ref:{number}"))
    assert analysis.edit_dialog.target.arn == model["read"]
    analysis.edit_dialog.reject()
    tab.pane.detail.anchorClicked.emit(QUrl(f"ref:{tab.pane._detail_refs.index(admin)}"))
    assert analysis.window().current_view_name() == "roles"
    assert analysis.window().views["roles"].selected_row()["RoleName"] == "Auditor"


def test_row_menu_opens_entity_statement_and_copies_the_arn(analysis, model, qtbot):

    from PySide6.QtGui import QGuiApplication

    from iamdesk.services.policies import default_document

    text = default_document(analysis.context.database, ACCOUNT, model["read"])
    ref = _statement_ref(
        text, 1, policy_label="ReadReports", policy_kind="managed", policy_arn=model["read"]
    )
    tab = analysis.show_tab("BestPractices")
    tab.show_result([BestPracticeFinding("wildcard", "high", _user("alice"), "x", ref)], 0.1)
    menu = tab.pane._menu(tab.pane.table.visualRect(tab.pane.proxy.index(0, 0)).center())
    labels = [a.text() for a in menu.actions()]
    assert labels == ["Open user alice", "Open the deciding statement", "Copy ARN"]
    menu.actions()[2].trigger()
    assert QGuiApplication.clipboard().text() == _user("alice").arn
    menu.actions()[1].trigger()
    assert analysis.edit_dialog.target.arn == model["read"]
    analysis.edit_dialog.reject()
    menu.close()
