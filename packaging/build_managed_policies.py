"""Build ``resources/aws-managed-policies.json.gz``: every AWS managed policy and its document.

The documents come from the ``moto`` package on PyPI, which ships AWS's managed policies as one JSON
string in ``moto/iam/aws_managed_policies.py``. The wheel is downloaded with pip into a temporary
directory (or given with ``--wheel``) and the string is read with ``ast``, so nothing from moto is
imported or executed and moto never becomes a dependency of iamdesk.

Usage: ``python packaging/build_managed_policies.py [--wheel moto-X.whl] [--out PATH]``
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MODULE = "moto/iam/aws_managed_policies.py"
VARIABLE = "aws_managed_policies_data"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "resources" / "aws-managed-policies.json.gz"


def download_wheel(directory: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "moto", "--no-deps"]
    subprocess.run([*command, "--only-binary=:all:", "-d", str(directory), "--quiet"], check=True)
    wheels = sorted(directory.glob("moto-*.whl"))
    if not wheels:
        raise SystemExit(f"pip did not leave a moto wheel in {directory}")
    return wheels[-1]


def read_policy_table(wheel: Path) -> dict[str, dict[str, object]]:
    """The name -> data mapping moto keeps, read from the module's source without running it."""
    with zipfile.ZipFile(wheel) as archive:
        source = archive.read(MODULE).decode("utf-8")
    for node in ast.parse(source).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == VARIABLE for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            table: dict[str, dict[str, object]] = json.loads(node.value.value)
            return table
    raise SystemExit(f"{wheel.name}: {MODULE} has no string {VARIABLE}")


def catalog_entries(table: dict[str, dict[str, object]], source: str) -> dict[str, object]:
    policies = []
    for name in sorted(table, key=str.lower):
        data = table[name]
        path = str(data.get("Path") or "/")
        policies.append(
            {
                "PolicyName": name,
                "Arn": f"arn:aws:iam::aws:policy{path}{name}",
                "Path": path,
                # moto does not carry descriptions; AWS's are short and optional.
                "Description": str(data.get("Description") or ""),
                "DefaultVersionId": data.get("DefaultVersionId") or "v1",
                "CreateDate": data.get("CreateDate"),
                "UpdateDate": data.get("UpdateDate"),
                "Document": data["Document"],
            }
        )
    return {"source": source, "count": len(policies), "policies": policies}


def write_catalog(catalog: dict[str, object], out: Path) -> None:
    text = json.dumps(catalog, separators=(",", ":"), sort_keys=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the file byte-identical across rebuilds of the same data.
    with (
        out.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz,
    ):
        gz.write(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a moto wheel already downloaded")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        table = read_policy_table(wheel)
        catalog = catalog_entries(table, source=wheel.name)
    write_catalog(catalog, args.out)
    size = args.out.stat().st_size
    print(f"{catalog['count']} policies from {wheel.name} -> {args.out} ({size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
