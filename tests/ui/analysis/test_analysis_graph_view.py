"""The Graph tab on the hand-made account: what it draws, search that highlights and centres,
zoom, filters, export to PNG and SVG, and double-click opening the entity."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QFileDialog

from iamdesk.ui.views.analysis.graph.layout import NODE_H, NODE_W
from tests.ui.analysis.analysis_model import ACCOUNT


def _graph_tab(analysis, qtbot):
    tab = analysis.show_tab("Graph")
    qtbot.waitUntil(lambda: tab.shown_graph is not None, timeout=10_000)
    return tab


def _labels(tab) -> dict[str, str]:
    return {n.label: n.kind for n in tab.shown_graph.nodes.values()}


def test_graph_shows_membership_policies_and_trust(analysis, qtbot):
    tab = _graph_tab(analysis, qtbot)
    labels = _labels(tab)
    assert labels["alice"] == "user" and labels["Readers"] == "group"
    assert labels["Auditor"] == "role" and labels["ReadReports"] == "policy"
    assert labels["SecurityAudit"] == "policy" and labels["BobExtra (inline)"] == "inline"
    assert labels["lambda"] == "service"
    assert labels["account 999988887777 (external)"] == "external"
    edges = {
        (e.source.rsplit("/", 1)[-1], e.target.rsplit("/", 1)[-1], e.kind)
        for e in tab.shown_graph.edges
    }
    assert ("alice", "Readers", "member") in edges
    assert ("Readers", "ReadReports", "attached") in edges
    assert ("service:lambda.amazonaws.com", "Auditor", "trust") in edges
    assert ("account:999988887777", "Auditor", "trust") in edges
    # Every node is drawn, none on top of another.
    items = tab.view.items_by_id
    assert set(items) == set(tab.shown_graph.nodes)
    boxes = [item.sceneBoundingRect().adjusted(2, 2, -2, -2) for item in items.values()]
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_kind_filter_hides_policies(analysis, qtbot):
    tab = _graph_tab(analysis, qtbot)
    tab.kinds["Policies"].click()
    assert "policy" not in _labels(tab).values() and "inline" not in _labels(tab).values()
    assert "alice" in _labels(tab)
    tab.kinds["Policies"].click()
    assert "ReadReports" in _labels(tab)


def test_search_highlights_selects_and_centres(analysis, qtbot):
    tab = _graph_tab(analysis, qtbot)
    tab.view.zoom_by(3.0)
    tab.search_field.setFocus()
    qtbot.keyClicks(tab.search_field, "audit")
    qtbot.keyClick(tab.search_field, Qt.Key.Key_Return)
    found = [i.node.label for i in tab.view.items_by_id.values() if i.found]
    assert sorted(found) == ["Auditor", "SecurityAudit"]
    assert tab.search_count.text() == "1 of 2"
    first = tab.view.selected_node()
    assert first.label == "Auditor"
    centre = tab.view.mapToScene(tab.view.viewport().rect().center())
    item = tab.view.items_by_id[first.id]
    assert item.sceneBoundingRect().adjusted(-NODE_W, -NODE_H, NODE_W, NODE_H).contains(centre)
    assert "Auditor" in tab.info.text()
    qtbot.keyClick(tab.search_field, Qt.Key.Key_Return)
    assert tab.view.selected_node().label == "SecurityAudit"
    assert tab.search_count.text() == "2 of 2"


def test_zoom_by_buttons_keys_and_fit(analysis, qtbot):
    tab = _graph_tab(analysis, qtbot)
    start = tab.view.scale_factor()
    tab.findChild(object, "analysisGraphZoomIn").click()
    assert tab.view.scale_factor() > start
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(tab.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert tab.view.scale_factor() < start
    qtbot.keyClick(tab.view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert abs(tab.view.scale_factor() - start) < 1e-6


def _save_through_dialog(button, path) -> None:
    button.click()
    dialog = next(
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QFileDialog) and w.objectName() == "analysisExportDialog" and w.isVisible()
    )
    dialog.selectFile(str(path))
    dialog.accept()


def test_export_png_and_svg(analysis, qtbot, tmp_path):
    tab = _graph_tab(analysis, qtbot)
    png, svg = tmp_path / "graph.png", tmp_path / "graph.svg"
    _save_through_dialog(tab.png_button, png)
    _save_through_dialog(tab.svg_button, svg)
    image = QImage(str(png))
    assert not image.isNull()
    rect = tab.view.graph_scene.sceneRect()
    assert image.width() >= rect.width() and image.height() >= rect.height()
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "Auditor" in text and "Readers" in text


def test_double_click_on_a_node_opens_the_entity(analysis, analysis_window, qtbot):
    tab = _graph_tab(analysis, qtbot)
    item = tab.view.items_by_id[f"arn:aws:iam::{ACCOUNT}:group/Readers"]
    tab.view.centerOn(item)
    point = tab.view.mapFromScene(item.sceneBoundingRect().center() + QPointF(0, 0))
    qtbot.mouseDClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert analysis_window.current_view_name() == "groups"
    assert analysis_window.views["groups"].selected_row()["GroupName"] == "Readers"


def test_demo_graph_shows_service_trust_and_the_other_accounts(demo_analysis, qtbot):
    tab = _graph_tab(demo_analysis, qtbot)
    edges = {(e.source, e.target.rsplit("/", 1)[-1], e.kind) for e in tab.shown_graph.edges}
    assert ("service:ec2.amazonaws.com", "WebServerRole", "trust") in edges
    accounts = [tab.account.itemData(i) for i in range(tab.account.count())]
    assert accounts[0] == "*" and "111122223333" in accounts and len(accounts) >= 4
    assert tab.account.currentData() == "111122223333"
    shown = len(tab.shown_graph.nodes)
    tab.account.setCurrentIndex(0)  # all accounts
    assert len(tab.shown_graph.nodes) > shown
