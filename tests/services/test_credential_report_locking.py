"""Issue 8 item 11: generating the credential report of a large account reads a snapshot and
writes briefly, so writers in other processes keep committing while it runs (before: it held
the write lock for the whole report, 35 s on 120,000 users, and writers failed with "database is
locked"). Figures: tests/benchmarks/bench_credential_report.py."""

from __future__ import annotations

from pathlib import Path

from iamdesk.services.credential_report import (
    generate_credential_report,
    get_credential_report,
)
from iamdesk.store.db import open_database
from tests.benchmarks.bench_credential_report import large_account, with_writers

USERS = 30_000


def test_writers_keep_committing_while_a_large_report_is_built(tmp_path: Path) -> None:
    path = tmp_path / "large.sqlite"
    large_account(path, USERS)
    with open_database(path, create=False) as db:
        (start, end), figures = with_writers(
            path, 3, lambda: generate_credential_report(db, None, force=True)
        )
        lines = get_credential_report(db, None)["Content"].splitlines()
    assert [f["errors"] for f in figures] == [[], [], []]
    # Holding the write lock, the report let no write commit until it ended; reading a snapshot
    # it lets them all go on (one writer may still miss a short window on a loaded machine).
    during = [sum(start <= moment < end for moment in f["done_at"]) for f in figures]
    assert sum(during) >= 3 and sum(1 for count in during if count) >= 2, (during, end - start)
    # The report is the model as it was when the report began: the root line and every user
    # of the large account, plus however many the writers had made by then.
    assert USERS + 1 < len(lines) <= USERS + 1 + sum(f["writes"] for f in figures) + 1
