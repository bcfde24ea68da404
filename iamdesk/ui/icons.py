"""The SVG icons shipped in ``resources/icons``."""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtGui import QIcon

from iamdesk.core.packaged import resource_path

log = logging.getLogger(__name__)


@cache
def icon(name: str) -> QIcon:
    path = resource_path("icons", f"{name}.svg")
    if not path.is_file():
        # A missing icon is a packaging bug, not a reason to stop the app.
        log.warning("icon %s missing at %s", name, path)
        return QIcon()
    return QIcon(str(path))
