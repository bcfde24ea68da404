"""Credential report figures (issue 8, item 11): ``generate-credential-report`` on a large
account, and what it costs writers in other processes meanwhile. The report is built from a read
snapshot and stored in one short write transaction, so writers wait milliseconds, not the whole
report (35 s and "database is locked" for 120,000 users before).

Run: ``.venv/bin/python tests/benchmarks/bench_credential_report.py [USERS]`` (default 120,000).
The helpers here are reused by ``tests/services/test_credential_report_locking.py``.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from iamdesk.store.credentials import AccessKey, LoginProfile
from iamdesk.store.db import Database, new_database
from iamdesk.store.ids import unique_id
from iamdesk.store.tables import DEFAULT_ACCOUNT_ID, User

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_store import populate_users  # noqa: E402

# A writer in another process: creates users one by one until STOP exists, timing each write.
WRITER = """
import json, sys, time
from pathlib import Path
from iamdesk.services import users
from iamdesk.store.db import open_database
path, prefix, stop, ready = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
db = open_database(path, create=False)
latencies, errors, done_at, n = [], [], [], 0
ready.touch()
while not stop.exists():
    start = time.monotonic()
    try:
        users.create_user(db, None, f"{prefix}-{n}")
        done_at.append(time.time())
    except Exception as exc:
        errors.append(str(exc).splitlines()[0][:200])
    latencies.append(time.monotonic() - start)
    n += 1
    time.sleep(0.02)
db.close()
figures = {"writes": n, "errors": errors, "max": max(latencies or [0.0]), "done_at": done_at}
print(json.dumps(figures))
"""


def large_account(path: Path, count: int) -> None:
    """``count`` users; every tenth has a console password and every fifth an access key."""
    rng = random.Random(3)
    with new_database(path) as db:
        populate_users(db, count)
        with db.transaction() as session:
            pks = session.scalars(select(User.pk).order_by(User.pk)).all()
            session.execute(
                insert(LoginProfile),
                [
                    {
                        "user_pk": pk,
                        "password_hash": "x",
                        "create_date": "2026-01-01T00:00:00+00:00",
                        "password_last_changed": "2026-01-01T00:00:00+00:00",
                    }
                    for pk in pks[::10]
                ],
            )
            session.execute(
                insert(AccessKey),
                [
                    {
                        "access_key_id": unique_id("access-key", rng),
                        "account_id": DEFAULT_ACCOUNT_ID,
                        "user_pk": pk,
                        "secret_hash": "x",
                        "create_date": "2026-01-01T00:00:00+00:00",
                    }
                    for pk in pks[::5]
                ],
            )


def with_writers(
    path: Path, writers: int, work: Any
) -> tuple[tuple[float, float], list[dict[str, Any]]]:
    """Run ``work()`` while ``writers`` processes write to ``path``: (when it started and ended,
    ``time.time()``), and each writer's figures: writes, errors, slowest write in seconds, when
    each write committed."""
    folder = Path(tempfile.mkdtemp(prefix="writers-"))
    stop = folder / "stop"
    procs = []
    for index in range(writers):
        ready = folder / f"ready-{index}"
        procs.append(
            (
                ready,
                subprocess.Popen(
                    [sys.executable, "-c", WRITER, str(path), f"w{index}", str(stop), str(ready)],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    while not all(ready.exists() for ready, _ in procs):
        time.sleep(0.05)
    time.sleep(0.3)  # a few writes before the work starts
    start = time.time()
    work()
    end = time.time()
    time.sleep(0.3)
    stop.touch()
    figures = [json.loads(proc.communicate(timeout=120)[0]) for _, proc in procs]
    return (start, end), figures


def main() -> int:
    from iamdesk.services.credential_report import generate_credential_report
    from iamdesk.store.db import open_database

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 120_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.sqlite"
        start = time.monotonic()
        large_account(path, count)
        print(f"built a model of {count:,} users in {time.monotonic() - start:.1f} s")
        db: Database = open_database(path, create=False)
        (start, end), figures = with_writers(
            path, 3, lambda: generate_credential_report(db, None, force=True)
        )
        db.close()
    print(f"generate-credential-report, {count:,} users: {end - start:.2f} s")
    for index, found in enumerate(figures):
        during = sum(start <= moment < end for moment in found["done_at"])
        print(
            f"  writer {index}: {found['writes']} writes ({during} while the report ran),"
            f" slowest {found['max'] * 1000:.0f} ms, {len(found['errors'])} errors"
            f" {found['errors'][:1]}"
        )
    return 0 if all(not found["errors"] for found in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
