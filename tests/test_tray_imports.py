"""What the tray imports to start: what only a later action needs (the settings dialog, the
detail window) is imported when that action first comes, not at start (issue 26: RSS)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: Imported on first use only: each costs the tray's RSS after start a megabyte or more.
#: QtNetwork: Unix's single-instance socket is Python's; the reachability watch loads after a
#: failed poll. plistlib (and its XML parser): macOS's start at login only. The event hook's
#: runner (QProcess): when a hook first runs, or the settings' Test. The year's history (its
#: heatmap, its file): the detail window's. OpenMetrics: the command line's.
LATER = (
    "desktop.ui.settings_dialog",
    "desktop.ui.detail",
    "desktop.ui.hook_runner",
    "desktop.core.history",
    "desktop.system.history_cache",
    "desktop.core.openmetrics",
    "PySide6.QtNetwork",
    "plistlib",
)


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


def test_the_first_icon_shows_without_the_painter_nor_qts_enum_namespace(tmp_path: Path) -> None:
    """The launcher's steps up to the icon shown: no painter (gauge), no use of any enum of
    PySide's `Qt` namespace, which creates all of them at once (13-15 ms, 1.3 MB), and the log
    set up without `logging.handlers` (socket, pickle, queue)."""
    probe = (
        "import sys; import PySide6.QtCore as core\n"
        "import desktop.cli, desktop.arguments, desktop.launcher as launcher\n"
        "from PySide6.QtWidgets import QMenu, QSystemTrayIcon\n"
        "from desktop.system.single_instance import SingleInstance\n"
        "from desktop.ui.display_guard import DisplayGuard\n"
        "from desktop.ui.unix_signals import SignalWatcher\n"
        "QSystemTrayIcon.isSystemTrayAvailable = lambda: True  # offscreen has no tray host\n"
        "launcher.logs.configure_held(None)\n"
        "DisplayGuard().install(); app = launcher.make_application()\n"
        "instance = SingleInstance(__import__('pathlib').Path(sys.argv[1]), 'tray')\n"
        "assert launcher.claim_instance(instance)\n"
        "icon = launcher.boot_icon(QMenu()); watcher = SignalWatcher(lambda _n: None)\n"
        "print(icon is not None and not icon.icon().isNull(), 'Qt' in vars(core),"
        " 'desktop.ui.gauge' in sys.modules, 'logging.handlers' in sys.modules)\n"
        "watcher.close(); instance.release()"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.stdout.split() == ["True", "False", "False", "False"], result.stderr


def test_a_plain_neo_tray_starts_the_tray_without_the_parser() -> None:
    """No arguments (menus, start at login): the tray's options without the parser (building it
    costs 2-4 ms; argparse itself comes with PySide6), and the same options the parser gives."""
    from desktop.arguments import parse_options
    from desktop.options import PLAIN_TRAY

    assert parse_options([]) == PLAIN_TRAY
    probe = (
        "import sys; import desktop.launcher as launcher; from desktop import cli\n"
        "def run_tray(*args):\n"
        "    print(args, 'desktop.arguments' in sys.modules)\n"
        "    return 7\n"
        "launcher.run_tray = run_tray\n"
        "print(cli.main([]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.splitlines() == ["(False, 'ok', None, None) False", "7"]


def test_the_sources_pyside_reads_at_import_leave_at_once(tmp_path: Path) -> None:
    """Once the launcher starts the tray, a module imported later leaves no source in
    `linecache` (a peak of megabytes the process kept as RSS), and PySide6's hook still knows
    which modules name PySide6 (0) and which do not (-1)."""
    (tmp_path / "names_qt.py").write_text("import PySide6.QtCore\n")
    (tmp_path / "plain.py").write_text("VALUE = 1\n")
    probe = (
        "import linecache, sys; import PySide6.QtCore; import desktop.launcher as launcher\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "installed = launcher.drop_sources_read_at_import()\n"
        "again = launcher.drop_sources_read_at_import()\n"
        "import names_qt, plain\n"
        "feature = sys.modules['shibokensupport.feature']\n"
        "kept = [f for f in linecache.cache if f.startswith(sys.argv[1])]\n"
        "print(installed, again, kept, feature.pyside_feature_dict.get('names_qt'),"
        " feature.pyside_feature_dict.get('plain'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "False", "[]", "0", "-1"], result.stderr
