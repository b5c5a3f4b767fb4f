"""What the tray imports to start: what only a later action needs (the settings dialog, the
detail window) is imported when that action first comes, not at start (issue 26: RSS)."""

from __future__ import annotations

import subprocess
import sys

#: Imported on first use only: each costs the tray's RSS after start a megabyte or more.
#: QtNetwork: Unix's single-instance socket is Python's; the reachability watch loads after a
#: failed poll. plistlib (and its XML parser): macOS's start at login only.
LATER = ("desktop.ui.settings_dialog", "desktop.ui.detail", "PySide6.QtNetwork", "plistlib")


def test_the_tray_starts_without_what_later_actions_need() -> None:
    probe = (
        "import sys; import desktop.cli, desktop.launcher, desktop.app; "
        f"print(sorted(m for m in sys.modules if m.startswith({LATER!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_the_sources_pyside_reads_at_import_are_let_go() -> None:
    """PySide6's import hook reads the source of each module imported after it, and linecache
    would keep it all (megabytes): the launcher drops it once the tray is built, and a
    traceback still shows its lines."""
    probe = (
        "import linecache, traceback; import PySide6.QtWidgets; import desktop.app; "
        "from desktop.launcher import forget_imported_sources; "
        "before = len(linecache.cache); forget_imported_sources(); after = len(linecache.cache)\n"
        "try:\n    desktop.app.TrayApp(None)\n"
        "except Exception as exc:\n    shown = traceback.format_exception(exc)[-2]\n"
        "print(before > 50, after, 'settings = loaded.settings' in shown)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["True", "0", "True"]
