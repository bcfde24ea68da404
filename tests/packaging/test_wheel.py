"""The sdist and wheel a release would publish, installed as a user installs them: built with
``python -m build`` (the wheel from the sdist), installed with pip into a new virtual environment
outside the checkout, and run there with a fresh home and nothing of the checkout on the path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

# What the program reads at run time, as it sits in the installed package.
SHIPPED = [
    "iamdesk/resources/aws-managed-policies.jsonl.xz",
    "iamdesk/resources/NOTICE.md",
    "iamdesk/resources/icons/app.svg",
    "iamdesk/resources/icons/users.svg",
    "iamdesk/resources/desktop/io.github.iamdesk.desktop",
    "iamdesk/resources/desktop/io.github.iamdesk.metainfo.xml",
    "iamdesk/resources/desktop/io.github.iamdesk.mime.xml",
    "iamdesk/resources/desktop/io.github.iamdesk.svg",
    "iamdesk/resources/desktop/icons/hicolor/512x512/apps/io.github.iamdesk.png",
]

CASE = {
    "id": "wheel",
    "principal": {"arn": "arn:aws:iam::111122223333:user/alice", "account": "111122223333"},
    "identity_policies": [
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
        }
    ],
    "request": {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
}


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = out.glob("iamdesk-*.whl")
    (sdist,) = out.glob("iamdesk-*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


@pytest.fixture(scope="module")
def installed(dists: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with the wheel and its dependencies installed by pip."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(dists["wheel"])],
        check=True,
        capture_output=True,
        text=True,
    )
    return venv


def _run(
    venv: Path, home: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "IAMDESK_", "XDG_"))
    }
    env["IAMDESK_NO_SERVER"] = "1"  # no fork server left running after the test
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", PATH=f"{venv / 'bin'}:{env['PATH']}")
    return subprocess.run(
        [str(venv / "bin" / "iamdesk"), *args],
        cwd=home,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_wheel_and_sdist_carry_the_data_and_the_licence(dists: dict[str, Path]) -> None:
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        names = set(wheel.namelist())
    assert set(SHIPPED) <= names
    assert not any(name.startswith(("resources/", "tests/")) for name in names)
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        metadata = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    assert b"License-Expression: LicenseRef-Proprietary" in metadata
    assert any(n.endswith(".dist-info/licenses/resources/NOTICE.md") for n in names)
    with tarfile.open(dists["sdist"]) as archive:
        members = archive.getnames()
    sdist = {name.split("/", 1)[1] for name in members if "/" in name}
    assert {"pyproject.toml", "README.md", "resources/aws-managed-policies.jsonl.xz"} <= sdist


def test_the_installed_wheel_runs_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # The package comes from the new environment, not from this checkout.
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import iamdesk; print(iamdesk.__file__)"],
        cwd=home,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(installed))

    version = _run(installed, home, "--version")
    assert version.returncode == 0, version.stderr
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert version.stdout.strip() == f"iamdesk {expected}"

    demo = _run(installed, home, "demo")
    assert demo.returncode == 0, demo.stderr
    model = home / ".local" / "share" / "iamdesk" / "iamdesk.sqlite"
    assert model.is_file(), demo.stdout

    policy = _run(
        installed,
        home,
        "iam",
        "get-policy",
        "--policy-arn",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
    )
    assert policy.returncode == 0, policy.stderr
    assert json.loads(policy.stdout)["Policy"]["PolicyName"] == "ReadOnlyAccess"

    version_doc = _run(
        installed,
        home,
        "iam",
        "get-policy-version",
        "--policy-arn",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "--version-id",
        "v1",
    )
    assert version_doc.returncode == 0, version_doc.stderr
    assert json.loads(version_doc.stdout)["PolicyVersion"]["Document"]["Statement"]

    batch = _run(installed, home, "simulate", "--cases", "-", stdin=json.dumps(CASE) + "\n")
    assert batch.returncode == 0, batch.stderr
    assert json.loads(batch.stdout)["decision"] == "allowed"

    for view in ("dashboard", "policies"):
        out = home / f"{view}.png"
        shot = _run(installed, home, "--screenshot", str(out), "--view", view)
        assert shot.returncode == 0, shot.stderr
        # A real picture of the window (the PNG signature, and more than an empty frame).
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert out.stat().st_size > 20_000
        # The icons came from the installed package: no warning about a missing one.
        assert "missing" not in shot.stderr
