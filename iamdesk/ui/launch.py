"""Start the desktop application (or render it to a PNG with ``--screenshot``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def run_gui(
    *,
    db: Path | None,
    demo: bool,
    account_id: str | None,
    screenshot: Path | None,
    view: str | None,
) -> int:
    if screenshot is not None:
        # A screenshot needs no display: render offscreen whatever the environment says.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("iamdesk")
    window.setCentralWidget(QLabel("iamdesk"))
    window.resize(1200, 800)
    if screenshot is not None:
        window.grab().save(str(screenshot))
        return 0
    window.show()
    return app.exec()
