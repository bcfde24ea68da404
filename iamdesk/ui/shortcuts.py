"""Shortcuts that stay local to a widget.

PySide6 (6.11) ignores the ``context`` argument of ``QShortcut(key, parent, slot, context)``:
the shortcut is created window-wide, so two tables' Enter keys become ambiguous and a graph's
Enter swallows the one typed in a search field. Setting the context afterwards works.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

Key = str | QKeySequence.StandardKey


def local_shortcut(
    widget: QWidget,
    keys: Key | tuple[Key, ...],
    slot: Callable[[], object],
    context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetShortcut,
) -> list[QShortcut]:
    made = []
    for key in keys if isinstance(keys, tuple) else (keys,):
        shortcut = QShortcut(QKeySequence(key), widget)
        shortcut.setContext(context)
        shortcut.activated.connect(slot)
        made.append(shortcut)
    return made
