"""SQLite and PostgreSQL side by side on the same generated account (10,000 users, 5,000 roles,
3,000 customer managed policies; ``bench_accounts.generated_account``): import, list-users (every
page of 100, as ``iamdesk iam list-users`` pages), opening a user's detail (the calls the Users
view makes: user, groups, attached and inline policies, tags, access keys, MFA devices),
simulate-principal-policy (first call, then warm), and who-can. Two rows show what one CLI
command pays besides its query: opening the model afresh (connecting, checking the schema) then
reading the first page, and a write (tag-user then untag-user: two transactions, each taking the
model's write lock and logging the change).

Goals: every read on a local server within 2x of SQLite, the import within 3x (the write row is
judged like the import).

The server: ``IAMDESK_BENCH_PG=postgresql://...`` (an empty database), else a throwaway cluster
started like the tests' (``tests/pg_server.py``; PostgreSQL's binaries must be installed).

Run: ``.venv/bin/python tests/benchmarks/bench_backends.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from bench_accounts import ACCOUNT, generated_account  # noqa: E402

from iamdesk.services import access_keys, attachments, groups, inline_policies, mfa, tags  # noqa: E402
from iamdesk.services import users as user_service  # noqa: E402
from iamdesk.services.importexport import import_authorization_details  # noqa: E402
from iamdesk.services.simulate import simulate_principal_policy  # noqa: E402
from iamdesk.store.db import Database, open_database  # noqa: E402

READ_GOAL = 2.0
IMPORT_GOAL = 3.0
USER = "user-04242"


def _medians_ms(calls: list[Callable[[], Any]], runs: int) -> list[float]:
    """The median time of each call, the calls taking turns run by run: the machine's load
    (other processes on a shared host) then weighs on every backend alike."""
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(runs):
        for call, spent in zip(calls, times, strict=True):
            start = time.perf_counter()
            call()
            spent.append((time.perf_counter() - start) * 1000)
    return [statistics.median(spent) for spent in times]


def _list_all_users(db: Database) -> int:
    count, marker = 0, None
    while True:
        page = user_service.list_users(db, ACCOUNT, max_items=100, marker=marker)
        count += len(page["Users"])
        marker = page.get("Marker")
        if not page.get("IsTruncated"):
            return count


def _user_detail(db: Database) -> None:
    user_service.get_user(db, ACCOUNT, USER)
    groups.list_groups_for_user(db, ACCOUNT, USER)
    attachments.list_attached_policies(db, ACCOUNT, "user", USER)
    inline_policies.list_inline_policies(db, ACCOUNT, "user", USER)
    tags.list_tags(db, ACCOUNT, "user", USER)
    access_keys.list_access_keys(db, ACCOUNT, USER)
    mfa.list_mfa_devices(db, ACCOUNT, USER)


def _simulate(db: Database) -> str:
    result = simulate_principal_policy(
        db,
        policy_source_arn=f"arn:aws:iam::{ACCOUNT}:user/staff/{USER}",
        action_names=["s3:GetObject", "ec2:DescribeInstances"],
        resource_arns=["arn:aws:s3:::team3-bucket/key"],
        explain=False,
    )
    return str(result.decisions[0].decision)


def _who_can(db: Database) -> Any:
    from iamdesk.analysis.who_can import who_can

    return who_can(db, ACCOUNT, "s3:GetObject", "arn:aws:s3:::team3-bucket/key")


def _open_and_list(target: Path | str) -> None:
    with open_database(target, create=False) as db:
        user_service.list_users(db, ACCOUNT, max_items=100)


def _write(db: Database) -> None:
    tags.tag(db, ACCOUNT, "user", USER, [{"Key": "bench", "Value": "1"}])
    tags.untag(db, ACCOUNT, "user", USER, ["bench"])


Figures = dict[str, list[float]]


def measure(targets: list[Path | str], text: str) -> Figures:
    """Each row's figure for each target (a file, a server URL), measured side by side."""
    databases = [open_database(target) for target in targets]
    try:
        return _measure(databases, targets, text)
    finally:
        for db in databases:
            db.close()


def _measure(dbs: list[Database], targets: list[Path | str], text: str) -> Figures:
    figures: Figures = {}
    figures["import (s)"] = []
    for db in dbs:
        start = time.perf_counter()
        import_authorization_details(db, text)
        figures["import (s)"].append(time.perf_counter() - start)
        assert _list_all_users(db) == 10_000

    def each(call: Callable[[Database], Any]) -> list[Callable[[], Any]]:
        return [lambda db=db: call(db) for db in dbs]

    figures["list-users, all 100 pages (ms)"] = _medians_ms(each(_list_all_users), 5)
    figures["list-users, first page (ms)"] = _medians_ms(
        each(lambda db: user_service.list_users(db, ACCOUNT, max_items=100)), 30
    )
    figures["a user's detail (ms)"] = _medians_ms(each(_user_detail), 30)
    figures["open the model + first page (ms)"] = _medians_ms(
        [lambda target=target: _open_and_list(target) for target in targets], 15
    )
    figures["tag-user + untag-user (ms)"] = _medians_ms(each(_write), 30)
    figures["simulate-principal-policy, first (ms)"] = _medians_ms(each(_simulate), 1)
    figures["simulate-principal-policy, warm (ms)"] = _medians_ms(each(_simulate), 100)
    figures["who-can (ms)"] = _medians_ms(each(_who_can), 5)
    return figures


def _server_url() -> tuple[str, Any]:
    given = os.environ.get("IAMDESK_BENCH_PG")
    if given:
        return given, None
    from tests.pg_server import Cluster, find_bin

    bindir = find_bin()
    if bindir is None:
        raise SystemExit("no PostgreSQL: install it, or set IAMDESK_BENCH_PG to an empty database")
    cluster = Cluster(bindir)
    cluster.start()
    return cluster.url(cluster.new_database()), cluster


def main() -> int:
    text = json.dumps(generated_account(10_000, 5_000, 3_000))
    url, cluster = _server_url()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            figures = measure([Path(tmp) / "bench.sqlite", url], text)
    finally:
        if cluster is not None:
            cluster.stop()
    ok = True
    print(f"{'':42} {'SQLite':>10} {'PostgreSQL':>11} {'ratio':>7}  goal")
    for name, (base, other) in figures.items():
        goal = IMPORT_GOAL if name.startswith(("import", "tag-user")) else READ_GOAL
        ratio = other / base
        within = ratio <= goal or name.endswith("first (ms)")
        ok = ok and within
        print(
            f"{name:42} {base:10.2f} {other:11.2f} {ratio:6.2f}x  <= {goal:.0f}x"
            f" {'OK' if within else 'OVER'}"
        )
    print("(a first simulation reads and compiles the policies; its ratio is shown, not judged)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
