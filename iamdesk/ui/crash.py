"""Unexpected errors: logged with their traceback and shown in a dialog the user can copy from.

Expected errors (an ``IamError`` from a service, a bad file) are shown inline where they happen;
whatever escapes to the event loop arrives here through ``sys.excepthook``.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from iamdesk import __version__

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def format_report(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return f"iamdesk {__version__}, Python {sys.version.split()[0]}\n\n" + "".join(lines)


class CrashDialog(QDialog):
    """Shows what went wrong, with the full traceback and a button that copies it."""

    def __init__(self, exc: BaseException, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle("iamdesk — unexpected error")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.report = format_report(exc)
        layout = QVBoxLayout(self)
        summary = QLabel(
            "<b>Something went wrong that iamdesk did not expect.</b><br>"
            f"{type(exc).__name__}: {_escape(str(exc))}<br><br>"
            "Your data was not changed by the failed operation. The details below are also in "
            "the log; copy them into a bug report."
        )
        summary.setWordWrap(True)
        summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(summary)
        self.details = QPlainTextEdit(self.report)
        self.details.setObjectName("crashTraceback")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.details, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy to clipboard")
        self.copy_button.setObjectName("crashCopyButton")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 420)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.report)
        self.copy_button.setText("Copied")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class CrashHandler:
    """Installs itself as ``sys.excepthook``; ``uninstall`` restores the previous hook."""

    def __init__(self, parent: Callable[[], QWidget | None] = lambda: None) -> None:
        self._parent = parent
        self._previous: ExceptHook | None = None
        self.dialogs: list[CrashDialog] = []

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self.handle

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook = self._previous
            self._previous = None

    def handle(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            if self._previous is not None:
                self._previous(kind, exc, tb)
            return
        exc.__traceback__ = tb
        log.critical("unexpected error", exc_info=(kind, exc, tb))
        dialog = CrashDialog(exc, self._parent())
        self.dialogs = [d for d in self.dialogs if _alive(d)] + [dialog]
        dialog.open()


def _alive(dialog: CrashDialog) -> bool:
    try:
        return dialog.isVisible()
    except RuntimeError:  # the C++ side was deleted on close
        return False
