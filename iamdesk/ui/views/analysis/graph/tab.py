"""The Graph tab: filters (account, kinds of node, escalation edges), search, zoom, export, and
the picture. The graph is read off the GUI thread when the tab is first shown (and after the
model changes); filtering and laying out happen on the GUI thread, which for the few thousand
nodes a person can look at takes milliseconds."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from iamdesk.analysis.graph import AccessGraph, Node
from iamdesk.ui import theme
from iamdesk.ui.fitting import FittingLabel, OverflowBar
from iamdesk.ui.views.analysis.graph.layout import layout
from iamdesk.ui.views.analysis.graph.view import GraphView
from iamdesk.ui.workers import Task, TaskControl, TaskRunner

log = logging.getLogger(__name__)

MAX_NODES = 1_500  # beyond this a picture stops being readable (and slow to draw)
KIND_FILTERS = (  # (objectName suffix, label, node kinds)
    ("Users", "Users", ("user",)),
    ("Groups", "Groups", ("group",)),
    ("Roles", "Roles", ("role",)),
    ("Policies", "Policies", ("policy", "inline")),
    ("Outside", "Outside", ("external", "service", "account")),
)
ALL_ACCOUNTS = "*"


class GraphTab(QWidget):
    openEntity = Signal(object)  # EntityRef
    shown = Signal()  # a graph was drawn

    def __init__(self, context: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("analysisGraphTab")
        self.context = context
        self.runner = TaskRunner(self)
        self.task: Task | None = None
        self.full: AccessGraph | None = None
        self.shown_graph: AccessGraph | None = None
        self.dirty = True
        self.last_paint_ms = 0.0
        self.export_dialog: QFileDialog | None = None

        self.account = QComboBox(self)
        self.account.setObjectName("analysisGraphAccount")
        self.account.setToolTip("Show one account (outside principals that reach it stay)")
        self.account.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.account.currentIndexChanged.connect(lambda _i: self.redraw())
        self.kinds: dict[str, QCheckBox] = {}
        # The filters fold into ">>" when the window is narrow rather than widen it.
        bar = OverflowBar(self)
        bar.setObjectName("analysisGraphFilters")
        label = QLabel("Account:", self)
        label.setBuddy(self.account)
        bar.addWidget(label)
        bar.addWidget(self.account)
        for suffix, text, _kinds in KIND_FILTERS:
            box = QCheckBox(text, self)
            box.setObjectName(f"analysisGraphKind{suffix}")
            box.setChecked(True)
            box.toggled.connect(lambda _on: self.redraw())
            self.kinds[suffix] = box
            bar.addWidget(box)
        self.escalation = QCheckBox("Escalation edges", self)
        self.escalation.setObjectName("analysisGraphEscalation")
        self.escalation.setChecked(True)
        self.escalation.setToolTip("Privilege-escalation edges found by the analysis (red)")
        self.escalation.toggled.connect(lambda _on: self.redraw())
        bar.addWidget(self.escalation)
        filters = QHBoxLayout()
        filters.addWidget(bar)
        filters.addStretch(1)
        self.reload_button = QPushButton("Reload", self)
        self.reload_button.setObjectName("analysisGraphReload")
        self.reload_button.clicked.connect(self.load)
        filters.addWidget(self.reload_button)

        self.search_field = QLineEdit(self)
        self.search_field.setObjectName("analysisGraphSearch")
        self.search_field.setPlaceholderText("Find a node by name or ARN (Enter: next match)")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.returnPressed.connect(self.search)
        self.search_count = QLabel(self)
        self.search_count.setObjectName("analysisGraphSearchCount")
        tools = QHBoxLayout()
        tools.addWidget(self.search_field, 1)
        tools.addWidget(self.search_count)
        self.view = GraphView(self)
        for name, text, tip, slot in (
            ("ZoomOut", "−", "Zoom out (Ctrl+-, wheel)", self.view.zoom_out),
            ("ZoomIn", "+", "Zoom in (Ctrl+=, wheel)", self.view.zoom_in),
            ("Fit", "Fit", "Show the whole graph (Ctrl+0)", self.view.fit),
        ):
            button = QToolButton(self)
            button.setObjectName(f"analysisGraph{name}")
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            tools.addWidget(button)
        self.png_button = QPushButton("Export PNG…", self)
        self.png_button.setObjectName("analysisGraphExportPng")
        self.png_button.clicked.connect(lambda: self.ask_export("png"))
        self.svg_button = QPushButton("Export SVG…", self)
        self.svg_button.setObjectName("analysisGraphExportSvg")
        self.svg_button.clicked.connect(lambda: self.ask_export("svg"))
        tools.addWidget(self.png_button)
        tools.addWidget(self.svg_button)

        self.info = FittingLabel(self)  # narrow, a shorter line (the whole one in its tooltip)
        self.info.setObjectName("analysisGraphInfo")
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("Open", self)
        self.open_button.setObjectName("analysisGraphOpen")
        self.open_button.setToolTip("Open the selected entity in its view (double-click, Enter)")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.view.activate_selected)
        self.note = QLabel(self)
        self.note.setObjectName("analysisGraphNote")
        self.note.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.info, 1)
        bottom.addWidget(self.open_button)

        self.view.nodeSelected.connect(self._selected)
        self.view.nodeActivated.connect(lambda node: self.openEntity.emit(node.ref))

        layout_ = QVBoxLayout(self)
        layout_.setContentsMargins(8, 8, 8, 4)
        layout_.addLayout(filters)
        layout_.addLayout(tools)
        layout_.addWidget(self.view, 1)
        layout_.addWidget(self.note)
        layout_.addLayout(bottom)
        self._selected(None)

    # Loading --------------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.dirty and self.task is None:
            self.load()

    def mark_dirty(self) -> None:
        self.dirty = True
        if self.isVisible() and self.task is None:
            self.load()

    def load(self) -> Task | None:
        db = self.context.database
        if db is None:
            return None
        self.dirty = False
        if self.task is not None:
            self.task.cancel()
        from iamdesk.analysis.graph import build_graph

        def work(control: TaskControl) -> AccessGraph:
            return build_graph(
                db,
                progress=lambda done, total: control.progress(done, total),
                cancel=lambda: control.cancelled,
            )

        self.note.setText("Reading the model…")
        task = self.runner.start(
            work,
            name="access graph",
            on_done=lambda graph: self._loaded(task, graph),
            on_error=lambda exc: self._failed(task, exc),
            on_cancelled=lambda: self._end(task),
        )
        self.task = task
        track = getattr(self.window(), "track_task", None)
        if track is not None:
            track(task, "Access graph")
        return task

    def _end(self, task: Task) -> bool:
        if task is not self.task:
            return False
        self.task = None
        return True

    def _failed(self, task: Task, exc: BaseException) -> None:
        if not self._end(task):
            return
        if type(exc).__name__ == "Cancelled":  # the engine's own, raised through its cancel()
            self.note.setText("Cancelled.")
            return
        raise exc  # reading the model does not fail on good input: show the crash dialog

    def _loaded(self, task: Task, graph: AccessGraph) -> None:
        if not self._end(task):
            return
        self.full = graph
        current = self.account.currentData() or self.context.account_id
        self.account.blockSignals(True)
        self.account.clear()
        self.account.addItem("All accounts", ALL_ACCOUNTS)
        from iamdesk.services.queries.accounts import list_accounts

        names = {
            a["AccountId"]: a.get("Alias") or a.get("Name") or ""
            for a in list_accounts(self.context.database)
        }
        for account_id in graph.accounts():
            name = names.get(account_id)
            self.account.addItem(f"{name} ({account_id})" if name else account_id, account_id)
        index = self.account.findData(current)
        self.account.setCurrentIndex(max(index, 0))
        self.account.blockSignals(False)
        self.redraw()

    # Drawing --------------------------------------------------------------------------------
    def visible_kinds(self) -> list[str]:
        kinds: list[str] = []
        for suffix, _text, node_kinds in KIND_FILTERS:
            if self.kinds[suffix].isChecked():
                kinds.extend(node_kinds)
        return kinds

    def redraw(self) -> None:
        if self.full is None:
            return
        started = time.perf_counter()
        account = self.account.currentData()
        edge_kinds = (
            None
            if self.escalation.isChecked()
            else ["member", "attached", "inline", "boundary", "trust"]
        )
        graph = self.full.filtered(
            accounts=None if account in (None, ALL_ACCOUNTS) else [account],
            kinds=self.visible_kinds(),
            edge_kinds=edge_kinds,
            limit=MAX_NODES,
        )
        self.shown_graph = graph
        viewport = self.view.viewport().size()
        aspect = viewport.width() / max(viewport.height(), 1) if viewport.height() > 50 else 1.7
        self.view.show_graph(graph, layout(graph, min(max(aspect, 0.8), 3.0)))
        self.last_paint_ms = (time.perf_counter() - started) * 1000
        escalations = sum(1 for e in graph.edges if e.kind == "escalation")
        notes = [
            f"{len(graph.nodes):,} nodes, {len(graph.edges):,} edges"
            + (f" ({escalations} escalation)" if escalations else ""),
            *graph.notes,
        ]
        self.note.setText(" · ".join(notes))
        self.note.setStyleSheet(f"color: {theme.color_name('muted_fg')};")
        if self.search_field.text().strip():
            self.search()
        self.shown.emit()

    def search(self) -> list[Node]:
        found = self.view.search(self.search_field.text())
        at, total = self.view.search_position()
        self.search_count.setText(f"{at} of {total}" if total else "no match")
        return found

    def _selected(self, node: Node | None) -> None:
        self.open_button.setEnabled(
            node is not None and node.ref.kind not in ("external", "service")
        )
        if node is None:
            self.info.set_variants(
                [
                    theme.muted(
                        "Click a node to light up its links; double-click or "
                        "Enter opens it. Drag to pan, wheel to zoom."
                    ),
                    theme.muted("Click a node to light up its links."),
                ]
            )
            return
        near = len(self.shown_graph.neighbours(node.id)) if self.shown_graph else 0
        self.info.set_variants(
            [
                f"<b>{node.label}</b> · {node.kind} · <code>{node.ref.arn}</code> · {near} linked",
                f"<b>{node.label}</b> · {node.kind} · {near} linked",
                f"<b>{node.label}</b>",
            ]
        )

    # Export ---------------------------------------------------------------------------------
    def ask_export(self, kind: str) -> QFileDialog:
        dialog = QFileDialog(self, f"Export the graph as {kind.upper()}")
        dialog.setObjectName("analysisExportDialog")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(f"{kind.upper()} images (*.{kind})")
        dialog.setDefaultSuffix(kind)
        dialog.selectFile(f"access-graph.{kind}")
        dialog.fileSelected.connect(lambda path: self.export(Path(path), kind))
        dialog.open()
        self.export_dialog = dialog
        return dialog

    def export(self, path: Path, kind: str) -> None:
        from iamdesk.ui import messages

        try:
            if kind == "svg":
                self.view.export_svg(path)
            else:
                self.view.export_png(path)
        except OSError as exc:
            messages.error(f"Could not write {path}: {exc}")
            return
        messages.info(f"Exported the graph to {path}")
