"""A command loads the service module it runs and not the others of its command table: every
``iamdesk`` command starts a fresh process, so what it imports is what it costs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from iamdesk.store.db import new_database

CHECK = """
import sys
from iamdesk.cli.main import main

code = main(["--db", sys.argv[1], "iam", *sys.argv[2:]])
loaded = sorted(m for m in sys.modules if m.startswith("iamdesk.services."))
print(code, " ".join(loaded))
"""
OTHERS = ("inline_policies", "mfa", "credential_report", "instance_profiles", "login_profiles")


def _loaded(model: Path, *args: str) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(model), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    code, _, names = done.stdout.splitlines()[-1].partition(" ")
    return int(code), {name.removeprefix("iamdesk.services.") for name in names.split()}


def test_a_command_loads_its_own_service_only(tmp_path: Path) -> None:
    model = tmp_path / "model.iamdesk"
    new_database(model).close()
    code, loaded = _loaded(model, "create-user", "--user-name", "alice")
    assert code == 0 and "users" in loaded
    assert not loaded & set(OTHERS)
    code, loaded = _loaded(model, "list-mfa-devices", "--user-name", "alice")
    assert code == 0 and "mfa" in loaded
    assert not loaded & (set(OTHERS) - {"mfa"})
