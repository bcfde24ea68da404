"""Build the one-folder desktop bundle ``dist/iamdesk/`` with PyInstaller and report its size.

    .venv/bin/pip install -e '.[bundle]'
    .venv/bin/python packaging/build_bundle.py

Run ``dist/iamdesk/iamdesk`` (the GUI; any ``iamdesk`` subcommand works too). Copy or archive the
whole folder: the executable finds its Python, Qt and data beside it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "iamdesk.spec"


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(dist: Path, work: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level=WARN",
            f"--distpath={dist}",
            f"--workpath={work}",
            str(SPEC),
        ],
        cwd=ROOT,
        check=True,
    )
    return dist / "iamdesk"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    ns = parser.parse_args()
    bundle = build(ns.dist, ns.work)
    print(f"built {bundle / 'iamdesk'}: {folder_size(bundle) / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
