"""A display that does not answer (DISPLAY set, nothing there) is one clear sentence and exit 2,
never Qt's abort (SIGABRT) with its lines about platform plugins."""

from __future__ import annotations

import subprocess

from desktop.core.errors import EXIT_USAGE
from tests.e2e.desktop_session import free_display
from tests.helpers.processes import assert_one_clean_line, run_app


def run_tray(display: str) -> subprocess.CompletedProcess[str]:
    return run_app("--demo", env={"DISPLAY": display}, drop=("QT_QPA_PLATFORM", "WAYLAND_DISPLAY"))


def test_a_display_where_nothing_listens_is_one_sentence_and_exit_2() -> None:
    display = f":{free_display()}"
    result = run_tray(display)
    assert result.returncode == EXIT_USAGE, result.stderr
    assert_one_clean_line(result.stderr)
    assert f"DISPLAY={display}" in result.stderr
    assert "--once" in result.stderr  # what works without a display


def test_the_display_name_cannot_drive_the_terminal() -> None:
    result = run_tray(f"\x1b]52;c;ZWNobyBwd25lZA==\x07:{free_display()}")
    assert result.returncode == EXIT_USAGE, result.stderr
    assert "\x1b" not in result.stderr
    assert "\x07" not in result.stderr
    assert_one_clean_line(result.stderr)
