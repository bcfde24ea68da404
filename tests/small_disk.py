"""A real, small filesystem for the tests of full disks: a tmpfs of a few kilobytes mounted in a
temporary folder. Mounting needs root (or CAP_SYS_ADMIN); where it is not allowed the test is
skipped with a line saying why (``pytest -rs`` shows it)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_disk(where: Path, kilobytes: int) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    mount = shutil.which("mount")
    if mount is None:
        pytest.skip("full-disk test skipped: no mount command here to make a small filesystem")
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={kilobytes}k,mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["mount failed"])[0]
        pytest.skip(f"full-disk test skipped: cannot mount a small tmpfs here ({reason})")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False, capture_output=True)


def fill(folder: Path) -> None:
    """Fill the filesystem holding ``folder`` to the last byte."""
    for name, chunk in (("filler", 4096), ("filler-tail", 1)):
        with (folder / name).open("wb", buffering=0) as handle:
            try:
                while handle.write(b"\0" * chunk):
                    pass
            except OSError:
                pass
