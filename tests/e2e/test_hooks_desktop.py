"""The event hook for real (issue 30): a tray process on the virtual desktop with dunst, polling
the fake API over loopback with NEO_API_TOKEN, its settings naming a hook that appends its
environment to a file. Each notification on the bus runs the hook once, with the documented
variables and no token anywhere in its environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core import hooks
from desktop.fakeapi import FakeNeoApi
from desktop.system.paths import APP_NAME
from tests.e2e.conftest import StartTray
from tests.e2e.desktop_session import DesktopSession, notify_calls, wait_until

pytestmark = pytest.mark.desktop
TOKEN = "neo_sk_hook_e2e_0123456789abcdef"
#: The hook: one JSON line per run, its whole environment (append: runs never overwrite).
RECORD = (
    "import json, os, sys\n"
    "with open(sys.argv[1], 'a', encoding='utf-8') as out:\n"
    "    out.write(json.dumps(dict(os.environ)) + '\\n')\n"
)


def write_settings(home: Path, hook: list[str]) -> None:
    folder = home / "xdg_config_home" / APP_NAME
    folder.mkdir(parents=True, mode=0o700)
    path = folder / "settings.json"
    path.write_text(
        json.dumps({"accounts": [{"id": "default", "name": "Default"}], "hook_command": hook})
    )
    path.chmod(0o600)


def runs(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_each_notification_runs_the_hook_once_with_the_variables_and_no_token(
    sni_desktop: DesktopSession, start_tray: StartTray, tmp_path: Path
) -> None:
    record = tmp_path / "hook-runs.jsonl"
    write_settings(tmp_path, [sys.executable, "-c", RECORD, str(record)])
    log = sni_desktop.monitor_notifications()
    before = len(notify_calls(log))
    with FakeNeoApi(token=TOKEN, scenario="low") as api:
        tray = start_tray(
            sni_desktop,
            extra_env={
                "NEO_API_TOKEN": TOKEN,
                "NEO_API_URL": api.url,
                "NEO_TRAY_POLL_SECONDS": "1",
                "A_COPY_OF_THE_TOKEN": TOKEN,  # a known token under another name: left out
                "HOOK_E2E_MARK": "kept",
            },
        )

        def shown() -> list[str]:
            return [call.summary for call in notify_calls(log)[before:]]

        assert wait_until(lambda: "Neo credits running low" in shown(), 60), tray.output()
        api.scenario = "critical"
        assert wait_until(lambda: "Neo credits almost gone" in shown(), 60), tray.output()
        api.scenario = "empty"
        assert wait_until(lambda: "Neo credits used up" in shown(), 60), tray.output()
        assert wait_until(lambda: len(runs(record)) >= len(shown()), 30), tray.output()
        subprocess.run(["sleep", "3"], check=True)  # more polls: nothing new is said or run
        calls = shown()
        hooked = runs(record)
        assert tray.stop() == 0
    # Once per notification: the same titles, in the same order, none twice.
    assert [run["NEO_TITLE"] for run in hooked] == calls, tray.output()
    credit_runs = [run for run in hooked if run["NEO_EVENT"] in {"low", "critical", "empty"}]
    assert [run["NEO_EVENT"] for run in credit_runs] == ["low", "critical", "empty"]
    assert [run["NEO_LEVEL"] for run in credit_runs] == ["low", "critical", "empty"]
    for run in hooked:
        assert set(hooks.EVENT_VARIABLES) <= run.keys()
        assert run["NEO_EVENT"] in hooks.EVENT_IDS
        assert run["NEO_ACCOUNT"] == "environment"  # NEO_API_TOKEN's account
        assert run["NEO_BODY"]
        for figure in ("NEO_AVAILABLE_CREDITS", "NEO_ISSUED_CREDITS"):
            text = run[figure]
            assert text.replace(".", "", 1).lstrip("-").isdigit(), (figure, text)
            assert "," not in text
            assert "e" not in text.lower()
        assert run["NEO_EXPIRES_AT"] == "" or run["NEO_EXPIRES_AT"].endswith("Z")
        # No token: not the variable, not a copy, not a piece of it anywhere.
        assert "NEO_API_TOKEN" not in run
        assert "A_COPY_OF_THE_TOKEN" not in run
        assert not any(TOKEN[i : i + 12] in value for value in run.values() for i in range(20))
        assert run["HOOK_E2E_MARK"] == "kept"  # the rest of the app's environment is passed
        assert run.get("DBUS_SESSION_BUS_ADDRESS") == sni_desktop.env.get(
            "DBUS_SESSION_BUS_ADDRESS", os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        )
    assert TOKEN not in record.read_text()
