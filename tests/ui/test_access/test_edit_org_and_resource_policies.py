"""SCPs and queue policies are edited where the test-access panel shows them: save, the panel
re-runs with the new decision, undo restores the old text; the Organization view edits a
customer SCP and refuses AWS managed ones."""

from __future__ import annotations

import json

from iamdesk.services import organizations as orgs
from iamdesk.ui.test_access.context_table import ContextRow


def _statements(text: str) -> tuple[dict, list]:
    document = json.loads(text)
    statements = document["Statement"]
    return document, statements if isinstance(statements, list) else [statements]


def _save(dialog, qtbot) -> None:
    assert dialog.save_clicked()  # the impact preview, in the background
    qtbot.waitUntil(lambda: dialog.impact is not None, timeout=30000)
    assert dialog.save_clicked()  # the save


def _guardrails(context) -> str:
    management = orgs.describe_organization(context.database, account_id=context.account_id)[
        "Organization"
    ]["MasterAccountId"]
    listed = orgs.list_policies(context.database, policy_filter=orgs.SCP, account_id=management)
    policy_id = next(p["Id"] for p in listed["Policies"] if p["Name"] == "Guardrails")
    got = orgs.describe_policy(context.database, policy_id=policy_id, account_id=management)
    return str(got["Policy"]["Content"])


def test_editing_the_guardrails_scp_from_the_panel_lets_alice_leave_and_undo_restores(panel, qtbot):
    alice = f"arn:aws:iam::{panel.context.account_id}:user/alice"
    panel.set_request(alice, ["organizations:LeaveOrganization"], [])
    panel.context_table.model.add(ContextRow("aws:MultiFactorAuthPresent", "boolean", "true"))
    assert [r.word for r in panel.run()] == ["explicitDeny"]
    original = _guardrails(panel.context)

    views = [v for label, v in panel.details.views.items() if label.startswith("scps")]
    view = next(v for v in views if "Guardrails" in v.title.text())
    view.edit_button.click()
    dialog = panel.edit_dialog
    assert dialog.target is not None and dialog.target.kind == "org"
    assert dialog.editor.text() == original
    document, statements = _statements(dialog.editor.text())
    kept = [s for s in statements if "organizations:LeaveOrganization" not in json.dumps(s)]
    assert len(kept) < len(statements)  # the statement that denied it is gone
    document["Statement"] = kept
    dialog.editor.replace_text(json.dumps(document, indent=4))
    _save(dialog, qtbot)

    row = panel.model.rows[0]
    assert (row.word, row.previous) == ("allowed", "explicitDeny")
    assert json.loads(_guardrails(panel.context))["Statement"] == kept

    panel.context.undo_stack.undo()
    assert _guardrails(panel.context) == original
    assert [r.word for r in panel.model.rows] == ["explicitDeny"]


def test_a_malformed_scp_is_refused_with_the_organizations_error(panel, qtbot):
    alice = f"arn:aws:iam::{panel.context.account_id}:user/alice"
    panel.set_request(alice, ["organizations:LeaveOrganization"], [])
    panel.run()
    original = _guardrails(panel.context)
    view = next(v for v in panel.details.views.values() if "Guardrails" in v.title.text())
    view.edit_button.click()
    dialog = panel.edit_dialog
    dialog.editor.replace_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", '
        '"Action": "s3:*", "Resource": "*"}]}'
    )
    dialog.commit(dialog.editor.text())
    assert "MalformedPolicyDocumentException" in dialog.message.text()
    assert panel.context.undo_stack.count() == 0
    assert _guardrails(panel.context) == original


def test_a_queue_policy_edit_is_saved_and_re_simulated(panel, qtbot):
    account = panel.context.account_id
    alice = f"arn:aws:iam::{account}:user/alice"
    queue = f"arn:aws:sqs:us-east-1:{account}:order-events"
    panel.set_request(alice, ["sqs:SendMessage"], [queue])
    panel.context_table.model.add(ContextRow("aws:MultiFactorAuthPresent", "boolean", "true"))
    panel.context_table.model.add(ContextRow("aws:RequestedRegion", "string", "us-east-1"))
    assert [r.word for r in panel.run()] == ["allowed"]
    panel.details.views["resource_policy"].edit_button.click()
    dialog = panel.edit_dialog
    assert dialog.target is not None and dialog.target.kind == "queue"
    before = dialog.editor.text()
    document, statements = _statements(before)
    statements.append(
        {
            "Sid": "NoSending",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sqs:SendMessage",
            "Resource": queue,
        }
    )
    document["Statement"] = statements
    dialog.editor.replace_text(json.dumps(document, indent=4))
    _save(dialog, qtbot)
    assert [(r.word, r.previous) for r in panel.model.rows] == [("explicitDeny", "allowed")]

    panel.context.undo_stack.undo()
    assert [r.word for r in panel.model.rows] == ["allowed"]
    assert dialog.target.load(panel.context.database) == before


def test_the_organization_view_edits_a_customer_scp_not_an_aws_managed_one(qtbot, demo_context):
    from iamdesk.ui.views.organization import OrganizationView

    view = OrganizationView(demo_context)
    qtbot.addWidget(view)
    view.show()
    view.reload()
    names = {}
    for i in range(view.policies.topLevelItemCount()):
        item = view.policies.topLevelItem(i)
        names[item.text(0)] = item
    view.policies.setCurrentItem(names["FullAWSAccess"])
    assert not view.edit_button.isEnabled()
    view.policies.setCurrentItem(names["Guardrails"])
    assert view.edit_button.isEnabled()
    original = _guardrails(demo_context)

    dialog = view.edit_policy()
    assert dialog.target.kind == "org" and dialog.editor.text() == original
    document, statements = _statements(original)
    document["Statement"] = statements[:1]
    dialog.editor.replace_text(json.dumps(document, indent=4))
    _save(dialog, qtbot)
    assert json.loads(_guardrails(demo_context))["Statement"] == statements[:1]
    assert demo_context.undo_stack.undoText().startswith("Edit SCP Guardrails")
    demo_context.undo_stack.undo()
    assert _guardrails(demo_context) == original


def test_a_secret_policy_edit_is_saved_and_a_function_policy_says_why_not(panel, qtbot):
    import pytest

    from iamdesk.services.resources import list_resources
    from iamdesk.ui.editor.targets import NotEditable, target_for_involved

    account = panel.context.account_id
    rows = list_resources(panel.context.database, account_id=account)
    secret = next(r["Arn"] for r in rows if r["Service"] == "secretsmanager")
    function = next(r["Arn"] for r in rows if r["Service"] == "lambda")
    alice = f"arn:aws:iam::{account}:user/alice"
    panel.set_request(alice, ["secretsmanager:GetSecretValue"], [secret])
    panel.context_table.model.add(ContextRow("aws:RequestedRegion", "string", "us-east-1"))
    panel.context_table.model.add(ContextRow("aws:MultiFactorAuthPresent", "boolean", "true"))
    assert [r.word for r in panel.run()] == ["allowed"]
    panel.details.views["resource_policy"].edit_button.click()
    dialog = panel.edit_dialog
    assert dialog.target is not None and dialog.target.kind == "secret"
    document, statements = _statements(dialog.editor.text())
    for statement in statements:
        statement.pop("Condition", None)  # deny everyone, not only other accounts
    dialog.editor.replace_text(json.dumps(document, indent=4))
    _save(dialog, qtbot)
    assert [(r.word, r.previous) for r in panel.model.rows] == [("explicitDeny", "allowed")]

    with pytest.raises(NotEditable, match="AddPermission"):
        target_for_involved(panel.context.database, "resource", "policy", alice, function)
