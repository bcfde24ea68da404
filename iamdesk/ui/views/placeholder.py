"""Shown in place of a view whose module is not available in this build."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PlaceholderView(QWidget):
    def __init__(self, label: str, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("placeholderView")
        layout = QVBoxLayout(self)
        text = QLabel(f"<h3>{label}</h3><p>This part of iamdesk is not available yet.</p>")
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setToolTip(reason)
        layout.addWidget(text)
