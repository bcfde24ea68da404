"""A service's botocore model and paginators, kept in the user's cache folder in Python's own
``marshal`` form: reading IAM's back takes ~2 ms, where botocore's loader spends ~20 ms on its
gzipped JSON (and more finding it) on every command.

The entry is keyed by everything the loader would read: botocore's version and, for each of its
search paths (``~/.aws/models`` first, then botocore's own data), the name, size and mtime of
every file in the service's folders, plus the Python version (``marshal``'s format is Python's).
A changed, added or removed model file, another botocore or another Python makes the entry
stale; it is then loaded the ordinary way and rewritten. Each installation (its search paths and
Python) has an entry file of its own: virtual environments side by side do not take turns
rewriting one. An entry is written to a temporary file and renamed into place (two commands at
once never see half of one); one that cannot be read or written (a read-only home, a damaged
file) is ignored: the command runs as without a cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TYPES = ("service-2", "paginators-1")  # the model files read; also keys of an entry
ENTRY_KEYS = (*TYPES, "commands")


def cache_folder() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("iamdesk")) / "botocore"


def _key(loader: Any, name: str) -> list[Any]:
    import botocore

    files: list[Any] = []
    for root in loader.search_paths:
        folder = os.path.join(root, name)
        try:
            versions = sorted(os.listdir(folder))
        except OSError:
            continue  # no such service under this search path
        for version in versions:
            where = os.path.join(folder, version)
            try:
                names = sorted(os.listdir(where))
            except OSError:
                continue
            for file_name in names:
                if file_name.startswith(TYPES):
                    stat = os.stat(os.path.join(where, file_name))
                    files.append([where, file_name, stat.st_size, stat.st_mtime_ns])
    return [botocore.__version__, list(sys.version_info[:2]), marshal.version, files]


def _file_name(loader: Any, name: str) -> str:
    """One entry per service, Python version and set of search paths: two installations (two
    virtual environments, another Python) keep an entry each instead of taking turns rewriting
    one; an upgrade in place rewrites its own once."""
    where = "\0".join([*map(str, loader.search_paths), sys.version])
    digest = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"{name}.{digest}.marshal"


def _plain(data: Any) -> Any:
    """botocore's OrderedDicts as dicts (same order): what ``marshal`` can write."""
    return json.loads(json.dumps(data))


def _read(path: Path, key: list[Any]) -> dict[str, Any] | None:
    try:
        entry = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None  # missing, unreadable or damaged: load the ordinary way
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    found: dict[str, Any] = entry.get("models", {})
    return found if all(isinstance(found.get(k), dict) for k in ENTRY_KEYS) else None


def _write(path: Path, key: list[Any], models: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(marshal.dumps({"key": key, "models": models}))
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        log.debug("botocore model cache not written (%s): %s", path, exc)


def load_models(loader: Any, name: str) -> dict[str, Any]:
    """``{"service-2": ..., "paginators-1": ..., "commands": ...}`` of botocore service ``name``:
    its two model files (paginators ``{}`` for a service without them) and CLI command name ->
    operation name."""
    key = _key(loader, name)
    path = cache_folder() / _file_name(loader, name)
    found = _read(path, key)
    if found is not None:
        return found
    from botocore import xform_name
    from botocore.exceptions import DataNotFoundError

    service = _plain(loader.load_service_model(name, "service-2"))
    # The AWS CLI's command name of each operation (``list-users``), derived once here.
    commands = {xform_name(op, "-"): op for op in service.get("operations", {})}
    models = {"service-2": service, "commands": commands}
    try:
        models["paginators-1"] = _plain(loader.load_service_model(name, "paginators-1"))
    except DataNotFoundError:  # a service without paginators has no such file
        models["paginators-1"] = {}
    _write(path, key, models)
    return models
