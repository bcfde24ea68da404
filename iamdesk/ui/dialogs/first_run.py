"""First start without a model file: open the demo organization or start an empty account."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

DEMO = 1
EMPTY = 2


class FirstRunDialog(QDialog):
    """``exec()`` returns :data:`DEMO`, :data:`EMPTY` or 0 (closed)."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunDialog")
        self.setWindowTitle("Welcome to iamdesk")
        layout = QVBoxLayout(self)
        text = QLabel(
            "<h3>Welcome to iamdesk</h3>"
            "<p>iamdesk models AWS IAM accounts offline. Start with the demo organization "
            "(several accounts with users, roles, policies and resources to explore), or with "
            "one empty account.</p>"
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        where = QLabel(f"Your model will be saved in:<br><code>{path}</code>")
        where.setObjectName("firstRunPath")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where.setWordWrap(True)
        layout.addWidget(where)
        self.demo_button = QPushButton("Open the demo organization")
        self.demo_button.setObjectName("firstRunDemoButton")
        self.demo_button.setDefault(True)
        self.demo_button.clicked.connect(lambda: self.done(DEMO))
        self.empty_button = QPushButton("Start an empty account")
        self.empty_button.setObjectName("firstRunEmptyButton")
        self.empty_button.clicked.connect(lambda: self.done(EMPTY))
        layout.addSpacing(8)
        layout.addWidget(self.demo_button)
        layout.addWidget(self.empty_button)
        self.setMinimumWidth(460)
