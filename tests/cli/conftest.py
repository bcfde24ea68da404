"""Fixtures of the ``iamdesk`` command tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamdesk.cli.main import main
from iamdesk.store.db import new_database


@pytest.fixture
def iam(model_place: Path | str, capsys: pytest.CaptureFixture[str]):
    db = model_place if isinstance(model_place, str) else model_place / "model.sqlite"
    if isinstance(db, Path):
        new_database(db).close()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), "iam", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    run.db = str(db)  # type: ignore[attr-defined]
    return run


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """``iamdesk --db MODEL ARGS...`` on a new model: (exit code, stdout, stderr)."""
    db = tmp_path / "model.sqlite"
    new_database(db).close()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    run.db = db  # type: ignore[attr-defined]
    return run
