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
    appearance: str | None = None,
) -> int:
    if screenshot is not None:
        # A screenshot needs no display: render offscreen whatever the environment says.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        # Once PySide6 is loaded it reads the source of every module imported after it (its
        # __feature__ hook), which makes the database layer's ~400 SQLAlchemy and SQLModel
        # modules ~30% slower to load. A picture needs the model before it paints anything, so
        # load that layer first. (The app itself paints its window before loading it.)
        import iamdesk.store.db  # noqa: F401
    from iamdesk.ui.app import run

    return run(
        db=db,
        demo=demo,
        account_id=account_id,
        screenshot=screenshot,
        view=view,
        appearance=appearance,
    )
