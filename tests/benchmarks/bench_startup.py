"""Start-up figures, measured in one run so the machine's load weighs on both sides alike:

- ``iamdesk iam get-user`` on the demo model against ``aws --version`` (the real AWS CLI v1,
  a test dependency); goal: ratio <= 0.75. Twice: cold (``IAMDESK_NO_SERVER=1``: the command
  imports everything itself, as the first command of a session does) and warm (through the fork
  server, started before the timed rounds in a private runtime folder and stopped after). The
  warm CPU time is the client's plus the forked child's (which the server reports);
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
import re
import resource
import shutil
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


def children_cpu(env: dict[str, str]) -> float:
    """CPU seconds the fork servers' children (commands and app) have used so far."""
    from iamdesk.launch.command import ask
    from iamdesk.launch.place import RUNTIME_VARIABLE, all_places

    # The only server in the private folder (this script's own sys.path, and so its
    # fingerprint, differ from the console script's).
    total = 0.0
    found = False
    for server in all_places(env[RUNTIME_VARIABLE]):
        info = ask(server, "status")
        if info is not None:
            total += float(info["children_cpu"])
            found = True
    if not found:
        raise SystemExit("the fork server is not running")
    return total


def medians(
    commands: dict[str, tuple[list[str], dict[str, str]]],
) -> dict[str, tuple[float, float]]:
    """Each command's median (wall, CPU) seconds, the commands taking turns round by round."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(ROUNDS):
        for name, (command, env) in commands.items():
            warm = "IAMDESK_NO_SERVER" not in env
            before = children_cpu(env) if warm else 0.0
            wall, cpu = run_once(command, env)
            runs[name].append((wall, cpu + (children_cpu(env) - before if warm else 0.0)))
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
    base = {k: v for k, v in os.environ.items() if k != "IAMDESK_NO_SERVER"}
    base["QT_QPA_PLATFORM"] = "offscreen"
    cold = {**base, "IAMDESK_NO_SERVER": "1"}
    # A short private folder for the server's socket (AF_UNIX paths are short).
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory(dir="/tmp") as run:
        warm = {**base, "IAMDESK_RUNTIME_DIR": run}
        iamdesk = str(BIN / "iamdesk")
        demo = Path(tmp) / "demo.iamdesk"
        subprocess.run([iamdesk, "--db", str(demo), "demo"], check=True, env=cold,
                       capture_output=True)  # fmt: skip
        for which in ([], ["--app"]):
            subprocess.run([iamdesk, "fork-server", "start", *which], check=True, env=warm,
                           capture_output=True)  # fmt: skip
        try:
            shots = {which: Path(tmp) / f"dashboard-{which}.png" for which in ("cold", "warm")}
            get_user = [iamdesk, "--db", str(demo), "iam", "get-user", "--user-name", "alice"]
            dashboard = {
                which: [iamdesk, "--db", str(demo), "--screenshot", str(shot), "--view",
                        "dashboard"] for which, shot in shots.items()
            }  # fmt: skip
            figures = medians(
                {
                    "aws --version": ([str(BIN / "aws"), "--version"], cold),
                    "iamdesk iam get-user, cold": (get_user, cold),
                    "iamdesk iam get-user, warm": (get_user, warm),
                    "iamdesk --screenshot dashboard, cold": (dashboard["cold"], cold),
                    "iamdesk --screenshot dashboard, warm": (dashboard["warm"], warm),
                    "bare PySide6 window to PNG": ([sys.executable, "-c", BARE_WINDOW,
                                                    str(Path(tmp) / "bare.png")], cold),
                },
            )  # fmt: skip
            served = _served(warm)
        finally:
            subprocess.run([iamdesk, "fork-server", "stop"], env=warm, capture_output=True)
        print(f"load: {os.getloadavg()[0]:.2f} (1-minute average, {os.cpu_count()} CPUs)")
        print(f"{'':34} {'wall':>8} {'CPU':>8}")
        for name, (wall, cpu) in figures.items():
            print(f"{name + ':':34} {wall * 1000:5.0f} ms {cpu * 1000:5.0f} ms")
        for label, ours, theirs, goal in (
            ("get-user cold / aws", "iamdesk iam get-user, cold", "aws --version", 0.75),
            ("get-user warm / aws", "iamdesk iam get-user, warm", "aws --version", 0.75),
            ("dashboard cold / bare", "iamdesk --screenshot dashboard, cold",
             "bare PySide6 window to PNG", 3.0),
            ("dashboard warm / bare", "iamdesk --screenshot dashboard, warm",
             "bare PySide6 window to PNG", 3.0),
        ):  # fmt: skip
            wall = figures[ours][0] / figures[theirs][0]
            cpu = figures[ours][1] / figures[theirs][1]
            print(f"  ratio {label + ':':26} {wall:5.2f}    {cpu:5.2f}     (goal <= {goal})")
        print(f"the fork servers ran {served} of the {2 * ROUNDS} warm runs")
        kept = Path(tempfile.gettempdir()) / "bench_startup_dashboard_{}.png"
        for which, shot in shots.items():
            shutil.copyfile(shot, str(kept).format(which))
        same = shots["cold"].read_bytes() == shots["warm"].read_bytes()
        print(f"the dashboards: {str(kept).format('cold|warm')} (identical: {same})")
        print("largest imports of iamdesk iam get-user, cold (cumulative):")
        for row in import_profile(
            ["-m", "iamdesk", "--db", str(demo), "iam", "get-user", "--user-name", "alice"], cold
        ):
            print("  " + row)


def _served(env: dict[str, str]) -> int:
    done = subprocess.run([str(BIN / "iamdesk"), "fork-server", "status"], env=env,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return sum(int(n) for n in re.findall(r"(\d+) commands served", done.stdout))


if __name__ == "__main__":
    main()
