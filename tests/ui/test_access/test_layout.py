"""Issue 10 item 9: test access fits the window the user chose. At 1000x650 the window keeps
its size through runs, the explanation is readable, the context buttons sit below the table's
rows, the principal list is wide enough for its entries, and Run all names each scenario."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect

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


def _in_window(widget) -> QRect:
    return QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())


def _side_by_side(left, right) -> bool:
    """``left`` ends before ``right`` starts, on the same line."""
    a, b = _in_window(left), _in_window(right)
    return a.right() < b.left() and a.top() < b.bottom() and b.top() < a.bottom()


def test_the_summary_stays_readable_at_the_smallest_window(qtbot, demo_context, tmp_path):
    """At the window's minimum the results pane is narrow: the summary, squeezed beside the
    filter field, used to get no width at all and showed nothing; it takes a line of its own
    there, all of it shown, and shares the filter's line again when there is room."""
    window, panel = _window(qtbot, demo_context, tmp_path)
    panel.set_request(f"arn:aws:iam::{demo_context.account_id}:user/bob", ["s3:GetObject"], [])
    panel.run()
    summary = panel.summary
    assert summary.text().startswith("1 result(s): ")
    wide_top = summary.geometry().top()
    assert _side_by_side(summary, panel.result_find)

    window.resize(window.minimumSizeHint())
    qtbot.waitUntil(lambda: window.size() == window.minimumSizeHint(), timeout=3000)
    qtbot.wait(50)
    metrics = summary.fontMetrics()
    assert summary.isVisible()
    assert summary.width() >= metrics.horizontalAdvance("1 result(s): 0 allowed,"), summary.width()
    assert summary.height() >= summary.heightForWidth(summary.width())  # no line cut off
    # Its own line, above the filter field, which keeps its place and its room.
    assert _in_window(summary).bottom() < _in_window(panel.result_find).top()
    assert panel.result_find.width() >= panel.result_find.minimumWidth()

    window.resize(1000, 650)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1000, 650), timeout=3000)
    qtbot.wait(50)
    # Back beside the filter field at 1000x650, as before.
    assert _side_by_side(summary, panel.result_find)
    assert summary.geometry().top() == wide_top
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1920, 1080), timeout=3000)
    assert _side_by_side(summary, panel.result_find)
