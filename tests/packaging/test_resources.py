"""Desktop metadata and icons: validated by the same tools distributions use."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QImageReader
from pytestqt.qtbot import QtBot

from desktop.system import autostart, resources
from tests.conftest import REPO_ROOT

RESOURCES = REPO_ROOT / "resources"
APP_ID = autostart.APP_ID


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} missing on CI")
        pytest.skip(f"{tool} not installed (tests/run.sh installs it as root)")
    return found


def test_desktop_file_validates() -> None:
    tool = need("desktop-file-validate")
    result = subprocess.run(
        [tool, str(RESOURCES / f"{APP_ID}.desktop")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_autostart_entry_validates(tmp_path: Path) -> None:
    tool = need("desktop-file-validate")
    path = tmp_path / f"{APP_ID}.desktop"
    path.write_text(autostart.desktop_entry(["/opt/Neo Usage/neo-tray", "--flag"]))
    result = subprocess.run([tool, str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_metainfo_validates() -> None:
    tool = need("appstreamcli")
    result = subprocess.run(
        [tool, "validate", "--no-net", str(RESOURCES / f"{APP_ID}.metainfo.xml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_icons_from_one_source_are_all_there(qtbot: QtBot) -> None:
    files = resources.app_icon_files()
    sizes = [int(path.stem.rsplit("-", 1)[-1]) for path in files]
    assert sizes == [16, 22, 24, 32, 48, 64, 128, 256, 512]
    for path, size in zip(files, sizes, strict=True):
        image = QImageReader(str(path)).read()
        assert (image.width(), image.height()) == (size, size)
    ico = (RESOURCES / "neo-usage-tray.ico").read_bytes()
    assert ico[:4] == b"\x00\x00\x01\x00"
    assert int.from_bytes(ico[4:6], "little") == 7  # seven sizes, 16 to 256
    assert (RESOURCES / "neo-usage-tray.icns").read_bytes()[:4] == b"icns"


def test_macos_bundle_keys() -> None:
    import plistlib

    keys = plistlib.loads((RESOURCES / "Info.plist").read_bytes())
    assert keys["LSUIElement"] is True
    assert keys["NSHighResolutionCapable"] is True
    assert keys["CFBundleIdentifier"] == APP_ID
