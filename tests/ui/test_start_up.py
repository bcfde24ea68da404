"""The dashboard's picture (``--screenshot --view dashboard``) shows its data, and what only the
data needs stays off the GUI thread: the best-practice analysis, its modules included, is
imported and run in the background task."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from iamdesk.services.demo import write_demo

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import builtins, json, sys, threading
from pathlib import Path

importers = {}
plain_import = builtins.__import__


def watching_import(name, *args, **kwargs):
    if name.startswith("iamdesk.analysis") and name not in sys.modules:
        importers[name] = threading.current_thread().name
    return plain_import(name, *args, **kwargs)


builtins.__import__ = watching_import
from iamdesk.ui.app import Application, _screenshot
from iamdesk.ui.settings import Settings

out = Path(sys.argv[2])
instance = Application(Settings(out.with_suffix(".ini")))
code = _screenshot(instance, Path(sys.argv[1]), None, out, "dashboard")
view = instance.window.views["dashboard"]
print(json.dumps({
    "code": code,
    "importers": importers,
    "gui": threading.main_thread().name,
    "findings": view.findings.topLevelItemCount(),
    "note": view.findings_note.text(),
    "users": view.cards["users"].count.text(),
}))
"""


def test_the_dashboard_picture_has_its_data_and_the_analysis_ran_off_the_gui_thread(
    tmp_path: Path,
) -> None:
    demo = write_demo(tmp_path / "demo.sqlite")
    out = tmp_path / "dashboard.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(demo), str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["code"] == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert seen["users"] == "5" and seen["findings"] > 0
    assert seen["note"].startswith(f"{seen['findings']} findings")
    assert "iamdesk.analysis.best_practices" in seen["importers"]
    assert seen["gui"] not in seen["importers"].values()
