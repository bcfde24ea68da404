"""The access graph drawn: a ``QGraphicsView`` over a scene of node boxes and curved edges,
zoomed with the wheel or Ctrl+= / Ctrl+- (Ctrl+0 fits), panned by dragging, with search that
highlights and centres, and export of the whole picture as PNG or SVG.

Nodes paint themselves (no child items: 500 boxes with labels are 500 items, not 1,500), skip
their label when zoomed out too far to read it, and a selected node lights up its edges and
neighbours so one principal's access stands out in a crowded picture.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from iamdesk.analysis.graph import AccessGraph, Node
from iamdesk.ui import theme
from iamdesk.ui.shortcuts import local_shortcut
from iamdesk.ui.views.analysis.graph.layout import NODE_H, NODE_W, Layout

log = logging.getLogger(__name__)

# kind -> (light fill, dark fill): one hue per band so the eye finds users, groups, roles.
KIND_FILLS = {
    "user": ("#dbe8fd", "#20385e"),
    "group": ("#e3f3e6", "#1f4229"),
    "role": ("#fdebd3", "#4d3616"),
    "policy": ("#eeeeee", "#3a3b3e"),
    "inline": ("#f6f1e4", "#3f3a2c"),
    "account": ("#e8e0f7", "#372b52"),
    "external": ("#fbdcdc", "#5a2424"),
    "service": ("#d9f2f2", "#1d4545"),
}
KIND_TAGS = {
    "user": "U",
    "group": "G",
    "role": "R",
    "policy": "P",
    "inline": "I",
    "account": "A",
    "external": "X",
    "service": "S",
}
EDGE_STYLES = {  # kind -> (light, dark, width, dashed)
    "member": ("#5b7fb8", "#7fa4dc", 1.0, False),
    "attached": ("#8a8f96", "#8f959c", 0.9, False),
    "inline": ("#b39b5b", "#b39b5b", 0.9, True),
    "boundary": ("#c78a1c", "#e0a83a", 1.0, True),
    "trust": ("#2e8b57", "#6fcf97", 1.2, False),
    "escalation": ("#d93025", "#f28b82", 1.6, True),
}
LABEL_MIN_SCALE = 0.4  # below this zoom a label is unreadable: boxes only
ZOOM_STEP = 1.25
MAX_EXPORT_SIDE = 12_000  # pixels: a PNG bigger than this is scaled down


class NodeItem(QGraphicsItem):
    def __init__(self, node: Node, font: QFont, dark: bool) -> None:
        super().__init__()
        self.node = node
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(5)  # above every edge, lit or not: labels stay readable
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"{node.kind}: {node.ref.arn}")
        self.font = font
        light, deep = KIND_FILLS.get(node.kind, KIND_FILLS["external"])
        self.fill = QColor(deep if dark else light)
        self.text_color = theme.color("strong_fg")
        self.found = False  # a search match
        self.lit = False  # a neighbour of the selected node
        metrics = QFontMetricsF(font)
        self.text = metrics.elidedText(node.label, Qt.TextElideMode.ElideMiddle, NODE_W - 30)
        self.edges: list[EdgeItem] = []

    def boundingRect(self) -> QRectF:
        return QRectF(-2, -2, NODE_W + 4, NODE_H + 4)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, _widget: Any = None
    ) -> None:
        rect = QRectF(0, 0, NODE_W, NODE_H)
        if self.isSelected():
            pen = QPen(QColor("#1a73e8"), 2.5)
        elif self.found:
            pen = QPen(QColor("#f9ab00"), 2.5)
        elif self.lit:
            pen = QPen(QColor("#1a73e8"), 1.5)
        else:
            pen = QPen(self.fill.darker(140), 1.0)
        painter.setPen(pen)
        painter.setBrush(QBrush(self.fill))
        painter.drawRoundedRect(rect, 5, 5)
        scale = option.levelOfDetailFromTransform(painter.worldTransform())
        if scale < LABEL_MIN_SCALE:
            return
        painter.setFont(self.font)
        painter.setPen(
            self.fill.darker(220) if self.fill.lightnessF() > 0.5 else self.fill.lighter(260)
        )
        painter.drawText(
            QRectF(6, 0, 16, NODE_H),
            Qt.AlignmentFlag.AlignVCenter,
            KIND_TAGS.get(self.node.kind, "?"),
        )
        painter.setPen(self.text_color)
        painter.drawText(
            QRectF(24, 0, NODE_W - 28, NODE_H),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            self.text,
        )

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            for edge in self.edges:
                edge.set_lit(bool(value))
        return super().itemChange(change, value)


class EdgeItem(QGraphicsPathItem):
    def __init__(self, kind: str, label: str, start: QPointF, end: QPointF, dark: bool) -> None:
        super().__init__()
        self.kind = kind
        light, deep, width, dashed = EDGE_STYLES.get(kind, EDGE_STYLES["attached"])
        self.base = QPen(QColor(deep if dark else light), width)
        if dashed:
            self.base.setStyle(Qt.PenStyle.DashLine)
        self.base.setCosmetic(kind == "escalation")
        self.setPen(self.base)
        path = QPainterPath(start)
        if abs(end.x() - start.x()) < 1.0:
            # Both ends on the same column's right side: an arc out to the right and back.
            reach = 40.0 + abs(end.y() - start.y()) * 0.25
            path.cubicTo(
                QPointF(start.x() + reach, start.y()), QPointF(end.x() + reach, end.y()), end
            )
        else:
            bend = max(abs(end.x() - start.x()) / 2, 60.0)
            forward = end.x() >= start.x()
            path.cubicTo(
                QPointF(start.x() + (bend if forward else -bend), start.y()),
                QPointF(end.x() - (bend if forward else -bend), end.y()),
                end,
            )
        self.setPath(path)
        self.setZValue(2 if kind == "escalation" else -1)
        if label:
            self.setToolTip(f"{kind}: {label}")
        else:
            self.setToolTip(kind)

    def set_lit(self, lit: bool) -> None:
        pen = QPen(self.base)
        if lit:
            pen.setWidthF(self.base.widthF() * 2.2)
            pen.setColor(QColor("#1a73e8") if self.kind != "escalation" else self.base.color())
        self.setPen(pen)
        self.setZValue(3 if lit else (2 if self.kind == "escalation" else -1))


class GraphView(QGraphicsView):
    nodeActivated = Signal(object)  # the Node double-clicked (or Enter on the selection)
    nodeSelected = Signal(object)  # the Node selected, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("analysisGraphView")
        self.graph_scene = QGraphicsScene(self)
        self.setScene(self.graph_scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.items_by_id: dict[str, NodeItem] = {}
        self.edge_items: list[EdgeItem] = []
        self.graph: AccessGraph | None = None
        self.layout_: Layout | None = None
        self._found: list[NodeItem] = []
        self._found_at = -1
        self.graph_scene.selectionChanged.connect(self._selection_changed)
        for keys, slot in (
            (("Ctrl+=", "Ctrl++", "+"), self.zoom_in),
            (("Ctrl+-", "-"), self.zoom_out),
            (("Ctrl+0",), self.fit),
            (("Return", "Enter"), self.activate_selected),
        ):
            local_shortcut(self, keys, slot)

    # Content --------------------------------------------------------------------------------
    def show_graph(self, graph: AccessGraph, layout: Layout) -> None:
        """Replace the picture (items are built here, on the GUI thread)."""
        self.graph, self.layout_ = graph, layout
        self._found, self._found_at = [], -1
        scene = self.graph_scene
        scene.blockSignals(True)
        scene.clear()
        scene.blockSignals(False)
        self.items_by_id = {}
        self.edge_items = []
        dark = theme.is_dark(self.palette())
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() * 0.9, 7.0))
        for key, node in graph.nodes.items():
            x, y = layout.positions[key]
            item = NodeItem(node, font, dark)
            item.setPos(x, y)
            scene.addItem(item)
            self.items_by_id[key] = item
        for edge in graph.edges:
            source, target = self.items_by_id.get(edge.source), self.items_by_id.get(edge.target)
            if source is None or target is None:
                continue
            forward = target.x() >= source.x() + NODE_W
            start = source.pos() + QPointF(NODE_W if forward else 0, NODE_H / 2)
            end = target.pos() + QPointF(0 if forward else NODE_W, NODE_H / 2)
            if edge.kind == "escalation" and abs(target.x() - source.x()) < NODE_W:
                start = source.pos() + QPointF(NODE_W, NODE_H / 2)
                end = target.pos() + QPointF(NODE_W, NODE_H / 2)
            line = EdgeItem(edge.kind, edge.label, start, end, dark)
            scene.addItem(line)
            source.edges.append(line)
            target.edges.append(line)
            self.edge_items.append(line)
        bold = QFont(font)
        bold.setBold(True)
        bold.setPointSizeF(font.pointSizeF() * 1.3)
        for title, left, right in layout.bands:
            heading = QGraphicsSimpleTextItem(title)
            heading.setFont(bold)
            heading.setBrush(theme.color("muted_fg"))
            heading.setPos(left + (right - left - heading.boundingRect().width()) / 2, -44)
            scene.addItem(heading)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-40, -40, 40, 40))
        self.fit()

    def node_item(self, node_id: str) -> NodeItem | None:
        return self.items_by_id.get(node_id)

    # Zoom and pan ---------------------------------------------------------------------------
    def scale_factor(self) -> float:
        return float(self.transform().m11())

    def zoom_by(self, factor: float) -> None:
        current = self.scale_factor()
        target = min(max(current * factor, 0.02), 6.0)
        self.scale(target / current, target / current)

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def fit(self) -> None:
        rect = self.graph_scene.sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        # A fitted picture of a small graph need not be magnified beyond natural size.
        if self.scale_factor() > 1.0:
            self.zoom_by(1.0 / self.scale_factor())
            self.centerOn(rect.center())

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP**steps)
            event.accept()
        else:
            super().wheelEvent(event)

    # Selection, search, opening -------------------------------------------------------------
    def _selection_changed(self) -> None:
        selected = [i for i in self.graph_scene.selectedItems() if isinstance(i, NodeItem)]
        lit = set()
        if selected and self.graph is not None:
            lit = self.graph.neighbours(selected[0].node.id)
        for key, item in self.items_by_id.items():
            if item.lit != (key in lit):
                item.lit = key in lit
                item.update()
        self.nodeSelected.emit(selected[0].node if selected else None)

    def select_node(self, node_id: str, *, center: bool = True) -> bool:
        item = self.items_by_id.get(node_id)
        if item is None:
            return False
        self.graph_scene.clearSelection()
        item.setSelected(True)
        if center:
            if self.scale_factor() < 0.8:
                self.zoom_by(1.0 / self.scale_factor())
            self.centerOn(item)
        return True

    def selected_node(self) -> Node | None:
        selected = [i for i in self.graph_scene.selectedItems() if isinstance(i, NodeItem)]
        return selected[0].node if selected else None

    def search(self, text: str) -> list[Node]:
        """Highlight every node whose label or ARN contains ``text``; select and centre the
        first (calling again with the same text moves to the next)."""
        needle = text.strip().lower()
        matches = (
            [
                item
                for item in self.items_by_id.values()
                if needle in item.node.label.lower() or needle in item.node.ref.arn.lower()
            ]
            if needle
            else []
        )
        same = [i.node.id for i in matches] == [i.node.id for i in self._found]
        for item in self._found:
            item.found = False
            item.update()
        self._found = sorted(matches, key=lambda i: (i.node.label.lower(), i.node.id))
        for item in self._found:
            item.found = True
            item.update()
        if not self._found:
            self._found_at = -1
            return []
        self._found_at = (self._found_at + 1) % len(self._found) if same else 0
        self.select_node(self._found[self._found_at].node.id)
        return [i.node for i in self._found]

    def search_position(self) -> tuple[int, int]:
        return (self._found_at + 1 if self._found else 0, len(self._found))

    def activate_selected(self) -> None:
        node = self.selected_node()
        if node is not None:
            self.nodeActivated.emit(node)

    def mouseDoubleClickEvent(self, event: Any) -> None:
        item = self.itemAt(event.position().toPoint())
        if isinstance(item, NodeItem):
            self.nodeActivated.emit(item.node)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    # Export ---------------------------------------------------------------------------------
    def export_png(self, path: Path) -> QSize:
        rect = self.graph_scene.sceneRect()
        scale = min(2.0, MAX_EXPORT_SIDE / max(rect.width(), rect.height(), 1.0))
        size = QSize(max(int(rect.width() * scale), 1), max(int(rect.height() * scale), 1))
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(self.palette().base().color())
        painter = QPainter(image)
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        self.graph_scene.render(painter, QRectF(image.rect()), rect)
        painter.end()
        if not image.save(str(path), "PNG"):
            raise OSError(f"cannot write {path}")
        return size

    def export_svg(self, path: Path) -> None:
        from PySide6.QtSvg import QSvgGenerator

        rect = self.graph_scene.sceneRect()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(QSize(int(rect.width()), int(rect.height())))
        generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
        generator.setTitle("iamdesk access graph")
        painter = QPainter()
        if not painter.begin(generator):
            raise OSError(f"cannot write {path}")
        painter.fillRect(QRectF(0, 0, rect.width(), rect.height()), self.palette().base())
        self.graph_scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
        painter.end()
        if not path.is_file():
            raise OSError(f"cannot write {path}")
