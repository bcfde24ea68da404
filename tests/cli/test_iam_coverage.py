"""Every operation of botocore's IAM model is either an ``iamdesk iam`` command or listed in the
README's "AWS operations not modelled" table with a reason; never both, never neither.

Two models count: botocore's own (what ``iamdesk`` loads) and the copy the AWS CLI v1 vendors
(``awscli/botocore``, older: what ``aws iam`` offers). They are read from the installed files, not
through ``import botocore``, because importing ``awscli`` swaps the ``botocore`` module for its
vendored copy for the rest of the process.
"""

from __future__ import annotations

import gzip
import importlib.metadata
import json
import re
import subprocess
import sys
from pathlib import Path

from iamdesk.cli import iam

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = re.compile(r"<!-- not-modelled:start -->(.*?)<!-- not-modelled:end -->", re.DOTALL)
ROW = re.compile(r"^\| `([a-z0-9-]+)` \| (.+?) \|$", re.MULTILINE)


def not_modelled() -> dict[str, str]:
    match = SECTION.search(README.read_text(encoding="utf-8"))
    assert match, "README lost its not-modelled table"
    rows = ROW.findall(match.group(1))
    names = [name for name, _ in rows]
    assert len(names) == len(set(names)), "an operation is listed twice"
    return dict(rows)


def _operations(distribution: str, folder: str) -> set[str]:
    try:
        root = Path(str(importlib.metadata.distribution(distribution).locate_file(folder)))
    except importlib.metadata.PackageNotFoundError:
        return set()
    found: set[str] = set()
    for path in root.glob("*/service-2.json*"):
        raw = path.read_bytes()
        data = json.loads(gzip.decompress(raw) if path.suffix == ".gz" else raw)
        found |= {_cli_name(name) for name in data["operations"]}
    return found


def _cli_name(name: str) -> str:
    from iamdesk.cli.frontend.model import cli_name

    return cli_name(name)


def botocore_operations() -> set[str]:
    operations = _operations("botocore", "botocore/data/iam")
    assert len(operations) >= 176
    return operations | _operations("awscli", "awscli/botocore/data/iam")


def implemented() -> set[str]:
    iam._load_extensions(None)
    return set(iam.COMMANDS)


def test_every_botocore_operation_is_implemented_or_documented() -> None:
    operations = botocore_operations()
    listed = not_modelled()
    commands = implemented()
    assert sorted(operations - commands - set(listed)) == []
    assert sorted(commands & set(listed)) == [], "implemented now: remove from the README table"
    assert sorted(set(listed) - operations) == [], "not an operation of botocore's IAM model"
    assert sorted(commands - operations) == []
    for name, why in listed.items():
        assert len(why.split()) >= 6, f"{name}: give a real reason"


def test_a_not_modelled_operation_says_so(tmp_path: Path) -> None:
    name = sorted(not_modelled())[0]
    result = subprocess.run(
        [sys.executable, "-m", "iamdesk", "--db", str(tmp_path / "m.iamdesk"), "iam", name],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 252
    assert "AWS operations not modelled" in result.stderr
