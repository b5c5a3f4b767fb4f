"""Window titles name the product once: Qt adds the display name to every title that does not
end with it ("Settings — Neo Usage"), so a title must not carry it too. Checked on a real X
server, where the window manager reads _NET_WM_NAME."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

CHILD = """
import subprocess, sys
from PySide6.QtWidgets import QMessageBox, QWidget
from desktop.core.settings import Settings
from desktop.launcher import make_application
from desktop.ui.settings_dialog import SettingsDialog
demo = sys.argv[1] == "demo"
app = make_application(demo)
dialog = SettingsDialog(Settings())
window = QWidget()  # the detail window's title, as app.py sets it
window.setWindowTitle("Neo Usage (demo)" if demo else "Neo Usage")
box = QMessageBox(QMessageBox.Icon.Question, app.applicationDisplayName(), "Remove?")
for shown in (dialog, window, box):
    shown.show()
for _ in range(20):
    app.processEvents()
for shown in (dialog, window, box):
    out = subprocess.run(["xprop", "-id", str(int(shown.winId())), "_NET_WM_NAME"],
                         capture_output=True, text=True, check=True).stdout
    print(out.split(" = ", 1)[1].strip().strip('"'))
"""


@pytest.fixture(scope="module")
def x_server() -> Iterator[dict[str, str]]:
    if not (shutil.which("Xvfb") and shutil.which("xprop")):
        pytest.skip("needs Xvfb and xprop (x11-utils)")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as numbers:
        display = numbers.readline().strip()
    yield {**os.environ, "DISPLAY": f":{display}", "QT_QPA_PLATFORM": "xcb"}
    server.terminate()
    server.wait(10)


@pytest.mark.desktop
@pytest.mark.parametrize(
    ("mode", "titles"),
    [
        ("tray", ["Settings — Neo Usage", "Neo Usage", "Neo Usage"]),
        ("demo", ["Settings — Neo Usage (demo)", "Neo Usage (demo)", "Neo Usage (demo)"]),
    ],
)
def test_each_title_names_the_product_once(
    x_server: dict[str, str], tmp_path: Path, mode: str, titles: list[str]
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, mode],
        env={**x_server, "HOME": str(tmp_path), "LANGUAGE": "en"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == titles
