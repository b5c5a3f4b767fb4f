"""Where the app keeps its files, per platform (XDG on Linux), without needing Qt."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import platformdirs

APP_NAME = "neo-usage-tray"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def settings_file() -> Path:
    return config_dir() / "settings.json"


def stored_language(path: Path | None = None) -> str:
    """The language the settings choose ("" for the system's), read with `json` alone: the
    command line needs it before anything else (its `--help` is translated too), and the tray
    must not import pydantic before its icon shows."""
    from desktop.core.i18n import LANGUAGES

    try:
        raw = json.loads((path or settings_file()).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return ""
    value = raw.get("language") if isinstance(raw, dict) else None
    return value if isinstance(value, str) and value in LANGUAGES else ""


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def private_dir(path: Path) -> Path:
    """Create `path` (and its parents) and make it owner-only (0700); returns it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
    return path


def open_private(path: Path, flags: int) -> int:
    """Open (creating it) a file only its owner can read, 0600 in a 0700 folder; `flags` adds
    to `os.O_CREAT`. Returns the descriptor. Never through a symlink: the mode is set on the
    file opened, not on where a link points."""
    private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | flags, 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
    except OSError:
        os.close(fd)
        raise
    return fd


def private_file(path: Path) -> Path:
    """Create `path` empty if missing, in an owner-only directory, and make it 0600."""
    os.close(open_private(path, os.O_APPEND | os.O_WRONLY))
    return path
