"""Every shell command the README shows is run here, so the README cannot rot.

The README's ```sh blocks run in order, each as one bash script with ``set -e``, as a new user
would type them: a scratch home (so ``iamdesk demo`` writes where a user's would), a scratch
working directory and this environment's ``iamdesk`` first on ``PATH``. A command that would open
the GUI gets ``--screenshot`` added, so it renders the window offscreen and exits; the picture must
appear. Blocks after ``<!-- readme-test: slow -->`` (building and installing) run in the slow test,
in a copy of the checkout, after the README's first line has set that copy up from nothing.
The README's second line is the test command; ``.ci/run`` must run exactly it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"(<!-- readme-test: slow -->\n)?```sh\n(.*?)```", re.DOTALL)
# Options of the bare `iamdesk` command (the GUI); anything else is a subcommand.
GUI_OPTIONS_WITH_VALUE = {"--db", "--account-id", "--view"}
GUI_FLAGS = {"--demo"}
MODEL_SUFFIXES = (".iamdesk", ".sqlite")  # `iamdesk FILE` opens the app on FILE


@dataclass(frozen=True)
class Block:
    script: str
    slow: bool


def blocks() -> list[Block]:
    return [Block(m.group(2), m.group(1) is not None) for m in BLOCK.finditer(README)]


def opens_gui(line: str) -> bool:
    try:
        words = shlex.split(line)
    except ValueError:
        return False
    if not words or not (words[0] == "iamdesk" or words[0].endswith("/iamdesk")):
        return False
    rest = words[1:]
    while rest:
        word = rest.pop(0)
        if word in GUI_OPTIONS_WITH_VALUE:
            rest = rest[1:]
        elif word not in GUI_FLAGS and not word.endswith(MODEL_SUFFIXES):
            return False
    return True


def with_screenshots(script: str, shots: Path) -> tuple[str, list[Path]]:
    """The script with ``--screenshot`` added to each command that opens the GUI (also the last
    command of an ``a && b && iamdesk`` line), and the pictures they must write."""
    lines, pictures = [], []
    for line in script.splitlines():
        last = line.rsplit("&&", 1)[-1]
        if opens_gui(last.strip()):
            picture = shots / f"gui-{len(pictures)}.png"
            pictures.append(picture)
            line = f"{line} --screenshot {shlex.quote(str(picture))}"
        lines.append(line)
    return "\n".join(lines) + "\n", pictures


SERVE_PORT = re.compile(r"\bserve\b[^\n]*--port (\d+)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def on_a_free_port(script: str, port: int) -> str:
    """A block that serves on a fixed port (``serve --port 4566``) with ``port`` in its place
    throughout (the ``--endpoint-url`` too): two suites at once would otherwise collide on the
    README's port. The commands are otherwise the README's, as written."""
    found = SERVE_PORT.search(script)
    if found is None:
        return script
    return re.sub(rf"(?<!\d){found.group(1)}(?!\d)", str(port), script)


def user_env(home: Path, path_first: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "IAMDESK_", "XDG_"))
    }
    env["IAMDESK_NO_SERVER"] = "1"  # no fork server left running after the test
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", PATH=f"{path_first}:{env['PATH']}")
    return env


def run_script(script: str, cwd: Path, env: dict[str, str], timeout: float) -> None:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"README block failed:\n{script}\n{done.stdout}\n{done.stderr}"


def test_the_readme_opens_with_the_two_commands_and_ci_runs_the_second() -> None:
    first = blocks()[0]
    assert README.startswith("```sh\n"), "the two commands stay at the very top"
    setup, tests = first.script.splitlines()
    assert setup.startswith("python3 -m venv .venv && ") and opens_gui(setup.split("&&")[-1])
    assert "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text()
    assert tests in ci.splitlines(), ".ci/run must run the README's test command as written"


def test_the_readme_has_no_merge_conflict_markers() -> None:
    markers = [
        number
        for number, line in enumerate(README.splitlines(), 1)
        if line.startswith(("<<<<<<< ", ">>>>>>> ")) or line == "======="
    ]
    assert not markers, f"unresolved merge in README.md at lines {markers}"


def test_the_gui_detection_tells_the_app_from_subcommands() -> None:
    assert opens_gui("iamdesk") and opens_gui(".venv/bin/iamdesk --demo")
    assert opens_gui("iamdesk --db m.sqlite --view roles") and opens_gui("iamdesk team.iamdesk")
    assert not opens_gui("iamdesk demo") and not opens_gui("iamdesk --db m.sqlite iam list-users")
    assert not opens_gui("iamdesk --screenshot x.png")


def test_a_serving_block_runs_on_a_free_port() -> None:
    served = [b.script for b in blocks() if SERVE_PORT.search(b.script)]
    assert served, "the README shows `iamdesk serve --port ...`"
    fixed = SERVE_PORT.search(served[0]).group(1)  # type: ignore[union-attr]
    moved = on_a_free_port(served[0], 50123)
    assert "--port 50123" in moved and "http://127.0.0.1:50123" in moved
    assert not re.search(rf"(?<!\d){fixed}(?!\d)", moved)
    assert on_a_free_port("iamdesk --db m.iamdesk iam list-users\n", 50123) == (
        "iamdesk --db m.iamdesk iam list-users\n"
    )


def test_every_command_block_runs(tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = user_env(home, Path(sys.executable).parent)
    ran = 0
    for block in blocks()[1:]:
        if block.slow:
            continue
        script, pictures = with_screenshots(on_a_free_port(block.script, free_port()), tmp_path)
        run_script(script, work, env, timeout=300)
        for picture in pictures:
            assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture
        ran += 1
    assert ran >= 2


def _copy_checkout(dest: Path) -> Path:
    """The files a clone would have (tracked, plus new files not ignored), without the venv."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


@pytest.mark.slow
def test_the_first_line_sets_up_a_fresh_checkout_and_the_install_steps_work(
    tmp_path: Path,
) -> None:
    checkout = _copy_checkout(tmp_path / "iamdesk")
    home = tmp_path / "home"
    home.mkdir()
    env = user_env(home, checkout / ".venv" / "bin")
    setup = blocks()[0].script.splitlines()[0]
    script, pictures = with_screenshots(setup, tmp_path)
    run_script(script, checkout, env, timeout=900)
    assert pictures and pictures[0].stat().st_size > 20_000
    assert (home / ".local" / "share" / "iamdesk").is_dir(), "--demo writes the demo file"
    slow = [b for b in blocks() if b.slow]
    assert slow
    for block in slow:
        script, pictures = with_screenshots(block.script, tmp_path)
        run_script(script, checkout, env, timeout=900)
        for picture in pictures:
            assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture


@pytest.mark.slow
def test_the_readme_pictures_exist_and_the_script_makes_them(tmp_path: Path) -> None:
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert len(pictures) >= 3
    for picture in pictures:
        assert (ROOT / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture
    done = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "screenshots.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    made = {p.name for p in tmp_path.glob("*.png")}
    assert {Path(p).name for p in pictures} <= made
