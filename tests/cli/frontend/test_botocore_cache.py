"""Commands read botocore's service model from the user's cache folder once it is there: the same
output as without it, a damaged or unwritable cache changes nothing a user sees, and a changed
model file (another botocore, ~/.aws/models) is read afresh."""

from __future__ import annotations

import json
import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.loaders import Loader

from iamdesk.cli.frontend import botocore_cache
from iamdesk.store.db import new_database

BIN = Path(sys.executable).parent


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "model.iamdesk"
    new_database(path).close()
    return path


def _run(model: Path, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return subprocess.run(
        [str(BIN / "iamdesk"), "--db", str(model), "iam", *args],
        env=env,
        capture_output=True,
        text=True,
    )


def _entry(cache: Path) -> Path:
    (found,) = (cache / "iamdesk" / "botocore").glob("iam.*.marshal")
    return found


def test_the_cache_is_written_once_and_gives_the_same_answers(model: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _run(model, cache, "create-user", "--user-name", "alice")
    assert first.returncode == 0, first.stderr
    entry = _entry(cache)
    written = entry.stat().st_mtime_ns
    for args in (
        ("get-user", "--user-name", "alice"),
        ("list-users", "--max-items", "1"),
        ("get-user", "--user-nam", "alice"),  # a usage error, from the model's options
        ("no-such-command",),
    ):
        cached = _run(model, cache, *args)
        fresh = _run(model, tmp_path / f"fresh-{len(args)}-{args[0]}", *args)
        assert (cached.returncode, cached.stdout, cached.stderr) == (
            fresh.returncode,
            fresh.stdout,
            fresh.stderr,
        )
    assert (
        json.loads(_run(model, cache, "get-user", "--user-name", "alice").stdout)["User"][
            "UserName"
        ]
        == "alice"
    )
    assert entry.stat().st_mtime_ns == written  # read, not rewritten


def test_a_damaged_or_unwritable_cache_is_ignored(model: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _run(model, cache, "list-users").returncode == 0
    entry = _entry(cache)
    entry.write_bytes(b"\x00not marshal")
    done = _run(model, cache, "list-users")
    assert (done.returncode, done.stdout, done.stderr) == (0, '{\n    "Users": []\n}\n', "")
    assert marshal.loads(entry.read_bytes())["models"]["commands"]["list-users"] == "ListUsers"

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would go")
    done = _run(model, blocked, "list-users")
    assert (done.returncode, done.stdout, done.stderr) == (0, '{\n    "Users": []\n}\n', "")


def test_a_changed_model_file_is_read_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    models = tmp_path / "models"
    original = Path(Loader().search_paths[-1]) / "sts"
    shutil.copytree(original, models / "sts")
    (service_file,) = (models / "sts").glob("*/service-2.json*")
    loader = Loader(extra_search_paths=[str(models)])
    first = botocore_cache.load_models(loader, "sts")
    assert first["commands"]["get-caller-identity"] == "GetCallerIdentity"
    assert botocore_cache.load_models(Loader(extra_search_paths=[str(models)]), "sts") == first

    data = Loader().load_service_model("sts", "service-2")
    data["operations"]["GetCallerIdentityAgain"] = data["operations"]["GetCallerIdentity"]
    service_file.unlink()
    service_file.with_name("service-2.json").write_text(json.dumps(data))
    changed = botocore_cache.load_models(Loader(extra_search_paths=[str(models)]), "sts")
    assert changed["commands"]["get-caller-identity-again"] == "GetCallerIdentityAgain"
    assert "GetCallerIdentityAgain" not in first["service-2"]["operations"]


def test_two_installations_keep_an_entry_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    models = tmp_path / "models"
    shutil.copytree(Path(Loader().search_paths[-1]) / "sts", models / "sts")
    here, there = Loader(), Loader(extra_search_paths=[str(models)])
    assert botocore_cache.load_models(here, "sts") == botocore_cache.load_models(there, "sts")
    entries = sorted((tmp_path / "cache" / "iamdesk" / "botocore").glob("sts.*.marshal"))
    assert len(entries) == 2
    written = [entry.stat().st_mtime_ns for entry in entries]
    for loader in (Loader(), Loader(extra_search_paths=[str(models)]), Loader()):
        botocore_cache.load_models(loader, "sts")
    assert [entry.stat().st_mtime_ns for entry in entries] == written  # read, never rewritten
