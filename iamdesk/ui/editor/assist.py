"""Typing assistance on the code view: the completion popup and hover descriptions of actions."""

from __future__ import annotations

import html
import logging
import re

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt
from PySide6.QtGui import QHelpEvent, QKeyEvent, QTextCursor
from PySide6.QtWidgets import QCompleter, QToolTip

from iamdesk.core import catalog
from iamdesk.ui.editor.code_view import CodeView
from iamdesk.ui.editor.completion import complete
from iamdesk.ui.editor.json_text import code_points

log = logging.getLogger(__name__)

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ACTION_SHAPE = re.compile(r"^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+$")
LIST_LIMIT = 40
# Keys that ask for completion by themselves, without Ctrl+Space.
_TRIGGER_KEYS = {Qt.Key.Key_QuoteDbl, Qt.Key.Key_Colon}


def hover_text(token: str) -> str | None:
    """Rich text describing an action, a wildcard or a condition key; None for anything else."""
    key = catalog.condition_key(token) if ":" in token and "*" not in token else None
    if key is not None:
        kind = key.type + (
            " (multivalued: use ForAnyValue/ForAllValues)" if key.multivalued else ""
        )
        description = html.escape(key.description) or "no description"
        return f"<b>{html.escape(token)}</b> — condition key, {html.escape(kind)}<br>{description}"
    if not _ACTION_SHAPE.match(token):
        return None
    if "*" in token or "?" in token:
        matched = catalog.expand_action(token)
        if not matched:
            return f"<b>{html.escape(token)}</b> matches no action."
        listed = "<br>".join(html.escape(a) for a in matched[:LIST_LIMIT])
        more = f"<br>… and {len(matched) - LIST_LIMIT} more" if len(matched) > LIST_LIMIT else ""
        return f"<b>{html.escape(token)}</b> matches {len(matched)} actions:<br>{listed}{more}"
    info = catalog.action(token)
    if info is None:
        if not catalog.service_exists(token.split(":", 1)[0]):
            return f"Unknown service prefix <b>{html.escape(token.split(':', 1)[0])}</b>."
        return f"<b>{html.escape(token)}</b> is not an action of this service."
    resources = (
        ", ".join(r.name + ("*" if r.required else "") for r in info.resources) or "none (use *)"
    )
    keys = ", ".join(info.all_condition_keys()) or "none"
    return (
        f"<b>{html.escape(info.full_name)}</b> — {html.escape(info.access_level)}<br>"
        f"{html.escape(info.description)}<br>"
        f"<b>Resource types:</b> {html.escape(resources)}<br>"
        f"<b>Condition keys:</b> {html.escape(keys)}"
    )


def token_at(line: str, column: int) -> str | None:
    """The JSON string (without quotes) spanning 0-based ``column`` of ``line``."""
    for match in _STRING.finditer(line):
        if match.start() <= column < match.end():
            return match.group(1)
    return None


class EditorAssist(QObject):
    """Owns the completer of one code view and answers its tooltip events."""

    def __init__(self, view: CodeView) -> None:
        super().__init__(view)
        self.view = view
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setObjectName("policyCompleter")
        self.completer.setWidget(view)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(12)
        self.completer.popup().setObjectName("policyCompletionPopup")
        self.completer.activated.connect(self.insert_completion)
        self._prefix = ""
        self._kind = "value"
        self.resources: list[str] = []  # modelled resource ARNs, offered in Resource
        self.principals: list[str] = []  # modelled roots/users/roles, offered in Principal
        view.assist = self
        view.viewport().installEventFilter(self)

    def popup_visible(self) -> bool:
        return self.completer.popup().isVisible()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and watched is self.view.viewport():
            assert isinstance(event, QHelpEvent)
            self._tooltip(event)
            return True
        return False

    def before_key(self, event: QKeyEvent) -> bool:
        """Called by the view before it handles a key; True when the key is consumed here."""
        key = event.key()
        if self.popup_visible() and key in (
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
            Qt.Key.Key_Tab,
            Qt.Key.Key_Escape,
            Qt.Key.Key_Backtab,
        ):
            event.ignore()  # the completer's popup filter takes the choice
            return True
        if key == Qt.Key.Key_Space and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.update(explicit=True)
            return True
        return False

    def after_key(self, event: QKeyEvent) -> None:
        """Called by the view after it typed a key: refresh the popup for the new text."""
        key = event.key()
        if self.view.is_large():
            return  # completing reads the whole text; Ctrl+Space still asks explicitly
        if (event.text() and (event.text().isprintable() or key in _TRIGGER_KEYS)) or (
            key == Qt.Key.Key_Backspace and self.popup_visible()
        ):
            self.update(explicit=False)

    def update(self, *, explicit: bool) -> list[str]:
        """Show the popup for the cursor's context; returns what it offers."""
        cursor = self.view.textCursor()
        text = self.view.toPlainText()
        before = text[: code_points(text, cursor.position())]
        result = complete(before, text, self.resources, self.principals)
        if result is None or not result[1]:
            self.completer.popup().hide()
            return []
        context, found = result
        # An empty value pops the list up by itself only for a few choices (Effect, Version).
        if not explicit and not context.prefix and context.kind == "value" and len(found) > 3:
            self.completer.popup().hide()
            return []
        if len(found) == 1 and found[0] == context.prefix:
            self.completer.popup().hide()
            return []
        self._prefix = context.prefix
        self._kind = context.kind
        self.model.setStringList(found)
        popup = self.completer.popup()
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))
        rect = self.view.cursorRect()
        rect.setWidth(
            max(320, popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width())
        )
        self.completer.complete(rect)
        return found

    def insert_completion(self, completion: str) -> None:
        cursor = self.view.textCursor()
        cursor.beginEditBlock()
        cursor.movePosition(
            QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(self._prefix)
        )
        cursor.insertText(completion)
        line = cursor.block().text()
        rest = line[code_points(line, cursor.positionInBlock()) :]
        if not rest.startswith('"'):
            # Close the string (and start the value of a key) so typing goes on after it.
            cursor.insertText('": ' if self._kind == "key" else '"')
        cursor.endEditBlock()
        self.view.setTextCursor(cursor)

    def _tooltip(self, event: QHelpEvent) -> None:
        cursor = self.view.cursorForPosition(event.pos())
        line = cursor.block().text()
        token = token_at(line, code_points(line, cursor.positionInBlock()))
        text = hover_text(token) if token else None
        if text:
            QToolTip.showText(event.globalPos(), text, self.view)
        else:
            QToolTip.hideText()
