"""The application's persisted preferences: one typed wrapper over ``QSettings``.

Nothing else in the ui reads or writes ``QSettings``, so every key, its type and its default
live here.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

ORGANIZATION = "iamdesk"
APPLICATION = "iamdesk"
MAX_RECENT = 8


class Settings:
    """Typed access to the window's persisted state.

    ``path`` selects an INI file (tests use a temporary one); without it the platform's native
    store for the ``iamdesk`` application is used.
    """

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            self._qs = QSettings(ORGANIZATION, APPLICATION)
        else:
            self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self._qs.sync()

    # Window geometry and state -------------------------------------------------------------
    def window_geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def set_window_geometry(self, value: QByteArray) -> None:
        self._qs.setValue("window/geometry", value)

    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def set_window_state(self, value: QByteArray) -> None:
        self._qs.setValue("window/state", value)

    def splitter_state(self, name: str) -> QByteArray | None:
        return self._bytes(f"splitters/{name}")

    def set_splitter_state(self, name: str, value: QByteArray) -> None:
        self._qs.setValue(f"splitters/{name}", value)

    def header_state(self, name: str) -> QByteArray | None:
        """Column widths and order of the table called ``name``."""
        return self._bytes(f"headers/{name}")

    def set_header_state(self, name: str, value: QByteArray) -> None:
        self._qs.setValue(f"headers/{name}", value)

    def last_view(self) -> str:
        return str(self._qs.value("window/last_view", "dashboard"))

    def set_last_view(self, name: str) -> None:
        self._qs.setValue("window/last_view", name)

    def appearance(self) -> str:
        """ "system", "light" or "dark" (anything else stored reads as "system")."""
        value = str(self._qs.value("window/appearance", "system"))
        return value if value in ("system", "light", "dark") else "system"

    def set_appearance(self, mode: str) -> None:
        self._qs.setValue("window/appearance", mode)

    # Files ---------------------------------------------------------------------------------
    def last_file(self) -> Path | None:
        value = self._qs.value("files/last", "")
        return Path(str(value)) if value else None

    def set_last_file(self, path: Path) -> None:
        self._qs.setValue("files/last", str(path))

    def recent_files(self) -> list[Path]:
        value = self._qs.value("files/recent", [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        if not isinstance(value, list | tuple):
            return []
        return [Path(str(v)) for v in value if v]

    def add_recent_file(self, path: Path) -> list[Path]:
        """Put ``path`` first in the recent list (once) and return the new list."""
        resolved = path.resolve()
        recent = [p for p in self.recent_files() if p.resolve() != resolved]
        recent.insert(0, resolved)
        recent = recent[:MAX_RECENT]
        self._qs.setValue("files/recent", [str(p) for p in recent])
        self.set_last_file(resolved)
        return recent

    def clear_recent_files(self) -> None:
        self._qs.remove("files/recent")

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._qs.value(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        if isinstance(value, bytes | bytearray) and value:
            return QByteArray(bytes(value))
        return None
