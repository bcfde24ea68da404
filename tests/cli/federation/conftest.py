"""The ``cli`` fixture of the federation command tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamdesk.cli.main import main
from iamdesk.store.db import new_database


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """``iamdesk --db MODEL ...`` on a new model: (exit code, stdout, stderr)."""
    db = tmp_path / "model.sqlite"
    new_database(db).close()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    run.db = db  # type: ignore[attr-defined]
    return run


# The endpoint of ``iamdesk serve`` over the demo, as its own tests start it.
from tests.cli.test_endpoint import endpoint  # noqa: E402, F401
