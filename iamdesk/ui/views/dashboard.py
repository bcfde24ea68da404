"""Dashboard: placeholder until the summary service lands."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from iamdesk.ui.context import AppContext


class DashboardView(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardView")
        QVBoxLayout(self).addWidget(QLabel("Dashboard"))
