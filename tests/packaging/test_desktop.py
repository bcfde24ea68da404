"""Linux desktop integration: the desktop entry, the AppStream metainfo, the model file type and
the icon, checked by the freedesktop tools where installed (``.ci/run`` installs them) and by
their schemas here; ``iamdesk --install-desktop-entry`` run as a user would, into a scratch
``XDG_DATA_HOME``; ``iamdesk FILE`` (what a double-click runs) opening that file."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from iamdesk.core.packaged import APP_ID

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "resources" / "desktop"
IAMDESK = Path(sys.executable).parent / "iamdesk"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
MODEL_TYPE = "application/x-iamdesk-model"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def _entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return found


def test_the_desktop_entry_is_valid_and_opens_model_files() -> None:
    path = DESKTOP / f"{APP_ID}.desktop"
    entry = _entry(path)
    assert entry["Type"] == "Application" and entry["Name"] == "iamdesk"
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].endswith(" %f")
    assert MODEL_TYPE in entry["MimeType"].split(";")
    assert "application/vnd.sqlite3" in entry["MimeType"].split(";")
    done = subprocess.run(
        [_tool("desktop-file-validate"), str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0 and "error" not in done.stdout, done.stdout


def test_the_metainfo_is_valid_with_screenshots_kept_in_the_repository() -> None:
    path = DESKTOP / f"{APP_ID}.metainfo.xml"
    root = ET.parse(path).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("metadata_license") == "CC0-1.0"
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert root.find("releases/release").get("version") == version  # type: ignore[union-attr]
    images = [image.text or "" for image in root.iter("image")]
    assert len(images) >= 2
    for url in images:
        # Published from this repository: each picture is one that packaging/screenshots.py made.
        assert url.startswith("https://"), url
        assert (ROOT / "packaging" / "screenshots" / url.rsplit("/", 1)[-1]).is_file(), url
    assert root.find("provides/mediatype").text == MODEL_TYPE  # type: ignore[union-attr]
    done = subprocess.run(
        [_tool("appstreamcli"), "validate", "--no-net", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_model_file_type_is_a_kind_of_sqlite_database() -> None:
    root = ET.parse(DESKTOP / f"{APP_ID}.mime.xml").getroot()
    [mime_type] = root.findall(f"{MIME_NS}mime-type")
    assert mime_type.get("type") == MODEL_TYPE
    assert mime_type.find(f"{MIME_NS}sub-class-of").get("type") == "application/vnd.sqlite3"  # type: ignore[union-attr]
    assert [g.get("pattern") for g in mime_type.findall(f"{MIME_NS}glob")] == ["*.iamdesk"]


def test_the_icon_comes_in_every_size_the_desktop_looks_up() -> None:
    assert ET.parse(DESKTOP / f"{APP_ID}.svg").getroot().tag.endswith("svg")
    for size in SIZES:
        image = QImage(
            str(DESKTOP / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png")
        )
        assert (image.width(), image.height()) == (size, size)
        # Drawn, not blank: the middle is opaque, the corner (outside the rounded tile) clear.
        assert image.pixelColor(size // 2, size // 2).alpha() == 255
        assert image.pixelColor(0, 0).alpha() == 0


def _user_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "IAMDESK_"))}
    env["IAMDESK_NO_SERVER"] = "1"  # no fork server left running after the test
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "data"))
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def test_install_desktop_entry_for_one_user_without_root(tmp_path: Path) -> None:
    env = _user_env(tmp_path)
    data = tmp_path / "data"
    done = subprocess.run(
        [str(IAMDESK), "--install-desktop-entry"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    entry = _entry(data / "applications" / f"{APP_ID}.desktop")
    program, placeholder = entry["Exec"].rsplit(" ", 1)
    assert placeholder == "%f"
    assert Path(program).is_file() and os.access(program, os.X_OK), program
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    for size in SIZES:
        assert (data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (data / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert (data / "mime" / "packages" / f"{APP_ID}.xml").is_file()
    if shutil.which("update-mime-database"):
        # The desktop now maps *.iamdesk to the type, and the type to iamdesk.
        assert f"{MODEL_TYPE}:*.iamdesk" in (data / "mime" / "globs2").read_text()
    if shutil.which("update-desktop-database"):
        cache = (data / "applications" / "mimeinfo.cache").read_text()
        assert f"{MODEL_TYPE}={APP_ID}.desktop;" in cache

    # Installing again is harmless; uninstalling removes every file it wrote.
    again = subprocess.run([str(IAMDESK), "--install-desktop-entry"], env=env, capture_output=True)
    assert again.returncode == 0
    gone = subprocess.run(
        [str(IAMDESK), "--uninstall-desktop-entry"], env=env, capture_output=True, text=True
    )
    assert gone.returncode == 0, gone.stderr
    assert not (data / "applications" / f"{APP_ID}.desktop").exists()
    assert not list(data.rglob(f"{APP_ID}*"))


def test_a_double_clicked_model_file_opens_in_the_app(tmp_path: Path) -> None:
    env = _user_env(tmp_path)
    model = tmp_path / "team.iamdesk"
    made = subprocess.run(
        [str(IAMDESK), "--db", str(model), "demo"], env=env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    shot = tmp_path / "shot.png"
    # What the desktop entry runs: `iamdesk %f`.
    opened = subprocess.run(
        [str(IAMDESK), "--screenshot", str(shot), "--view", "users", str(model)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert opened.returncode == 0, opened.stderr
    assert shot.stat().st_size > 20_000
    # The file named is the one opened: a damaged one is refused, naming it.
    broken = tmp_path / "broken.iamdesk"
    broken.write_bytes(b"not a database")
    refused = subprocess.run(
        [str(IAMDESK), str(broken), "--screenshot", str(shot)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 1
    assert "broken.iamdesk" in refused.stderr


def test_the_window_has_the_app_icon_and_desktop_file_name(qtbot) -> None:
    from PySide6.QtGui import QGuiApplication

    from iamdesk.ui.app import application

    app = application()
    assert QGuiApplication.desktopFileName() == APP_ID
    sizes = {s.width() for s in app.windowIcon().availableSizes()}
    assert {16, 32, 48, 256, 512} <= sizes
