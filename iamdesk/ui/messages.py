"""Messages and questions to the user, routed so that code without widgets can report, and so
that tests never block on a modal dialog.

Non-GUI code (workers, commands) calls :func:`error`, :func:`info` or :func:`warning`; the
:class:`MessageBridge` singleton re-emits them as Qt signals the main window shows in its status
bar or in a box. The box helpers open dialogs with ``open()`` (window-modal, non-blocking) and
call back on the answer, the way qutebrowser's ``msgbox`` does; a test finds the box by its
``objectName`` and clicks a button.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)


class MessageBridge(QObject):
    """Carries messages from anywhere to the window (queued across threads by Qt)."""

    message = Signal(str, str)  # level ("info" | "warning" | "error"), text

    def emit_message(self, level: str, text: str) -> None:
        getattr(log, "warning" if level == "warning" else level, log.info)(text)
        self.message.emit(level, text)


_bridge: MessageBridge | None = None


def bridge() -> MessageBridge:
    global _bridge
    if _bridge is None:
        _bridge = MessageBridge()
    return _bridge


def describe(exc: BaseException) -> str:
    """What to tell a person about a failure: AWS's code and message for a refusal, plain
    words for input too deep or too large, never Python's own text ("maximum recursion depth
    exceeded while ...") for those."""
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to read (JSON allows at most 64 levels here)"
    if isinstance(exc, MemoryError):
        return "the input is too large to read"
    code, message = getattr(exc, "code", None), getattr(exc, "message", None)
    if isinstance(code, str) and isinstance(message, str):
        return f"{code}: {message}"
    return message if isinstance(message, str) and message else str(exc)


def info(text: str) -> None:
    bridge().emit_message("info", text)


def warning(text: str) -> None:
    bridge().emit_message("warning", text)


def error(text: str) -> None:
    bridge().emit_message("error", text)


def message_box(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    icon: QMessageBox.Icon = QMessageBox.Icon.Information,
    buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
    informative: str = "",
    details: str = "",
    object_name: str = "messageBox",
    on_finished: Callable[[QMessageBox.StandardButton], None] | None = None,
) -> QMessageBox:
    """Open a message box without blocking; ``on_finished`` gets the button pressed."""
    from PySide6.QtCore import Qt  # not at import: the window imports this module early

    box = QMessageBox(icon, title, text, buttons, parent)
    box.setObjectName(object_name)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if informative:
        box.setInformativeText(informative)
    if details:
        box.setDetailedText(details)
    if on_finished is not None:
        box.finished.connect(lambda _r: on_finished(box.standardButton(box.clickedButton())))
    box.open()
    return box


def show_error(parent: QWidget | None, title: str, text: str, informative: str = "") -> QMessageBox:
    return message_box(
        parent,
        title,
        text,
        icon=QMessageBox.Icon.Warning,
        informative=informative,
        object_name="errorBox",
    )


def confirm(
    parent: QWidget | None,
    title: str,
    text: str,
    on_yes: Callable[[], None],
    *,
    informative: str = "",
    yes_text: str = "OK",
    object_name: str = "confirmBox",
) -> QMessageBox:
    """Ask a yes/no question; ``on_yes`` runs only if the user accepts."""
    from PySide6.QtCore import Qt

    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton)
    box.setParent(parent, box.windowFlags())
    box.setObjectName(object_name)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if informative:
        box.setInformativeText(informative)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    yes.setObjectName("confirmYesButton")
    no = box.addButton(QMessageBox.StandardButton.Cancel)
    no.setObjectName("confirmNoButton")
    box.setDefaultButton(no)
    box.finished.connect(lambda _r: on_yes() if box.clickedButton() is yes else None)
    box.open()
    return box
