"""Completion for one-item-per-line text boxes (the actions and resources of a request)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QStringListModel, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QCompleter, QPlainTextEdit

from iamdesk.core import catalog
from iamdesk.ui.editor.json_text import code_points

log = logging.getLogger(__name__)

Source = Callable[[str], list[str]]


@functools.lru_cache(maxsize=1)
def _prefixes() -> tuple[str, ...]:
    return tuple(f"{p}:" for p in catalog.services())


def action_candidates(prefix: str) -> list[str]:
    """Service prefixes until a colon is typed, then that service's actions."""
    service, sep, _ = prefix.partition(":")
    if not sep:
        return [p for p in _prefixes() if p.startswith(prefix.lower())]
    needle = prefix.lower()
    return [a.full_name for a in catalog.actions(service) if a.full_name.lower().startswith(needle)]


class LineCompleter(QObject):
    """Pops up candidates for the text before the cursor on its line; Enter/Tab replaces it."""

    def __init__(self, edit: QPlainTextEdit, source: Source) -> None:
        super().__init__(edit)
        self.edit = edit
        self.source = source
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setWidget(edit)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.activated.connect(self._insert)
        self._typing = False
        edit.textChanged.connect(self._changed)

    def _line_prefix(self) -> str:
        cursor = self.edit.textCursor()
        line = cursor.block().text()
        return line[: code_points(line, cursor.positionInBlock())].strip()

    def _changed(self) -> None:
        if self._typing or not self.edit.hasFocus():
            return
        self.update()

    def update(self) -> list[str]:
        prefix = self._line_prefix()
        found = self.source(prefix) if prefix else []
        if not found or found == [prefix]:
            self.completer.popup().hide()
            return []
        self.model.setStringList(found[:500])
        rect = self.edit.cursorRect()
        rect.setWidth(360)
        self.completer.complete(rect)
        self.completer.popup().setCurrentIndex(self.completer.completionModel().index(0, 0))
        return found

    def _insert(self, text: str) -> None:
        cursor = self.edit.textCursor()
        self._typing = True
        cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text)
        self.edit.setTextCursor(cursor)
        self._typing = False
