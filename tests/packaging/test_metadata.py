"""Fast checks of the packaging metadata (the slow tests build and install the real thing)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from setuptools import find_packages

from iamdesk.cli.main import main
from iamdesk.core.packaged import resource_path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_under_iamdesk_is_listed_for_the_wheel() -> None:
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = set(find_packages(str(ROOT), include=["iamdesk*"])) | {"iamdesk.resources"}
    missing = sorted(found - listed)
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"
    assert not sorted(listed - found), "pyproject.toml lists packages that do not exist"


def test_the_package_data_patterns_cover_every_shipped_file() -> None:
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["iamdesk.resources"]
    shipped = {
        p.relative_to(ROOT / "resources")
        for p in (ROOT / "resources").rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    }
    covered = {
        p.relative_to(ROOT / "resources")
        for pat in patterns
        for p in (ROOT / "resources").glob(pat)
    }
    uncovered = sorted(str(p) for p in shipped - covered)
    assert not uncovered, f"resources/ files the wheel would leave out: {uncovered}"


def test_resources_are_found_through_the_package() -> None:
    assert resource_path("aws-managed-policies.jsonl.xz").is_file()
    assert resource_path("icons", "app.svg").is_file()


def test_version_comes_from_the_package_metadata(capsys) -> None:
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert capsys.readouterr().out.strip() == f"iamdesk {PYPROJECT['project']['version']}"


def test_the_app_uses_only_the_qt_modules_the_bundle_ships() -> None:
    # packaging/iamdesk.spec keeps QtCore, QtGui, QtWidgets and QtSvg; a new Qt module must be added
    # there (QT_LIBS_KEPT and the excludes) or the desktop bundle breaks.
    used = set()
    for path in (ROOT / "iamdesk").rglob("*.py"):
        used |= set(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    assert used <= {"QtCore", "QtGui", "QtWidgets", "QtSvg"}, sorted(used)
