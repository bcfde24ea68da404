"""The view that holds the analysis tabs, and opens what their results point at: an entity in
its view (switching account when needed), a statement in the policy editor."""

from __future__ import annotations

import logging
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from iamdesk.ui.context import AppContext
from iamdesk.ui.shortcuts import local_shortcut
from iamdesk.ui.views.analysis.external_tab import ExternalTab
from iamdesk.ui.views.analysis.generation_tab import GenerationTab
from iamdesk.ui.views.analysis.graph.tab import GraphTab
from iamdesk.ui.views.analysis.inputs import ChoiceSource
from iamdesk.ui.views.analysis.links import entity_location, open_statement
from iamdesk.ui.views.analysis.question_tab import QuestionTab
from iamdesk.ui.views.analysis.questions import BEST, PRIVESC, UNUSED, VALIDATE, WHAT_CAN, WHO_CAN
from iamdesk.ui.views.reloading import ReloadWhenShown
from iamdesk.ui.workers import TaskRunner

log = logging.getLogger(__name__)


class AnalysisView(ReloadWhenShown, QWidget):
    navigateRequested = Signal(str, str)  # view name, entity key
    choicesLoaded = Signal()  # the principal and resource completions are filled

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("analysisView")
        self.context = context
        self._dirty = True
        self.choices = ChoiceSource()
        self.runner = TaskRunner(self)
        self._choices_generation = 0
        self.edit_dialog: Any = None
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("analysisTabs")
        self.tabs.setDocumentMode(True)
        self.question_tabs: dict[str, QuestionTab] = {}
        for question in (WHO_CAN, WHAT_CAN):
            self._add(QuestionTab(question, context, self.choices, self))
        self._add(ExternalTab(context, self.choices, self))
        self._add(QuestionTab(UNUSED, context, self.choices, self))
        self._add(GenerationTab(context, self.choices, self))
        for question in (PRIVESC, BEST, VALIDATE):
            self._add(QuestionTab(question, context, self.choices, self))
        self.graph = GraphTab(context, self)
        self.graph.openEntity.connect(self.open_entity)
        self.tabs.addTab(self.graph, "Graph")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        local_shortcut(
            self,
            ("Ctrl+Return", "Ctrl+Enter"),
            self.run_current,
            Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        context.modelChanged.connect(self._model_changed)
        context.accountChanged.connect(self._model_changed)
        context.databaseChanged.connect(self._model_changed)

    def _add(self, tab: QuestionTab) -> None:
        tab.openEntity.connect(self.open_entity)
        tab.openStatement.connect(self.open_statement)
        self.question_tabs[tab.question.key] = tab
        self.tabs.addTab(tab, tab.question.title)

    def tab(self, key: str) -> QuestionTab:
        return self.question_tabs[key]

    def show_tab(self, key: str) -> QWidget:
        widget = self.graph if key == "Graph" else self.question_tabs[key]
        self.tabs.setCurrentWidget(widget)
        return widget

    # Model ----------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the principals and resources the inputs complete, off the GUI thread (an
        account of 10,000 users takes a moment)."""
        self._dirty = False
        db = self.context.database
        if db is None:
            return
        self._choices_generation += 1
        generation = self._choices_generation
        self.runner.start(
            lambda _control: ChoiceSource.read(db),
            name="analysis choices",
            on_done=lambda read: self._choices_read(generation, read),
        )

    def _choices_read(self, generation: int, read: Any) -> None:
        if not shiboken6.isValid(self):
            return  # the window closed while the read ran: its widgets are gone
        if generation != self._choices_generation:
            return  # a newer read is on its way
        self.choices.set(read)
        for tab in self.question_tabs.values():
            tab.reload_choices()
        self.choicesLoaded.emit()

    def _model_changed(self, kinds: object = None) -> None:
        if isinstance(kinds, set) and not kinds:
            return  # an edit outside IAM (archiving a finding)
        for tab in self.question_tabs.values():
            tab.mark_stale()
        self.graph.mark_dirty()
        self.mark_dirty()

    # Keyboard -------------------------------------------------------------------------------
    def run_current(self) -> None:
        widget = self.tabs.currentWidget()
        if isinstance(widget, QuestionTab):
            widget.run()
        elif widget is self.graph:
            self.graph.load()

    def focus_filter(self) -> None:
        widget = self.tabs.currentWidget()
        if isinstance(widget, QuestionTab):
            widget.pane.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif widget is self.graph:
            self.graph.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # Opening --------------------------------------------------------------------------------
    def open_entity(self, ref: Any) -> None:
        from iamdesk.ui import messages

        where = entity_location(ref)
        if where is None:
            messages.info(f"{ref.name} is outside the model ({ref.arn})")
            return
        account = ref.account_id
        if account and account != self.context.account_id and self.context.database is not None:
            from iamdesk.services.queries.accounts import account_exists

            if account_exists(self.context.database, account):
                self.context.set_account(account)
        self.navigateRequested.emit(*where)

    def open_statement(self, ref: Any) -> Any:
        self.edit_dialog = open_statement(self, self.context, ref)
        return self.edit_dialog
