"""Imports point down only: ui -> services/analysis -> store -> core; cli -> services/analysis/ui;
launch (the console script and its fork servers, the app's loading ui) -> cli, ui.

Walks every module's import statements (including those inside functions) and checks them
against the allowed layers, so a violation fails CI rather than waiting for review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "iamdesk"

# For each layer, the iamdesk layers it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "store": {"core"},
    "services": {"store", "core"},
    "analysis": {"services", "store", "core"},
    "ui": {"services", "analysis", "store", "core"},
    "cli": {"ui", "services", "analysis", "store", "core"},
    "launch": {"cli", "ui", "services", "analysis", "store", "core"},
}
THIRD_PARTY_FORBIDDEN_IN_CORE = ("PySide6", "sqlmodel", "sqlalchemy")
QT_ALLOWED_LAYERS = {"ui"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) > 1 and parts[0] in ALLOWED:
            found.append((parts[0], path))
    return found


@pytest.mark.parametrize(("layer", "path"), _modules(), ids=lambda v: str(v))
def test_imports_point_down(layer: str, path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")
        if top[0] == "iamdesk" and len(top) > 1 and top[1] in ALLOWED and top[1] != layer:
            assert top[1] in ALLOWED[layer], f"{path}: layer {layer} must not import {name}"
        if top[0] == "PySide6":
            assert layer in QT_ALLOWED_LAYERS, f"{path}: only ui may import Qt ({name})"
        if layer == "core":
            assert top[0] not in THIRD_PARTY_FORBIDDEN_IN_CORE, f"{path}: core imports {name}"


def test_the_check_sees_modules() -> None:
    layers = {layer for layer, _ in _modules()}
    assert {"core", "cli", "ui"} <= layers
