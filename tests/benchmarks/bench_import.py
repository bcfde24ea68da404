"""Import, compare, replace, undo and redo figures: the shared sample, and a generated account
of 5,000 users, 2,500 roles and 800 customer managed policies (the size issue 10 tried).

Each step is the service the CLI and the app call: ``import_file`` (new, then ``replace`` with
a newer dump: 5% of the users gone, 5% changed), ``differences``, and ``restore`` of the
before/after snapshots (what Ctrl+Z and Ctrl+Y run off the GUI thread).

Run: ``.venv/bin/python tests/benchmarks/bench_import.py``.
"""

from __future__ import annotations

import copy
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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        run("sample", json.loads(SAMPLE.read_text(encoding="utf-8")), workdir)
        run("5000-users", generated_account(5_000, 2_500, 800), workdir)


if __name__ == "__main__":
    main()
