"""Start-up figures, measured in one run so the machine's load weighs on both sides alike:

- ``iamdesk iam get-user`` on the demo model against ``aws --version`` (the real AWS CLI v1,
  a test dependency); goal: ratio <= 0.75;
- ``iamdesk --screenshot --view dashboard`` on the demo (the window with its data on screen)
  against a bare PySide6 window that renders itself to a PNG; goal: ratio <= 3.

Each command runs ``ROUNDS`` times in a fresh process; the median wall time counts. Also prints
where ``iamdesk iam get-user`` spends its import time (``python -X importtime``, top modules).

Run: ``.venv/bin/python tests/benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 7
BIN = Path(sys.executable).parent
BARE_WINDOW = """
import sys
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
window = QWidget()
window.resize(1000, 650)
window.show()
window.grab().save(sys.argv[1])
"""


def median_seconds(command: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr.strip()}")
    return statistics.median(times)


def import_profile(command: list[str], env: dict[str, str], top: int = 8) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *command], env=env, capture_output=True, text=True
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _own, cumulative, name = line.removeprefix("import time:").split("|", 2)
        rows.append((int(cumulative), name.rstrip()))
    rows.sort(reverse=True)
    return [f"{us / 1000:8.1f} ms  {name}" for us, name in rows[:top]]


def main() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.iamdesk"
        subprocess.run([str(BIN / "iamdesk"), "--db", str(demo), "demo"], check=True,
                       capture_output=True)  # fmt: skip
        aws = median_seconds([str(BIN / "aws"), "--version"], env)
        get_user = median_seconds(
            [str(BIN / "iamdesk"), "--db", str(demo), "iam", "get-user", "--user-name", "alice"],
            env,
        )
        shot = Path(tmp) / "dashboard.png"
        dashboard = median_seconds(
            [str(BIN / "iamdesk"), "--db", str(demo), "--screenshot", str(shot),
             "--view", "dashboard"],
            env,
        )  # fmt: skip
        bare = median_seconds([sys.executable, "-c", BARE_WINDOW, str(Path(tmp) / "bare.png")], env)
        print(f"aws --version:                    {aws * 1000:7.0f} ms")
        print(f"iamdesk iam get-user:             {get_user * 1000:7.0f} ms")
        print(f"  ratio get-user / aws --version: {get_user / aws:7.2f}  (goal <= 0.75)")
        print(f"iamdesk --screenshot dashboard:   {dashboard * 1000:7.0f} ms")
        print(f"bare PySide6 window to PNG:       {bare * 1000:7.0f} ms")
        print(f"  ratio dashboard / bare window:  {dashboard / bare:7.2f}  (goal <= 3)")
        print("largest imports of iamdesk iam get-user (cumulative):")
        for row in import_profile(
            ["-m", "iamdesk", "--db", str(demo), "iam", "get-user", "--user-name", "alice"], env
        ):
            print("  " + row)


if __name__ == "__main__":
    main()
