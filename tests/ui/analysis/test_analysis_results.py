"""The results table: a proper item model, word filter, numeric sort, and export of what is
shown (CSV as seen, JSON as the CLI prints it) through the Export buttons' file dialog."""

from __future__ import annotations

import csv
import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from iamdesk.analysis.refs import EntityRef
from iamdesk.analysis.unused_access import UnusedAccessFinding
from iamdesk.ui.views.analysis.questions import UNUSED
from iamdesk.ui.views.analysis.results_pane import ResultsPane


def _rows() -> list[UnusedAccessFinding]:
    rows = []
    for number, days in enumerate((200, 35, 1000, 91)):
        name = f"key-user-{number}"
        entity = EntityRef("user", f"arn:aws:iam::123456789012:user/{name}", name, "123456789012")
        rows.append(
            UnusedAccessFinding(
                "access_key", entity, f"access key of {name} unused", None, days, (f"AKIA{number}",)
            )
        )
    return rows


def _pane(qtbot) -> ResultsPane:
    pane = ResultsPane("analysisUnused", UNUSED.columns(), None)
    qtbot.addWidget(pane)
    pane.set_rows(_rows())
    return pane


def test_results_model_and_proxy_pass_the_model_tester(qtmodeltester, qtbot):
    pane = _pane(qtbot)
    qtmodeltester.check(pane.model)
    qtmodeltester.check(pane.proxy)
    pane.proxy.set_filter("user-1")
    qtmodeltester.check(pane.proxy)


def test_filter_needs_every_word_and_days_sort_as_numbers(qtbot):
    pane = _pane(qtbot)
    column = [c.title for c in pane.model.columns].index("Days unused")
    pane.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    assert [r.days_unused for r in pane.shown_rows()] == [1000, 200, 91, 35]
    qtbot.keyClicks(pane.filter, "access USER-2")
    assert [r.entity.name for r in pane.shown_rows()] == ["key-user-2"]
    assert pane.count.text() == "1 of 4"
    pane.filter.clear()
    assert pane.count.text() == "4 rows"


def _export_through_dialog(pane, button, path) -> None:
    button.click()
    dialog = next(
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QFileDialog) and w.objectName() == "analysisExportDialog" and w.isVisible()
    )
    dialog.selectFile(str(path))
    dialog.accept()


def test_export_writes_the_shown_rows_as_csv_and_json(qtbot, tmp_path):
    pane = _pane(qtbot)
    qtbot.keyClicks(pane.filter, "user-0")
    csv_path, json_path = tmp_path / "unused.csv", tmp_path / "unused.json"
    _export_through_dialog(pane, pane.csv_button, csv_path)
    _export_through_dialog(pane, pane.json_button, json_path)
    with csv_path.open(encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert table[0] == [c.title for c in pane.model.columns]
    assert len(table) == 2
    assert table[1][1] == "key-user-0" and "200" in table[1] and "never" in table[1]
    assert json.loads(json_path.read_text(encoding="utf-8")) == [_rows()[0].to_json()]
