"""A policy document shown in the policy editor when it is available, else in a plain text box.

The editor belongs to another part of the app; importing it lazily keeps this view working (and
the window starting fast) either way.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QStackedLayout, QWidget

from iamdesk.core import jsontext
from iamdesk.ui import theme

log = logging.getLogger(__name__)


def document_text(value: Any) -> str:
    """A stored document (text or decoded JSON) as indented text."""
    if isinstance(value, str):
        try:
            return json.dumps(jsontext.loads(value), indent=4)
        except json.JSONDecodeError:
            return value
    return json.dumps(value, indent=4)


class DocumentView(QWidget):
    def __init__(
        self, parent: QWidget | None = None, *, read_only: bool = True, kind: str = "identity"
    ) -> None:
        super().__init__(parent)
        self._read_only = read_only
        layout = QStackedLayout(self)
        self.empty = QLabel("Select a policy to see its document.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet(f"color: {theme.color_name('muted_fg')};")
        layout.addWidget(self.empty)
        self._layout = layout
        self.editor: Any = None
        self.plain: QPlainTextEdit | None = None
        try:
            from iamdesk.core.policy.document import PolicyKind
            from iamdesk.ui.editor import PolicyEditor

            self.editor = PolicyEditor(self, kind=PolicyKind(kind), read_only=read_only)
            layout.addWidget(self.editor)
        except ImportError as exc:
            log.info("policy editor not available (%s); showing plain text", exc)
            self.plain = QPlainTextEdit(self)
            self.plain.setObjectName("policyText")
            self.plain.setReadOnly(read_only)
            self.plain.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            layout.addWidget(self.plain)
        if not read_only:
            layout.setCurrentIndex(1)

    def set_text(self, text: str) -> None:
        shown: QWidget | None = self.editor if self.editor is not None else self.plain
        assert shown is not None
        self._layout.setCurrentWidget(shown if text or not self._read_only else self.empty)
        if self.editor is not None:
            self.editor.set_text(text)
        else:
            assert self.plain is not None
            self.plain.setPlainText(text)

    def text(self) -> str:
        if self.editor is not None:
            return str(self.editor.text())
        assert self.plain is not None
        return self.plain.toPlainText()

    def has_errors(self) -> bool:
        if self.editor is not None:
            self.editor.validate_now()
            return bool(self.editor.has_errors())
        try:
            jsontext.loads(self.text())
        except json.JSONDecodeError:
            return True
        return False
