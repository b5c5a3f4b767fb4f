from __future__ import annotations

import plistlib
import sys
from pathlib import Path

import pytest

from desktop.system import autostart


def test_desktop_entry_quotes_paths_with_spaces() -> None:
    text = autostart.desktop_entry(["/opt/my apps/neo-tray"])
    assert "[Desktop Entry]" in text
    assert 'Exec="/opt/my apps/neo-tray"' in text
    assert "Type=Application" in text
    plain = autostart.desktop_entry(["/usr/bin/python3", "-m", "desktop"])
    assert "Exec=/usr/bin/python3 -m desktop" in plain


def test_launch_agent_plist() -> None:
    data = plistlib.loads(
        autostart.launch_agent(["/Applications/Neo Usage.app/Contents/MacOS/neo-tray"])
    )
    assert data["Label"] == autostart.APP_ID
    assert data["RunAtLoad"] is True
    assert data["ProgramArguments"] == ["/Applications/Neo Usage.app/Contents/MacOS/neo-tray"]


def test_windows_run_value() -> None:
    assert (
        autostart.windows_run_value([r"C:\Program Files\Neo\neo-tray.exe"])
        == r'"C:\Program Files\Neo\neo-tray.exe"'
    )


def test_launch_command_points_at_this_installation() -> None:
    command = autostart.launch_command()
    assert command[0]
    assert Path(command[0]).exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG autostart is Linux")
def test_enable_and_disable_on_linux(isolated_home: Path) -> None:
    path = autostart.linux_path()
    assert str(path).startswith(str(isolated_home))
    assert not path.exists()
    autostart.enable(["/usr/bin/neo-tray"])
    assert "Exec=/usr/bin/neo-tray" in path.read_text()
    autostart.disable()
    assert not path.exists()
    autostart.disable()  # twice is fine
