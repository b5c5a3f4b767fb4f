"""What the tray imports to start: what only a later action needs (the settings dialog, the
detail window) is imported when that action first comes, not at start (issue 26: RSS)."""

from __future__ import annotations

import subprocess
import sys

#: Imported on first use only: each costs the tray's RSS after start a megabyte or more.
LATER = ("desktop.ui.settings_dialog", "desktop.ui.detail")


def test_the_tray_starts_without_what_later_actions_need() -> None:
    probe = (
        "import sys; import desktop.cli, desktop.launcher, desktop.app; "
        f"print(sorted(m for m in sys.modules if m.startswith({LATER!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
