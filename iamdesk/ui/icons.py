"""The SVG icons shipped in ``resources/icons``."""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtGui import QIcon

from iamdesk.core.packaged import APP_ID, resource_path

log = logging.getLogger(__name__)


@cache
def icon(name: str) -> QIcon:
    path = resource_path("icons", f"{name}.svg")
    if not path.is_file():
        # A missing icon is a packaging bug, not a reason to stop the app.
        log.warning("icon %s missing at %s", name, path)
        return QIcon()
    return QIcon(str(path))


@cache
def app_icon() -> QIcon:
    """The application's icon (window, task switcher) at every size rendered for the desktop
    entry (resources/desktop/icons, made from the SVG by packaging/render_icons.py)."""
    result = QIcon()
    for png in sorted(resource_path("desktop", "icons", "hicolor").glob(f"*/apps/{APP_ID}.png")):
        result.addFile(str(png))
    if result.isNull():
        log.warning("application icon missing under %s", resource_path("desktop"))
    return result
