"""Issue 8 items 9 and 12: ``create-virtual-mfa-device --outfile`` writes the seed or QR code
owner-only (0600), and an ``--outfile`` that cannot be written exits 252 having created nothing:
no device in the model, no file."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from iamdesk.cli.main import main
from iamdesk.store.db import new_database
from tests.small_disk import fill, small_disk


@pytest.fixture
def iam(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    db = tmp_path / "model.sqlite"
    new_database(db).close()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), "iam", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def create(iam, name: str, outfile: Path | str, method: str) -> tuple[int, str, str]:
    return iam(
        "create-virtual-mfa-device",
        "--virtual-mfa-device-name",
        name,
        "--outfile",
        str(outfile),
        "--bootstrap-method",
        method,
    )


def devices(iam) -> list[str]:
    code, out, err = iam("list-virtual-mfa-devices")
    assert code == 0, err
    return [d["SerialNumber"] for d in json.loads(out)["VirtualMFADevices"]]


@pytest.mark.parametrize("method", ["Base32StringSeed", "QRCodePNG"])
def test_the_secret_file_is_owner_only(iam, tmp_path: Path, method: str) -> None:
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.out"
        assert create(iam, "fresh", fresh, method)[0] == 0
        existing = tmp_path / "existing.out"
        existing.write_text("old")
        existing.chmod(0o644)
        assert create(iam, "existing", existing, method)[0] == 0
    finally:
        os.umask(old)
    for path in (fresh, existing):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert path.read_bytes() != b"old"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_an_unwritable_outfile_exits_252_and_creates_nothing(iam, tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    folder = tmp_path / "folder"
    folder.mkdir()
    places = [
        tmp_path / "no" / "such" / "dir" / "seed.txt",  # a missing folder
        folder,  # a folder
        plain / "seed.txt",  # under a file
        Path("/proc/self/seed.txt"),  # a place no one may create files
    ]
    before = sorted(p.name for p in tmp_path.iterdir())
    for index, place in enumerate(places):
        code, out, err = create(iam, f"dev{index}", place, "Base32StringSeed")
        assert code == 252, (place, err)
        assert out == "" and len(err.strip().splitlines()) == 1
        assert f"Unable to write --outfile {place}" in err
    assert devices(iam) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert list(folder.iterdir()) == [] and not (tmp_path / "no").exists()


def test_a_full_disk_while_writing_rolls_the_device_back(iam, tmp_path: Path) -> None:
    with small_disk(tmp_path / "small", 16) as disk:
        fill(disk)
        code, out, err = create(iam, "late", disk / "qr.png", "QRCodePNG")
        assert out == ""
        assert code == 252, err
        assert "Unable to write --outfile" in err and "No space left on device" in err
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "filler-tail"]
    assert devices(iam) == []
    code, _, err = create(iam, "late", tmp_path / "qr.png", "QRCodePNG")
    assert code == 0, err  # the name is free: nothing of the failed attempt stayed
