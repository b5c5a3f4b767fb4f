"""The terminal gets the app's own sentences only: log lines (a damaged settings file's pydantic
detail among them) go to the log file unless --log-level asks for them on stderr."""

from __future__ import annotations

import subprocess
from pathlib import Path

from desktop.fakeapi import FakeNeoApi
from tests.helpers.processes import NO_KEYRING, api_env, app_env, run_app, start_app

TOKEN = "test-token-123456"
#: Three invalid values: pydantic's report of them is many lines with links to its docs.
DAMAGED = (
    '{"accounts": [{"id": "default", "name": "Work", "base_url": "http://neo.example.test"}],'
    ' "poll_interval_minutes": "abc", "low_threshold": 7}'
)


def damaged_settings(home: Path) -> dict[str, str]:
    """An environment whose settings file holds invalid values."""
    config = home / "xdg_config_home" / "neo-usage-tray"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text(DAMAGED)
    return app_env(NO_KEYRING)


def log_text(home: Path) -> str:
    path = home / "xdg_state_home" / "neo-usage-tray" / "log" / "neo-tray.log"
    return path.read_text() if path.exists() else ""


def test_once_with_damaged_settings_prints_only_its_failure(isolated_home: Path) -> None:
    env = damaged_settings(isolated_home)
    result = run_app("--once", "--json", env={**env, "NEO_API_TOKEN": TOKEN})
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "damaged" in lines[0]
    # The detail is kept in the log: the fields and why, never their values.
    assert "Some settings are invalid: accounts.0.base_url" in log_text(isolated_home)


def test_once_with_damaged_settings_succeeds_silently(
    isolated_home: Path, fake_api: FakeNeoApi
) -> None:
    env = damaged_settings(isolated_home)
    result = run_app("--once", "--json", env={**env, **api_env(fake_api, TOKEN)})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "The setting poll_interval_minutes is invalid" in log_text(isolated_home)


def test_tray_with_damaged_settings_writes_no_warning_to_the_terminal(
    isolated_home: Path, tmp_path: Path
) -> None:
    env = damaged_settings(isolated_home)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env.update(NEO_API_TOKEN=TOKEN, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime))
    stderr_path = tmp_path / "stderr"
    with stderr_path.open("wb") as stderr:
        tray = start_app(env=env, stderr=stderr)
    try:
        # The repair is logged before the window shows; its last line is the user notice.
        waited = 0
        while "nothing is sent until you set it" not in log_text(isolated_home):
            assert tray.poll() is None, stderr_path.read_text()
            try:
                tray.wait(0.2)
            except subprocess.TimeoutExpired:
                waited += 1
            assert waited < 300, log_text(isolated_home)
    finally:
        tray.kill()  # what it printed is the question here, not how it quits
        tray.wait()
    terminal = stderr_path.read_text()
    assert "WARNING" not in terminal
    assert "validation error" not in terminal
    assert "pydantic" not in terminal
    assert "Some settings are invalid: accounts.0.base_url" in log_text(isolated_home)
