"""Issue 10 item 9: test access fits the window the user chose. At 1000x650 the window keeps
its size through runs, the explanation is readable, the context buttons sit below the table's
rows, the principal list is wide enough for its entries, and Run all names each scenario."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from iamdesk.ui.test_access.context_table import ContextRow
from iamdesk.ui.test_access.results_model import SCENARIO_COLUMN


def _window(qtbot, demo_context, tmp_path, width=1000, height=650):
    from iamdesk.ui.main_window import MainWindow
    from iamdesk.ui.settings import Settings

    window = MainWindow(demo_context, Settings(tmp_path / "settings.ini"))
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    return window, window.show_view("test-access")


def test_at_1000x650_the_window_keeps_its_size_and_the_explanation_is_readable(
    qtbot, demo_context, tmp_path
):
    window, panel = _window(qtbot, demo_context, tmp_path)
    bob = f"arn:aws:iam::{demo_context.account_id}:user/bob"
    panel.set_request(bob, ["ec2:RunInstances", "s3:GetObject", "iam:CreateUser"], [])
    panel.context_table.apply_preset("Requested region")
    panel.run()
    panel.scenarios.run_all()  # a long summary and long rows
    qtbot.wait(50)
    assert (window.width(), window.height()) == (1000, 650)
    assert window.minimumSizeHint().width() <= 1000
    panel.results.selectRow(0)
    explanation = panel.details.explanation
    assert explanation.isVisible() and explanation.width() >= 300, explanation.width()


def test_context_buttons_never_cover_the_rows(qtbot, demo_context, tmp_path):
    _, panel = _window(qtbot, demo_context, tmp_path)
    table = panel.context_table
    for key in ("aws:MultiFactorAuthPresent", "aws:RequestedRegion", "aws:SourceIp"):
        table.model.add(ContextRow(key, "string", "x"))
    view = table.view
    add = table.findChild(type(table.presets_button), "testAccessContextAdd")
    # Once laid out, the buttons sit under the table, which shows at least two rows.
    qtbot.waitUntil(lambda: add.geometry().top() >= view.geometry().bottom(), timeout=3000)
    second_row = view.viewport().mapTo(table, QPoint(0, view.rowViewportPosition(1)))
    assert second_row.y() + view.rowHeight(1) <= view.geometry().bottom()


def test_the_principal_list_is_as_wide_as_its_entries(qtbot, demo_context, tmp_path):
    _, panel = _window(qtbot, demo_context, tmp_path)
    combo = panel.principal
    metrics = combo.view().fontMetrics()
    longest = max(metrics.horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
    assert combo.view().minimumWidth() >= longest
    combo.setCurrentIndex(0)
    assert combo.itemData(0) in combo.toolTip()  # the full entry and ARN on hover


def test_run_all_shows_a_scenario_column(qtbot, demo_context, tmp_path):
    _, panel = _window(qtbot, demo_context, tmp_path)
    assert panel.results.isColumnHidden(SCENARIO_COLUMN)
    rows = panel.scenarios.run_all()
    assert not panel.results.isColumnHidden(SCENARIO_COLUMN)
    names = [panel.proxy.index(r, SCENARIO_COLUMN).data() for r in range(len(rows))]
    assert names[0] == panel.scenarios.scenarios[0]["Name"]
    assert panel.results.horizontalHeader().visualIndex(SCENARIO_COLUMN) == 1
    # A plain run has no scenario: the column goes away again.
    panel.set_request(f"arn:aws:iam::{demo_context.account_id}:user/bob", ["s3:GetObject"], [])
    panel.run()
    assert panel.results.isColumnHidden(SCENARIO_COLUMN)
