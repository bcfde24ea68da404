"""Start the desktop application (or render it to a PNG with ``--screenshot``)."""

from __future__ import annotations

import os
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
    from iamdesk.ui.app import run

    return run(db=db, demo=demo, account_id=account_id, screenshot=screenshot, view=view)
