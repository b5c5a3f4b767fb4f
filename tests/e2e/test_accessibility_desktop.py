"""The detail window as a screen reader meets it: the app on a real X11 session with the AT-SPI
bus (the platform's accessibility bus), its tree walked by the AT-SPI client library that screen
readers use (Debian's python3-gi with gir1.2-atspi-2.0, run by the system's Python), checking the
names and roles of the header figures, the tabs and the tables."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.desktop_session import DESKTOP_DROPS, DesktopSession
from tests.helpers.processes import start_app

pytestmark = pytest.mark.desktop
SYSTEM_PYTHON = "/usr/bin/python3"
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
# Walks the accessibility tree of the application named argv[1] once its tabs are there; prints
# one "role<TAB>name" line per node. Run by the system Python, which has the GObject bindings.
WALKER = r"""
import sys, time
import gi
gi.require_version("Atspi", "2.0")
from gi.repository import Atspi

def walk(node, depth, out):
    if node is None or depth > 40:
        return
    try:
        out.append((node.get_role_name(), node.get_name() or ""))
        count = node.get_child_count()
    except Exception:
        return
    for index in range(count):
        try:
            walk(node.get_child_at_index(index), depth + 1, out)
        except Exception:
            pass

deadline = time.time() + 30
while time.time() < deadline:
    desktop = Atspi.get_desktop(0)
    for index in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(index)
        if app is not None and app.get_name() == sys.argv[1]:
            out = []
            walk(app, 0, out)
            names = [name for role, name in out]
            if any(role == "page tab" for role, _ in out) and any(n.startswith(sys.argv[2]) for n in names):
                print("\n".join(f"{role}\t{name}" for role, name in out))
                sys.exit(0)
    time.sleep(0.5)
sys.exit("the application never showed its tree")
"""


def need_atspi() -> None:
    missing = [tool for tool in ("Xvfb", "dbus-launch", BUS_LAUNCHER) if not shutil.which(tool)]
    check = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('Atspi', '2.0')"],
        capture_output=True,
        check=False,
    )
    if check.returncode != 0:
        missing.append("python3-gi with gir1.2-atspi-2.0")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"on CI: missing {missing}")
        pytest.skip(f"needs {missing}")


#: What a screen reader hears, in English and in German (the names come from the catalogs).
HEARD = {
    "en": {
        "balance": "Available: ",
        "gauge": "Available share of issued credits",
        "expiry": "Expires in ",
        "refresh": "Refresh now",
        "tabs": ["Overview", "Models", "Status", "Periods", "Team", "BYOK", "Tasks", "History"],
        "tables": ["Models table", "Statuses table", "Periods table", "Team table"],
        "figure": "Credits used in range: ",
    },
    "de": {
        "balance": "Verfügbar: ",
        "gauge": "Verfügbarer Anteil der ausgegebenen Credits",
        "expiry": "Läuft in ",
        "refresh": "Jetzt aktualisieren",
        "tabs": [
            "Übersicht",
            "Modelle",
            "Status",
            "Perioden",
            "Team",
            "BYOK",
            "Aufgaben",
            "Verlauf",
        ],
        "tables": ["Tabelle Modelle", "Tabelle Status", "Tabelle Perioden", "Tabelle Team"],
        "figure": "Verbrauchte Credits im Zeitraum: ",
    },
}


@pytest.mark.parametrize("language", sorted(HEARD))
def test_a_screen_reader_finds_the_figures_tabs_and_tables(tmp_path: Path, language: str) -> None:
    need_atspi()
    heard = HEARD[language]
    session = DesktopSession("none", tmp_path).start()
    env = session.env_for(tmp_path)
    bus = subprocess.Popen(
        [BUS_LAUNCHER, "--launch-immediately"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log = tmp_path / "tray.log"
    with log.open("wb") as output:
        tray = start_app(  # no tray host: the app opens its window
            "--demo",
            env={**env, "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1", "LANGUAGE": language},
            drop=DESKTOP_DROPS,
            stdout=output,
        )
    try:
        walked = subprocess.run(
            [SYSTEM_PYTHON, "-c", WALKER, "neo-usage-tray", str(heard["balance"])],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        tray.terminate()
        tray.wait(15)
        bus.terminate()
        bus.wait(10)
        session.stop()
    assert walked.returncode == 0, walked.stderr + log.read_text(errors="replace")
    nodes = [tuple(line.split("\t", 1)) for line in walked.stdout.splitlines()]
    roles = {name: role for role, name in nodes}

    # The header: the balance, its gauge and the expiry, each said as a whole sentence.
    assert any(role == "label" and name.startswith(str(heard["balance"])) for role, name in nodes)
    assert roles.get(str(heard["gauge"])) == "progress bar"
    assert any(role == "label" and name.startswith(str(heard["expiry"])) for role, name in nodes)
    assert roles.get(str(heard["refresh"])) == "push button"
    # The tabs, by name, and the tables (the charts' text equivalents), by name and role.
    tabs = [name for role, name in nodes if role == "page tab"]
    assert tabs == heard["tabs"]
    for table in heard["tables"]:
        assert roles.get(table) == "table", table
    # An overview figure carries its value in its name (a label's name is what is read).
    assert any(
        role == "label" and name.startswith(str(heard["figure"])) and name[-1].isdigit()
        for role, name in nodes
    )
    # Every control a user can act on has a name.
    unnamed = [role for role, name in nodes if role in {"push button", "combo box"} and not name]
    assert unnamed == []
