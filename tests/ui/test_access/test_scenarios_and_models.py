"""Scenarios (saved requests with expected decisions) and the panel's item models."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from iamdesk.ui.test_access.context_table import ContextModel, ContextRow, presets


def test_demo_scenarios_rerun_as_a_pass_fail_check(panel):
    bar = panel.scenarios
    names = [bar.list.item(i).text() for i in range(bar.list.count())]
    assert "Launch outside approved regions" in names
    rows = bar.run_all()
    assert len(rows) == len(names)
    assert all(r.expected is not None for r in rows)
    passed = sum(1 for r in rows if r.passed)
    assert bar.status.text().startswith(f"{passed} of {len(names)} scenarios pass")
    expected_column = [panel.model.data(panel.model.index(i, 4)) for i in range(len(rows))]
    assert all(text.endswith(("pass", "FAIL")) for text in expected_column)


def test_each_demo_scenario_gets_its_expected_decision(panel):
    rows = panel.scenarios.run_all()
    failing = [(r.extra["scenario"], r.word, r.expected) for r in rows if not r.passed]
    assert failing == []


def test_loading_a_scenario_fills_the_inputs(panel):
    bar = panel.scenarios
    number = next(
        i for i, s in enumerate(bar.scenarios) if s["Name"] == "Launch outside approved regions"
    )
    bar.load(number)
    assert panel.principal_arn().endswith(":user/bob")
    assert panel.action_lines.toPlainText() == "ec2:RunInstances"
    rows = panel.context_table.model.rows
    assert [(r.key, r.type, r.value) for r in rows] == [
        ("aws:RequestedRegion", "string", "ap-southeast-2")
    ]
    assert [r.word for r in panel.run()] == ["explicitDeny"]


def test_saving_results_as_scenarios_and_finding_a_regression(panel):
    bar = panel.scenarios
    before = bar.list.count()
    panel.set_request(
        f"arn:aws:iam::{panel.context.account_id}:user/bob",
        ["ec2:DescribeInstances", "iam:CreateUser"],
        [],
    )
    panel.context_table.apply_preset("Requested region")
    panel.run()
    bar.name.setText("Bob basics")
    saved = bar.save_current()
    assert saved == [
        "Bob basics — ec2:DescribeInstances on *",
        "Bob basics — iam:CreateUser on *",
    ]
    assert bar.list.count() == before + 2
    stored = {s["Name"]: s for s in bar.scenarios}
    assert stored[saved[0]]["Expected"] == "allowed"
    assert stored[saved[1]]["Expected"] == "implicitDeny"
    assert stored[saved[0]]["Context"] == {"aws:RequestedRegion": "us-east-1"}


def test_saving_without_a_name_is_refused(panel):
    panel.scenarios.name.setText("")
    assert panel.scenarios.save_current() == []
    assert "name" in panel.scenarios.status.text()


def test_results_model_passes_the_model_tester(panel, qtmodeltester):
    panel.set_request(
        f"arn:aws:iam::{panel.context.account_id}:user/bob", ["s3:GetObject", "s3:PutObject"], []
    )
    panel.run()
    qtmodeltester.check(panel.model)


def test_context_model_passes_the_model_tester(qtmodeltester):
    model = ContextModel()
    model.add(ContextRow("aws:SourceIp", "ip", "10.0.0.1"))
    model.add(ContextRow("aws:TagKeys", "stringList", "a, b"))
    qtmodeltester.check(model)


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        ("ip", "10.0.0.0/8", True),
        ("ip", "2001:db8::/32", True),
        ("ip", "10.0.0.300", False),
        ("numeric", "3600", True),
        ("numeric", "soon", False),
        ("boolean", "TRUE", True),
        ("boolean", "yes", False),
        ("date", "2026-01-01T00:00:00Z", True),
        ("date", "1767225600", True),
        ("date", "tomorrow", False),
        ("stringList", "a, b", True),
        ("ipList", "10.0.0.1, nope", False),
    ],
)
def test_context_values_are_checked_against_their_type(kind, value, ok):
    row = ContextRow("aws:Key", kind, value)
    assert (row.problem() is None) == ok


def test_typing_a_known_key_picks_its_type_and_entries_are_awss_shape():
    model = ContextModel()
    model.add(ContextRow("", "string", ""))
    model.setData(model.index(0, 0), "aws:MultiFactorAuthAge")
    model.setData(model.index(0, 2), "120")
    model.add(ContextRow("aws:TagKeys", "stringList", "a, b"))
    assert model.entries() == [
        {
            "ContextKeyName": "aws:MultiFactorAuthAge",
            "ContextKeyValues": ["120"],
            "ContextKeyType": "numeric",
        },
        {
            "ContextKeyName": "aws:TagKeys",
            "ContextKeyValues": ["a", "b"],
            "ContextKeyType": "stringList",
        },
    ]
    # Adding the same key again replaces the entry rather than duplicating it.
    model.add(ContextRow("aws:tagkeys", "stringList", "c"))
    assert len(model.rows) == 2 and model.rows[1].value == "c"


def test_presets_are_the_documented_keys():
    found = presets(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC))
    assert {r.key for r in found["MFA present"]} == {
        "aws:MultiFactorAuthPresent",
        "aws:MultiFactorAuthAge",
    }
    assert [(r.key, r.value) for r in found["Current time"]] == [
        ("aws:CurrentTime", "2026-03-01T12:00:00Z"),
        ("aws:EpochTime", "1772366400"),
    ]
    assert all(r.problem() is None for rows in found.values() for r in rows)


def test_results_can_be_filtered_by_decision_and_text(panel, qtmodeltester):
    panel.set_request(
        f"arn:aws:iam::{panel.context.account_id}:user/bob",
        ["ec2:DescribeInstances", "iam:CreateUser", "iam:DeleteUser", "s3:GetObject"],
        [],
    )
    panel.context_table.apply_preset("Requested region")
    rows = panel.run()
    denied = [r.action for r in rows if r.word != "allowed"]
    assert denied and len(denied) < len(rows)

    panel.show_only.setCurrentText("Denied")
    shown = [panel.proxy.index(i, 1).data() for i in range(panel.proxy.rowCount())]
    assert shown == denied
    panel.result_find.setText("delete")
    shown = [panel.proxy.index(i, 1).data() for i in range(panel.proxy.rowCount())]
    assert shown == ["iam:DeleteUser"]
    # The details follow the row under the cursor in the filtered view.
    panel.results.selectRow(0)
    assert panel.current_row().action == "iam:DeleteUser"
    assert "iam:DeleteUser" in panel.details.explanation.text()
    qtmodeltester.check(panel.proxy)


def test_failing_scenarios_filter_and_sorting_by_decision(panel):
    rows = panel.scenarios.run_all()
    panel.show_only.setCurrentText("Failing scenarios")
    assert panel.proxy.rowCount() == sum(1 for r in rows if not r.passed)
    panel.show_only.setCurrentText("All results")
    panel.results.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    words = [panel.proxy.index(i, 0).data() for i in range(panel.proxy.rowCount())]
    assert words == sorted(words)


def test_date_and_boolean_values_are_edited_with_pickers(qtbot):
    from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QStyleOptionViewItem

    from iamdesk.ui.test_access.context_table import ContextTable

    table = ContextTable()
    qtbot.addWidget(table)
    table.model.add(ContextRow("aws:CurrentTime", "date", "2026-03-01T12:00:00Z"))
    table.model.add(ContextRow("aws:SecureTransport", "boolean", "true"))
    delegate = table.view.itemDelegate()
    date_index = table.model.index(0, 2)
    picker = delegate.createEditor(table.view, QStyleOptionViewItem(), date_index)
    assert isinstance(picker, QDateTimeEdit)
    delegate.setEditorData(picker, date_index)
    picker.setDateTime(picker.dateTime().addSecs(3600))
    delegate.setModelData(picker, table.model, date_index)
    assert table.model.rows[0].value == "2026-03-01T13:00:00Z"
    bool_index = table.model.index(1, 2)
    combo = delegate.createEditor(table.view, QStyleOptionViewItem(), bool_index)
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["true", "false"]


def test_a_scenario_is_deleted_undoably_and_all_are_exported(panel, qtbot, tmp_path):
    """What a user expects: delete a saved scenario (Ctrl+Z brings it back) and export them."""
    import json as _json

    from PySide6.QtWidgets import QFileDialog

    bar = panel.scenarios
    names = [s["Name"] for s in bar.scenarios]
    bar.list.setCurrentRow(0)
    bar.delete_button.click()
    assert [s["Name"] for s in bar.scenarios] == names[1:]
    assert bar.list.count() == len(names) - 1
    panel.context.undo_stack.undo()
    assert sorted(s["Name"] for s in bar.scenarios) == sorted(names)

    bar.export_button.click()
    dialog = bar.findChild(QFileDialog, "scenarioExportDialog")
    assert dialog is not None and dialog.isVisible()
    target = tmp_path / "scenarios.json"
    dialog.fileSelected.emit(str(target))
    dialog.reject()
    exported = _json.loads(target.read_text())
    assert sorted(s["Name"] for s in exported) == sorted(names)
    assert {"PrincipalArn", "Action", "Expected", "Context"} <= set(exported[0])
