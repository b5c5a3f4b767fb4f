"""Quitting a real tray while its worker waits on a keyring that never answers: the menu's Quit
(clicked through the exported menu, as the tray host does), SIGTERM, SIGHUP and the X server
going away each end it within 3 s with exit 0, and Qt never aborts on a running thread."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import StartTray, TrayProcess, _require
from tests.e2e.desktop_session import SNI_BINARIES, DesktopSession, wait_until
from tests.helpers.constants import REPO_ROOT
from tests.helpers.processes import OutputLines

pytestmark = pytest.mark.desktop
QUIT_BOUND = 3.0  # seconds: the requirement, from the quit to the process's end
START_BOUND = 60.0  # seconds: how long the tray may take to reach the keyring (not measured)
ENGLISH = {"LANGUAGE": "en", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


class SilentKeyring:
    """`tests.e2e.silent_keyring` on the session's bus: calls reach it and are never answered."""

    def __init__(self, session: DesktopSession) -> None:
        env = {**session.env, "PYTHONPATH": str(REPO_ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.silent_keyring"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        self.lines = OutputLines(self.process.stdout)
        assert self.next_line() == "ready"

    def next_line(self) -> str:
        line = self.lines.next_line(START_BOUND)
        if line is None:
            raise AssertionError("the silent keyring said nothing")
        return line

    def wait_for_a_call(self) -> None:
        """Returns once the tray's keyring read is waiting on this service."""
        while not self.next_line().startswith("call"):
            pass

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def silent_keyring(sni_desktop: DesktopSession) -> Iterator[SilentKeyring]:
    keyring = SilentKeyring(sni_desktop)
    yield keyring
    keyring.stop()


def start_waiting_tray(
    session: DesktopSession, start_tray: StartTray, keyring: SilentKeyring, home: Path
) -> TrayProcess:
    """A tray with no token in the environment: its worker reads the keyring, which hangs."""
    # The address is loopback and nothing listens there: no token could leave this machine.
    env = {**ENGLISH, "NEO_API_URL": "http://127.0.0.1:9"}
    tray = start_tray(session, home=home, extra_env=env)
    keyring.wait_for_a_call()
    return tray


def ended_cleanly(tray: TrayProcess) -> None:
    try:
        code = tray.process.wait(QUIT_BOUND)
    except subprocess.TimeoutExpired:
        message = f"still running {QUIT_BOUND} s after quitting: {tray.output()}"
        raise AssertionError(message) from None
    output = tray.output()
    assert code == 0, output
    assert "QThread: Destroyed" not in output
    assert "Traceback" not in output


def menu_item_id(session: DesktopSession, service: str, label: str) -> int:
    """The id of the exported (dbusmenu) item with this label, its mnemonic mark ("_") aside."""
    layout = session.dbus(
        f"--dest={service}",
        "/MenuBar",
        "com.canonical.dbusmenu.GetLayout",
        "int32:0",
        "int32:-1",
        "array:string:",
    )
    for match in re.finditer(r"int32 (\d+)\s+array \[(.*?)\]\s+array \[", layout, re.DOTALL):
        shown = re.search(r'string "label"\s+variant\s+string "([^"]*)"', match[2])
        if shown and shown[1].replace("_", "") == label:
            return int(match[1])
    raise AssertionError(f"no {label!r} in the exported menu: {layout}")


def test_quit_from_the_menu_while_the_keyring_hangs(
    sni_desktop: DesktopSession,
    start_tray: StartTray,
    silent_keyring: SilentKeyring,
    tmp_path: Path,
) -> None:
    before = set(sni_desktop.registered_items())
    tray = start_waiting_tray(sni_desktop, start_tray, silent_keyring, tmp_path)
    items = wait_until(lambda: [s for s in sni_desktop.registered_items() if s not in before], 30)
    assert items, tray.output()
    service = items[0].split("/", 1)[0]
    quit_id = menu_item_id(sni_desktop, service, "Quit")
    sni_desktop.dbus(
        f"--dest={service}",
        "/MenuBar",
        "com.canonical.dbusmenu.Event",
        f"int32:{quit_id}",
        "string:clicked",
        "variant:int32:0",
        "uint32:0",
    )
    ended_cleanly(tray)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_while_the_keyring_hangs(
    sni_desktop: DesktopSession,
    start_tray: StartTray,
    silent_keyring: SilentKeyring,
    tmp_path: Path,
    signum: signal.Signals,
) -> None:
    tray = start_waiting_tray(sni_desktop, start_tray, silent_keyring, tmp_path)
    tray.process.send_signal(signum)
    ended_cleanly(tray)


def test_losing_the_x_server_while_the_keyring_hangs(
    start_tray: StartTray, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _require(SNI_BINARIES)
    session = DesktopSession("sni", tmp_path_factory.mktemp("lost-display")).start()
    keyring = SilentKeyring(session)
    try:
        tray = start_waiting_tray(session, start_tray, keyring, tmp_path)
        display = session.env["DISPLAY"].lstrip(":")
        x_server = int(Path(f"/tmp/.X{display}-lock").read_text().strip())  # Xvfb's PID
        os.kill(x_server, signal.SIGKILL)
        ended_cleanly(tray)
        assert "The display went away" in tray.output()  # it was the display that went
    finally:
        keyring.stop()
        session.stop()
