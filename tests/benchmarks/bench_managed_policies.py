"""AWS managed policy catalog figures: the first use (index only; target well under 0.3 s), a
current document, an old version, a full history listing through the service, and search.

Each figure is taken in a fresh interpreter (the catalog is cached per process) and is the median
of several runs. Run: ``.venv/bin/python tests/benchmarks/bench_managed_policies.py``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from iamdesk.core.packaged import resource_path
from iamdesk.services import managed_policies

FIRST_USE_TARGET_S = 0.3
RUNS = 5

PROBE = """
import json, tempfile, time
from pathlib import Path
from iamdesk.services import managed_policies as m
from iamdesk.services.policies import list_policy_versions
from iamdesk.store.db import open_database

t = time.perf_counter(); m.count(); first = time.perf_counter() - t
t = time.perf_counter(); m.by_name("PowerUserAccess").document; current = time.perf_counter() - t
read_only = m.by_name("ReadOnlyAccess")
t = time.perf_counter(); read_only.version_document("v1"); old = time.perf_counter() - t
t = time.perf_counter(); m.search("access", limit=50); search = time.perf_counter() - t
db = open_database(Path(tempfile.mkdtemp()) / "b.sqlite")
arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
t = time.perf_counter(); n = len(list_policy_versions(db, None, arn)["Versions"])
listing = time.perf_counter() - t
print(json.dumps({"first": first, "current": current, "old": old, "search": search,
                  "listing": listing, "versions": n}))
"""


def main() -> None:
    path = resource_path(managed_policies.CATALOG_FILE)
    runs = []
    for _ in range(RUNS):
        done = subprocess.run(
            [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(done.stdout))

    def ms(key: str) -> str:
        return f"{statistics.median(r[key] for r in runs) * 1000:.1f} ms"

    print(
        f"catalog file: {path.stat().st_size:,} bytes, {managed_policies.count()} policies, "
        f"{sum(len(p.versions) for p in managed_policies.all_policies())} versions"
    )
    first = statistics.median(r["first"] for r in runs)
    verdict = "ok" if first < FIRST_USE_TARGET_S else "OVER TARGET"
    print(f"first use (index): {ms('first')} (target < {FIRST_USE_TARGET_S} s: {verdict})")
    print(f"a current document (PowerUserAccess): {ms('current')}")
    print(f"an old version (ReadOnlyAccess v1, one history chunk): {ms('old')}")
    print(f"search 'access' (50 hits): {ms('search')}")
    print(f"list-policy-versions ReadOnlyAccess ({runs[0]['versions']} versions): {ms('listing')}")


if __name__ == "__main__":
    main()
