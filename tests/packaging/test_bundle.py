"""The PyInstaller one-folder bundle: built by packaging/build_bundle.py, started offscreen with
``--screenshot`` and used for a CLI command, with a fresh home and nothing of the checkout on the
path. It must leave out the Qt modules and plugins the app does not use."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
# Measured at 179 MiB (ICU 38, Qt 27, Python 35, the IAM catalog 15, botocore's 10 services 3); a
# regression that pulls in QML, WebEngine, every botocore model or the test tools adds tens of MiB.
MAX_MIB = 190


def _builder():
    spec = importlib.util.spec_from_file_location(
        "build_bundle", ROOT / "packaging" / "build_bundle.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("PyInstaller", reason="pip install -e '.[bundle]'")
    out = tmp_path_factory.mktemp("bundle")
    return _builder().build(out / "dist", out / "work")


def _run(bundle: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "IAMDESK_", "XDG_"))
    }
    env["IAMDESK_NO_SERVER"] = "1"  # no fork server left running after the test
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [str(bundle / "iamdesk"), *args], cwd=home, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_the_bundle_is_lean(bundle: Path) -> None:
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    names = {p.name for p in files}
    assert "libQt6Widgets.so.6" in names and "libqsvgicon.so" in names and "libqxcb.so" in names
    unused = ("libQt6Network", "libQt6Qml", "libQt6Quick", "libQt6Pdf", "libQt6WaylandClient")
    assert not [n for n in names if n.startswith(unused)]
    assert not [n for n in names if n.startswith(("libgtk", "libcairo", "libpango"))]
    assert not (bundle / "_internal" / "hypothesis").exists()
    assert not [p for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]
    size = sum(p.stat().st_size for p in files) / 2**20
    assert size < MAX_MIB, f"{size:.0f} MiB"


def test_the_bundle_runs_the_app_and_the_command_line(bundle: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    version = _run(bundle, home, "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("iamdesk ") and "unknown" not in version.stdout

    shot = home / "users.png"
    gui = _run(bundle, home, "--demo", "--screenshot", str(shot), "--view", "users")
    assert gui.returncode == 0, gui.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    assert "missing" not in gui.stderr  # every icon found in the bundle

    model = str(home / "model.iamdesk")
    made = _run(bundle, home, "--db", model, "demo")
    assert made.returncode == 0, made.stderr
    policy = _run(
        bundle, home, "--db", model, "iam", "get-policy-version",
        "--policy-arn", "arn:aws:iam::aws:policy/PowerUserAccess", "--version-id", "v12",
    )  # fmt: skip
    assert policy.returncode == 0, policy.stderr
    assert json.loads(policy.stdout)["PolicyVersion"]["VersionId"] == "v12"
