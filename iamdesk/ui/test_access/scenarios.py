"""The scenario bar of the test-access panel: saved named requests with expected decisions;
load one into the inputs, save the current results as scenarios, re-run them all as a
pass/fail regression check."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from iamdesk.services.errors import IamError
from iamdesk.ui.icons import icon
from iamdesk.ui.test_access.context_table import ContextRow, suggested_type
from iamdesk.ui.test_access.results_model import ResultRow, decision_icon
from iamdesk.ui.test_access.runner import rows_from

if TYPE_CHECKING:
    from iamdesk.ui.test_access.panel import TestAccessPanel

log = logging.getLogger(__name__)

_SCENARIO_ROLE = Qt.ItemDataRole.UserRole + 1


def _context_rows(context: dict[str, Any]) -> list[ContextRow]:
    rows = []
    for key, value in context.items():
        values = value if isinstance(value, list) else [value]
        kind = suggested_type(key) or ("stringList" if isinstance(value, list) else "string")
        if isinstance(value, list) and not kind.endswith("List"):
            kind += "List"
        rows.append(ContextRow(key, kind, ", ".join(str(v) for v in values)))
    return rows


class ScenarioBar(QWidget):
    def __init__(self, panel: TestAccessPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.setObjectName("testAccessScenarioBar")
        self.scenarios: list[dict[str, Any]] = []
        self.list = QListWidget(self)
        self.list.setObjectName("testAccessScenarios")
        self.list.setMinimumHeight(110)
        self.list.itemDoubleClicked.connect(lambda item: self.load(self.list.row(item)))
        self.load_button = QPushButton("Load", self)
        self.load_button.setObjectName("testAccessLoadScenario")
        self.load_button.clicked.connect(lambda: self.load(self.list.currentRow()))
        self.run_all_button = QPushButton("Run all", self)
        self.run_all_button.setObjectName("testAccessRunScenarios")
        self.run_all_button.setIcon(icon("refresh"))
        self.run_all_button.clicked.connect(self.run_all)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setObjectName("testAccessDeleteScenario")
        self.delete_button.setToolTip("Delete the selected scenario (undoable)")
        self.delete_button.clicked.connect(lambda: self.delete(self.list.currentRow()))
        self.export_button = QPushButton("Export…", self)
        self.export_button.setObjectName("testAccessExportScenarios")
        self.export_button.setToolTip("Write every scenario of the account to a JSON file")
        self.export_button.clicked.connect(self.ask_export)
        self.name = QLineEdit(self)
        self.name.setObjectName("testAccessScenarioName")
        self.name.setPlaceholderText("Name for the current results")
        self.save_button = QPushButton("Save", self)
        self.save_button.setObjectName("testAccessSaveScenario")
        self.save_button.clicked.connect(self.save_current)
        self.status = QLabel(self)
        self.status.setObjectName("testAccessScenarioStatus")
        self.status.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.load_button)
        buttons.addWidget(self.run_all_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.export_button)
        save_row = QHBoxLayout()
        save_row.setContentsMargins(0, 0, 0, 0)
        save_row.addWidget(self.name, 1)
        save_row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        title = QLabel("<b>Scenarios</b> — saved requests with the decision they expect", self)
        layout.addWidget(title)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addLayout(save_row)
        layout.addWidget(self.status)

    def reload(self) -> None:
        from iamdesk.services.scenarios import list_scenarios

        db = self.panel.db
        self.scenarios = list_scenarios(db, self.panel.context.account_id) if db else []
        self.list.clear()
        for scenario in self.scenarios:
            item = QListWidgetItem(scenario["Name"], self.list)
            item.setToolTip(
                f"{scenario['Description']}\n{scenario['PrincipalArn']}\n{scenario['Action']} on "
                f"{scenario['ResourceArn']}\nexpects {scenario['Expected']}"
            )
            item.setData(_SCENARIO_ROLE, scenario)

    def load(self, number: int) -> None:
        if not 0 <= number < len(self.scenarios):
            return
        scenario = self.scenarios[number]
        self.panel.set_request(
            scenario["PrincipalArn"], [scenario["Action"]], [scenario["ResourceArn"]]
        )
        self.panel.context_table.model.set_rows(_context_rows(scenario["Context"]))
        self.status.setText(f"Loaded “{scenario['Name']}”: expects {scenario['Expected']}.")

    def run_all(self) -> list[ResultRow]:
        """Run every scenario; the results table shows each with pass or FAIL."""
        from iamdesk.services.simulate import simulate_principal_policy

        started = time.perf_counter()
        rows: list[ResultRow] = []
        failures = []
        for number, scenario in enumerate(self.scenarios):
            try:
                outcome = simulate_principal_policy(
                    self.panel.db,
                    policy_source_arn=scenario["PrincipalArn"],
                    action_names=[scenario["Action"]],
                    resource_arns=[scenario["ResourceArn"]],
                    context_entries=scenario["Context"],
                )
            except IamError as error:  # a scenario whose principal is gone: report, go on
                failures.append(f"{scenario['Name']}: {getattr(error, 'message', error)}")
                continue
            for row in rows_from(outcome):
                row.expected = scenario["Expected"]
                row.extra["scenario"] = scenario["Name"]
                rows.append(row)
                item = self.list.item(number)
                item.setIcon(decision_icon("allowed" if row.passed else "explicitDeny"))
        passed = sum(1 for r in rows if r.passed)
        self.panel.show_rows(rows)
        text = f"{passed} of {len(self.scenarios)} scenarios pass"
        text += f" ({(time.perf_counter() - started) * 1000:.0f} ms)."
        if failures:
            text += " Could not run: " + "; ".join(failures)
        self.status.setText(text)
        return rows

    def delete(self, number: int) -> bool:
        """Delete a saved scenario; Edit ▸ Undo brings it back as it was."""
        from iamdesk.services.scenarios import delete_scenario, save_scenario
        from iamdesk.ui.commands.base import ServiceCommand, execute

        if not 0 <= number < len(self.scenarios):
            self.status.setText("Select a scenario to delete.")
            return False
        kept = dict(self.scenarios[number])
        db, account = self.panel.db, str(kept["AccountId"])

        def restore() -> None:
            save_scenario(
                db,
                account,
                name=kept["Name"],
                principal_arn=kept["PrincipalArn"],
                action=kept["Action"],
                resource_arn=kept["ResourceArn"],
                context=kept["Context"],
                expected=kept["Expected"],
                description=kept["Description"],
            )
            self.reload()

        def remove() -> None:
            delete_scenario(db, account, kept["Name"])
            self.reload()

        execute(
            self.panel.context,
            ServiceCommand(
                self.panel.context, f"Delete scenario {kept['Name']}", remove, restore, ()
            ),
        )
        self.status.setText(f"Deleted “{kept['Name']}” (Ctrl+Z brings it back).")
        return True

    def ask_export(self) -> QFileDialog:
        dialog = QFileDialog(self, "Export scenarios", "scenarios.json", "JSON (*.json)")
        dialog.setObjectName("scenarioExportDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        dialog.open()
        return dialog

    def export_to(self, path: Path) -> int:
        """Every scenario of the account as a JSON list (what list_scenarios returns)."""
        try:
            path.write_text(json.dumps(self.scenarios, indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            self.status.setText(f"Could not export: {error.strerror or error}")
            return 0
        self.status.setText(f"Exported {len(self.scenarios)} scenario(s) to {path.name}.")
        return len(self.scenarios)

    def save_current(self) -> list[str]:
        """Save each current result as a scenario expecting the decision it got."""
        from iamdesk.services.scenarios import save_scenario

        name = self.name.text().strip()
        rows = self.panel.model.rows
        if not name or not rows:
            self.status.setText("Run a test and give the scenario a name first.")
            return []
        request = self.panel.last_request
        context: dict[str, Any] = {}
        for entry in request.context_entries if request else ():
            values = list(entry["ContextKeyValues"])
            context[entry["ContextKeyName"]] = (
                values if str(entry["ContextKeyType"]).endswith("List") else values[0]
            )
        saved = []
        for row in rows:
            label = name if len(rows) == 1 else f"{name} — {row.action} on {row.resource}"
            save_scenario(
                self.panel.db,
                self.panel.context.account_id,
                name=label,
                principal_arn=request.principal_arn if request else "",
                action=row.action,
                resource_arn=row.resource,
                context=context,
                expected=row.word,
            )
            saved.append(label)
        self.reload()
        self.status.setText(f"Saved {len(saved)} scenario(s).")
        return saved
