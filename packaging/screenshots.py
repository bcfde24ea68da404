"""Regenerate the README's and the AppStream metainfo's screenshots from the demo organization.

    .venv/bin/python packaging/screenshots.py [OUT_DIR]

Each picture is ``iamdesk --demo --screenshot OUT --view NAME``, run offscreen with a scratch home
so the user's own files and settings never show up in (or change because of) the pictures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "screenshots"
VIEWS = ("dashboard", "users", "policies", "test-access", "organization")


def take(out_dir: Path, views: tuple[str, ...] = VIEWS) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="iamdesk-shots-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("IAMDESK_", "XDG_"))}
        # No fork server: one would outlive the throwaway home it was started in.
        env.update(HOME=home, QT_QPA_PLATFORM="offscreen", IAMDESK_NO_SERVER="1")
        for view in views:
            path = out_dir / f"{view}.png"
            command = [sys.executable, "-m", "iamdesk", "--demo", "--screenshot", str(path)]
            subprocess.run([*command, "--view", view], env=env, check=True)
            written.append(path)
    return written


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    for path in take(out_dir):
        print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
