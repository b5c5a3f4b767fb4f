"""SIGTERM ends a tray whose detail window and settings are both open (a damaged settings file
opens both). Qt 6's `quit()` asks every window to close first and gives up when one refuses,
and the detail window refuses (it hides instead): the signal was ignored in most such runs."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from tests.helpers.constants import REPO_ROOT
from tests.helpers.processes import start_app

QUIT_BOUND = 3.0  # seconds, the requirement
ROUNDS = 3


def start_tray(home: Path) -> subprocess.Popen[bytes]:
    config = home / "config" / "neo-usage-tray"
    config.mkdir(parents=True, mode=0o700)
    (config / "settings.json").write_text("{bad")  # damaged: the address is lost
    return start_app(
        env={
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_STATE_HOME": str(home / "state"),
            "XDG_DATA_HOME": str(home / "data"),
            "QT_QPA_PLATFORM": "offscreen",
            "NEO_API_TOKEN": "token-never-sent-0123456789",
            "PYTHONPATH": str(REPO_ROOT),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        },
        drop=("NEO_", "XDG_"),
        stdout=subprocess.PIPE,
    )


def test_sigterm_ends_the_tray_with_its_window_and_settings_open(tmp_path: Path) -> None:
    for round_number in range(ROUNDS):
        tray = start_tray(tmp_path / f"home{round_number}")
        try:
            # No tray host offscreen: the window shows, and the lost address opens the settings.
            time.sleep(3)
            assert tray.poll() is None, tray.communicate()[0].decode(errors="replace")
            tray.send_signal(signal.SIGTERM)
            try:
                code = tray.wait(QUIT_BOUND)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"round {round_number}: SIGTERM was ignored") from None
            output = tray.communicate()[0].decode(errors="replace")
            assert code == 0, output
            assert "Traceback" not in output
        finally:
            if tray.poll() is None:
                tray.kill()
                tray.wait()
