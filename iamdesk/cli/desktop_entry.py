"""``iamdesk --install-desktop-entry``: make iamdesk a desktop application for this user, no root.

Writes, under ``$XDG_DATA_HOME`` (``~/.local/share``): the desktop entry (its ``Exec`` naming this
very program, so a virtual environment or a bundle need not be on ``PATH``), the icon in SVG and
PNG sizes, the ``application/x-iamdesk-model`` file type (``*.iamdesk``; the entry also opens
``*.sqlite`` models) and the AppStream metainfo; then refreshes the desktop's caches when their
tools are installed. ``--uninstall-desktop-entry`` removes exactly those files.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from iamdesk.core.packaged import APP_ID, resource_path


def data_home() -> Path:
    # The XDG base directory spec: an unset or relative XDG_DATA_HOME means ~/.local/share.
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def launcher() -> list[str]:
    """The command that starts this iamdesk: the bundle's executable, the console script beside
    this Python (a virtual environment's ``bin/iamdesk``), else ``python -m iamdesk``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    beside = Path(sys.executable).parent / "iamdesk"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside.absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "iamdesk"]


def exec_line(command: list[str]) -> str:
    # Desktop entry Exec quoting: arguments with reserved characters go in double quotes, with
    # `"`, `` ` ``, `$` and `\` escaped by a backslash (the Desktop Entry spec, "The Exec key").
    def quote(arg: str) -> str:
        if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`"):
            return arg
        escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        return f'"{escaped}"'

    return " ".join(quote(arg) for arg in command) + " %f"


def planned_files(home: Path) -> dict[Path, Path | str]:
    """Each file to write under ``home`` and where its content comes from."""
    desktop = resource_path("desktop")
    entry = (desktop / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    lines = [
        f"Exec={exec_line(launcher())}" if line.startswith("Exec=") else line
        for line in entry.splitlines()
    ]
    files: dict[Path, Path | str] = {
        home / "applications" / f"{APP_ID}.desktop": "\n".join(lines) + "\n",
        home / "mime" / "packages" / f"{APP_ID}.xml": desktop / f"{APP_ID}.mime.xml",
        home / "metainfo" / f"{APP_ID}.metainfo.xml": desktop / f"{APP_ID}.metainfo.xml",
        home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg": desktop
        / f"{APP_ID}.svg",
    }
    for png in sorted((desktop / "icons" / "hicolor").glob(f"*/apps/{APP_ID}.png")):
        files[home / png.relative_to(desktop)] = png
    return files


def _refresh_caches(home: Path) -> list[str]:
    """Run the desktop's cache tools that are installed; name the ones that are not."""
    tools = [
        ["update-mime-database", str(home / "mime")],
        ["update-desktop-database", "-q", str(home / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(home / "icons" / "hicolor")],
    ]
    absent = []
    for command in tools:
        if shutil.which(command[0]) is None:
            absent.append(command[0])
            continue
        subprocess.run(command, check=False, capture_output=True)
    return absent


def install() -> int:
    home = data_home()
    try:
        for target, source in planned_files(home).items():
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(source, Path):
                shutil.copyfile(source, target)
            else:
                target.write_text(source, encoding="utf-8")
    except OSError as exc:
        print(f"iamdesk: cannot install the desktop entry: {exc}", file=sys.stderr)
        return 1
    absent = _refresh_caches(home)
    print(f"installed the desktop entry {home / 'applications' / (APP_ID + '.desktop')}")
    print(f"it starts: {shlex.join(launcher())}")
    if absent:
        print(f"not found, so not refreshed (the desktop catches up later): {', '.join(absent)}")
    return 0


def uninstall() -> int:
    home = data_home()
    removed = 0
    for target in planned_files(home):
        if target.is_file():
            target.unlink()
            removed += 1
    _refresh_caches(home)
    print(f"removed {removed} files of the desktop entry from {home}")
    return 0
