"""Unsaved edits: what the window asks before they would be lost, and how it finds them.

An editing surface (a policy document tab, an Edit policy dialog) offers its pending edit as an
:class:`UnsavedEdit`; the window asks Save / Discard / Cancel before selecting another row,
closing a dialog or quitting. The question opens with ``open()`` and answers through callbacks,
so nothing blocks and tests click the box by its object names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnsavedEdit:
    title: str  # "policy ReadReports" — what the question names
    save: Callable[[], bool]  # True when saved (False: refused, or needs the user's review)
    discard: Callable[[], None]


def asking(parent: QWidget) -> bool:
    """The question is already open over ``parent`` (answered boxes linger until deleted)."""
    return any(box.isVisible() for box in parent.findChildren(QMessageBox, "unsavedBox"))


def ask(
    parent: QWidget | None,
    edits: Sequence[UnsavedEdit],
    *,
    on_done: Callable[[], None],
    on_cancel: Callable[[], None] | None = None,
) -> QMessageBox:
    """Save / Discard / Cancel for ``edits``. ``on_done`` runs once they are saved (all of them
    saved without a refusal) or discarded; ``on_cancel`` when the user keeps editing."""
    names = ", ".join(edit.title for edit in edits)
    box = QMessageBox(
        QMessageBox.Icon.Warning, "Unsaved changes", "", QMessageBox.StandardButton.NoButton
    )
    box.setParent(parent, box.windowFlags())
    box.setObjectName("unsavedBox")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(f"Save the changes to {names}?")
    box.setInformativeText("Your changes are lost if you don't save them.")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    save = box.addButton(QMessageBox.StandardButton.Save)
    save.setObjectName("unsavedSaveButton")
    discard = box.addButton(QMessageBox.StandardButton.Discard)
    discard.setObjectName("unsavedDiscardButton")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setObjectName("unsavedCancelButton")
    box.setDefaultButton(save)
    box.setEscapeButton(cancel)

    def answered(_result: int) -> None:
        clicked = box.clickedButton()
        if clicked is save:
            if all(edit.save() for edit in edits):
                on_done()
            elif on_cancel is not None:
                on_cancel()  # a refused save keeps the edit where the user can fix it
        elif clicked is discard:
            for edit in edits:
                edit.discard()
            on_done()
        elif on_cancel is not None:
            on_cancel()

    box.finished.connect(answered)
    box.open()
    return box
