"""Import, compare, replace, undo and redo figures: the shared sample, and a generated account
of 5,000 users, 2,500 roles and 800 customer managed policies (the size issue 10 tried).

Each step is the service the CLI and the app call: ``import_file`` (new, then ``replace`` with
a newer dump: 5% of the users gone, 5% changed), ``differences``, and ``restore`` of the
before/after snapshots (what Ctrl+Z and Ctrl+Y run off the GUI thread).

Then the same in the window (File > Import, Ctrl+Z, Ctrl+Y through the undo stack): how long
each takes and the longest the GUI thread went without handling its events (a 10 ms timer's
largest gap), which says whether the window froze.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_import.py``.
"""

from __future__ import annotations

import copy
import itertools
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from iamdesk.services.refresh import import_file, restore
from iamdesk.services.refresh.differences import differences
from iamdesk.store.db import open_database
from tests.benchmarks.bench_accounts import SAMPLE, generated_account


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = step()
    return time.perf_counter() - start, result


def newer(data: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    users = changed["UserDetailList"]
    cut = len(users) // 20
    del users[:cut]
    for user in users[:cut]:
        user["Tags"] = [{"Key": "refreshed", "Value": "yes"}]
    return changed


def run(name: str, data: dict[str, Any], workdir: Path) -> None:
    db = open_database(workdir / f"{name}.sqlite")
    text = json.dumps(data).encode()
    later = json.dumps(newer(data)).encode()
    seconds, first = timed(lambda: import_file(db, text))
    print(f"{name}: import {seconds:.2f} s ({first.summary.users} users)")
    seconds, found = timed(lambda: differences(db, later))
    counts = {k: len(found[k]) for k in ("Added", "Removed", "Changed")}
    print(f"{name}: differences {seconds:.2f} s {counts}")
    seconds, outcome = timed(lambda: import_file(db, later, replace=True))
    print(f"{name}: replace {seconds:.2f} s")
    seconds, _ = timed(lambda: restore(db, outcome.before))
    print(f"{name}: undo replace {seconds:.2f} s")
    seconds, _ = timed(lambda: restore(db, outcome.after))
    print(f"{name}: redo replace {seconds:.2f} s")
    seconds, _ = timed(lambda: restore(db, outcome.before))
    seconds2, _ = timed(lambda: restore(db, first.before))
    print(f"{name}: undo replace + undo import {seconds + seconds2:.2f} s")
    db.close()


def in_window(name: str, data: dict[str, Any], workdir: Path) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from iamdesk.ui.context import AppContext
    from iamdesk.ui.main_window import MainWindow
    from iamdesk.ui.settings import Settings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    path = workdir / f"{name}-window.sqlite"
    db = open_database(path)
    file = workdir / f"{name}.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    window = MainWindow(AppContext(db, db.default_account_id(), path), Settings(workdir / "s.ini"))
    window.resize(1280, 800)
    window.show()
    stack = window.context.undo_stack
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)

    def measure(label: str, start_step: Callable[[], None], finished: Callable[[], bool]) -> None:
        ticks.clear()
        t0 = time.perf_counter()
        start_step()
        while not finished() or window.tasks.running:
            app.processEvents()
            time.sleep(0.002)
        seconds = time.perf_counter() - t0
        gaps = [b - a for a, b in itertools.pairwise(ticks)] or [0.0]
        print(
            f"{name} window: {label} {seconds:.2f} s, longest GUI pause {max(gaps) * 1000:.0f} ms"
        )

    measure(
        "File > Import", lambda: window.file_actions.import_path(file), lambda: stack.count() == 1
    )
    measure("Ctrl+Z", stack.undo, lambda: stack.index() == 0)
    measure("Ctrl+Y", stack.redo, lambda: stack.index() == 1)
    timer.stop()
    window.close()
    db.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
        large = generated_account(5_000, 2_500, 800)
        run("sample", sample, workdir)
        run("5000-users", large, workdir)
        in_window("sample", sample, workdir)
        in_window("5000-users", large, workdir)


if __name__ == "__main__":
    main()
