"""Start-up figures, measured in one run so the machine's load weighs on both sides alike:

- ``iamdesk iam get-user`` on the demo model against ``aws --version`` (the real AWS CLI v1,
  a test dependency); goal: ratio <= 0.75;
- ``iamdesk --screenshot --view dashboard`` on the demo (the window with its data on screen)
  against a bare PySide6 window that renders itself to a PNG; goal: ratio <= 3.

Each command runs ``ROUNDS`` times in a fresh process, the four commands taking turns round by
round; the median wall time counts. The median CPU time (user + system) is printed beside it:
on a shared, loaded machine wall times stretch with other people's work, CPU times much less.
Also prints where ``iamdesk iam get-user`` spends its import time (``python -X importtime``, top
modules).

Run: ``.venv/bin/python tests/benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import os
import resource
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


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``command`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.strip()}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def medians(commands: dict[str, list[str]], env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Each command's median (wall, CPU) seconds, the commands taking turns round by round."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(ROUNDS):
        for name, command in commands.items():
            runs[name].append(run_once(command, env))
    return {
        name: (statistics.median(w for w, _ in done), statistics.median(c for _, c in done))
        for name, done in runs.items()
    }


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
        shot = Path(tmp) / "dashboard.png"
        figures = medians(
            {
                "aws --version": [str(BIN / "aws"), "--version"],
                "iamdesk iam get-user": [str(BIN / "iamdesk"), "--db", str(demo), "iam",
                                         "get-user", "--user-name", "alice"],
                "iamdesk --screenshot dashboard": [str(BIN / "iamdesk"), "--db", str(demo),
                                                   "--screenshot", str(shot), "--view",
                                                   "dashboard"],
                "bare PySide6 window to PNG": [sys.executable, "-c", BARE_WINDOW,
                                               str(Path(tmp) / "bare.png")],
            },
            env,
        )  # fmt: skip
        print(f"{'':34} {'wall':>8} {'CPU':>8}")
        for name, (wall, cpu) in figures.items():
            print(f"{name + ':':34} {wall * 1000:5.0f} ms {cpu * 1000:5.0f} ms")
        for label, ours, theirs, goal in (
            ("get-user / aws --version", "iamdesk iam get-user", "aws --version", 0.75),
            ("dashboard / bare window", "iamdesk --screenshot dashboard",
             "bare PySide6 window to PNG", 3.0),
        ):  # fmt: skip
            wall = figures[ours][0] / figures[theirs][0]
            cpu = figures[ours][1] / figures[theirs][1]
            print(f"  ratio {label + ':':26} {wall:5.2f}    {cpu:5.2f}     (goal <= {goal})")
        print("largest imports of iamdesk iam get-user (cumulative):")
        for row in import_profile(
            ["-m", "iamdesk", "--db", str(demo), "iam", "get-user", "--user-name", "alice"], env
        ):
            print("  " + row)


if __name__ == "__main__":
    main()
