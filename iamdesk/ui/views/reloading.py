"""Views that read the model only while someone looks at them.

A change marks the view stale; a visible view reloads on the next turn of the event loop (so the
several signals one change emits cost one reload), a hidden one when it is next shown.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent

log = logging.getLogger(__name__)


class ReloadWhenShown:
    """Mixin for a QWidget (list it first among the bases) with a ``reload()`` that clears
    ``_dirty``. Connect change signals to ``mark_dirty``."""

    _dirty = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)  # type: ignore[misc]
        if self._dirty:
            self.reload()

    def mark_dirty(self, *_signal_args: Any) -> None:
        self._dirty = True
        if self.isVisible():  # type: ignore[attr-defined]
            QTimer.singleShot(0, self._reload_if_dirty)

    def _reload_if_dirty(self) -> None:
        if self._dirty:
            self.reload()

    def reload(self) -> None:
        raise NotImplementedError
