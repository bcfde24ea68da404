"""A dialog with fields that are checked as the user types (with IAM's own messages), an error
line, and an OK button that calls a submit function; a service error keeps the dialog open and
shows AWS's text, success closes it.

Dialogs are opened with ``open()`` (window-modal, non-blocking), so tests drive them directly.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from iamdesk.ui import theme
from iamdesk.ui.messages import describe

log = logging.getLogger(__name__)

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})")


def readable(text: str) -> str:
    """AWS's messages write regex characters as ``\\u002F``; a person reads ``/``. Printable
    characters are spelled out, control characters (tab, newline) keep their escape."""

    def spell(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char.isprintable() else match.group(0)

    return _ESCAPE.sub(spell, text)


Check = Callable[[], object]  # raises IamError/ValueError with the message to show


class FormDialog(QDialog):
    ok_text = "Create"

    def __init__(self, stem: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stem = stem
        self.setObjectName(f"{stem}Dialog")
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.error = QLabel()
        self.error.setObjectName(f"{stem}Error")
        self.error.setWordWrap(True)
        self._touched = False  # until the user edits a field (or presses OK), problems stay hidden
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = ok
        self.ok_button.setText(self.ok_text)
        self.ok_button.setObjectName(f"{stem}OkButton")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        assert cancel is not None
        cancel.setObjectName(f"{stem}CancelButton")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.cancel)
        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)
        self.body.addWidget(self.error)
        self.body.addWidget(self.buttons)
        self._checks: list[Check] = []
        self._opened_with: list[str] | None = None
        self.setMinimumWidth(480)

    def showEvent(self, event: QShowEvent) -> None:
        # Qt would focus the default button, and with OK disabled until a name is typed that is
        # Cancel: typing went nowhere and Space closed the dialog. Start in the first field.
        super().showEvent(event)
        self._opened_with = self.field_values()
        field = self.first_field()
        if field is not None:
            field.setFocus(Qt.FocusReason.OtherFocusReason)

    def field_values(self) -> list[str]:
        """What the fields hold now, to tell whether the user typed anything."""
        values = []
        for widget in self.findChildren(QWidget):
            if isinstance(widget, QLineEdit) and not isinstance(widget.parent(), QComboBox):
                values.append(widget.text())
            elif isinstance(widget, QPlainTextEdit):
                values.append(widget.toPlainText())
            elif isinstance(widget, QComboBox):
                values.append(widget.currentText())
            elif isinstance(widget, QAbstractSpinBox):
                values.append(widget.text())
        return values

    def has_input(self) -> bool:
        return self._opened_with is not None and self.field_values() != self._opened_with

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            event.accept()
            self.cancel()
            return
        super().keyPressEvent(event)

    def cancel(self) -> None:
        """Escape or Cancel: close, but ask first when the user typed something."""
        if not self.has_input():
            self.reject()
            return
        from iamdesk.ui import messages

        messages.confirm(
            self,
            self.windowTitle(),
            "Discard what you typed?",
            self.reject,
            yes_text="Discard",
            object_name="discardInputBox",
        )

    def first_field(self) -> QWidget | None:
        for row in range(self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            widget = item.widget() if item is not None else None
            if widget is None and item is not None and item.layout() is not None:
                inner = item.layout().itemAt(0)
                widget = inner.widget() if inner is not None else None
            if (
                widget is not None
                and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            ):
                return widget
        return None

    def line(self, name: str, label: str, placeholder: str = "", text: str = "") -> QLineEdit:
        edit = QLineEdit(text)
        edit.setObjectName(f"{self.stem}{name}Field")
        edit.setPlaceholderText(placeholder)
        edit.textChanged.connect(self._edited)
        self.form.addRow(label, edit)
        return edit

    def text_box(self, name: str, label: str, placeholder: str = "") -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setObjectName(f"{self.stem}{name}Field")
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        edit.setMaximumHeight(90)
        edit.textChanged.connect(self._edited)
        self.form.addRow(label, edit)
        return edit

    def add_check(self, check: Check) -> None:
        self._checks.append(check)

    def validate(self) -> bool:
        """Run the field checks; show the first problem and enable OK only when none."""
        for check in self._checks:
            try:
                check()
            except Exception as exc:  # checks raise IamError or ValueError with a message
                self.show_error(getattr(exc, "message", None) or describe(exc))
                self.ok_button.setEnabled(False)
                return False
        self.show_error("")
        self.ok_button.setEnabled(True)
        return True

    def show_error(self, text: str) -> None:
        # A form the user has not typed in yet shows no problem: the disabled OK says enough,
        # and an error before the first keystroke reads as if something already went wrong.
        self.error.setStyleSheet(f"color: {theme.color_name('error_fg')};")
        self.error.setText(readable(text))
        self.error.setVisible(bool(text) and self._touched)

    def _edited(self) -> None:
        self._touched = True
        self.validate()

    def submit(self) -> None:
        from iamdesk.services.errors import IamError

        self._touched = True
        if not self.validate():
            return
        try:
            self.perform()
        except IamError as exc:
            log.info("%s refused: %s", self.objectName(), exc)
            self.show_error(f"{exc.code}: {exc.message}")
            return
        self.accept()

    def perform(self) -> None:
        raise NotImplementedError


def parse_tags(text: str) -> dict[str, str]:
    """``key=value`` per line (``key`` alone means an empty value)."""
    tags: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not key:
            raise ValueError(f"Tags, line {number}: a tag needs a key before '='.")
        if key in tags:
            raise ValueError(f"Tags, line {number}: the key {key!r} is given twice.")
        tags[key] = value
    return tags
