"""Where the app keeps its files, per platform (XDG on Linux), without needing Qt.

The demo sets one switch at start-up (`use_sandbox`): from then on every folder of the app is a
subfolder of its private sandbox, so the demo can neither read nor change the user's own files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from desktop.system import safe_files, xdg

APP_NAME = "neo-usage-tray"
SETTINGS_LIMIT = 1 << 20  # bytes: a settings file is a few KiB; larger is not read at all


class _Switch:
    """The one switch: the demo's sandbox, or None for the user's own folders."""

    sandbox: Path | None = None


def use_sandbox(root: Path | None) -> None:
    """Keep every file of this process under `root` (the demo's private folder), or, None, in
    the user's own folders again. Set once at start-up, before any file is touched."""
    _Switch.sandbox = root


def sandbox() -> Path | None:
    """The demo's private folder this process keeps its files in; None for the real app."""
    return _Switch.sandbox


def _in_sandbox(kind: str, user_folder: Path) -> Path:
    root = _Switch.sandbox
    return root / kind if root is not None else user_folder


def config_dir() -> Path:
    return _in_sandbox("config", user_config_dir())


def _user_dir(kind: str) -> Path:
    """The user's own `kind` folder: Linux's XDG one (`xdg`), else platformdirs' (imported
    only then: it costs a status bar's run 6 ms)."""
    plain = xdg.user_dir(kind, APP_NAME)
    if plain is not None:
        return Path(plain)
    import platformdirs

    find = {
        "config": platformdirs.user_config_dir,
        "cache": platformdirs.user_cache_dir,
        "state": platformdirs.user_state_dir,
        "data": platformdirs.user_data_dir,
        "log": platformdirs.user_log_dir,
    }[kind]
    return Path(find(APP_NAME, appauthor=False))


def user_config_dir() -> Path:
    """The user's own settings folder, even in the demo (which only reads its language)."""
    return _user_dir("config")


def settings_file() -> Path:
    return config_dir() / "settings.json"


def user_settings_file() -> Path:
    """The user's own settings file, even in the demo."""
    return user_config_dir() / "settings.json"


def stored_language(path: Path | None = None) -> str:
    """The language the settings choose ("" for the system's), read with `json` alone: the
    command line needs it before anything else (its `--help` is translated too), and the tray
    must not import pydantic before its icon shows."""
    from desktop.core.i18n import LANGUAGES

    try:
        data = safe_files.read_file(
            path or settings_file(), SETTINGS_LIMIT, follow_to_own_file=True
        )
        raw = json.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return ""  # a FIFO, a huge or unreadable file: the command says why later, if it needs it
    value = raw.get("language") if isinstance(raw, dict) else None
    return value if isinstance(value, str) and value in LANGUAGES else ""


def state_dir() -> Path:
    return _in_sandbox("state", user_state_dir())


def user_state_dir() -> Path:
    """The user's own state folder, even in the demo."""
    return _user_dir("state")


def cache_dir() -> Path:
    return _in_sandbox("cache", _user_dir("cache"))


def data_dir() -> Path:
    return _in_sandbox("data", _user_dir("data"))


def log_dir() -> Path:
    return _in_sandbox("log", _user_dir("log"))


def autostart_dir() -> Path | None:
    """Where the demo keeps its pretend start-at-login entry; None: the desktop's own place."""
    root = _Switch.sandbox
    return root / "autostart" if root is not None else None


def runtime_dir() -> Path:
    """A per-user folder for what lives only while the app runs (the demo's lock and sandbox):
    `$XDG_RUNTIME_DIR/neo-usage-tray` where the session has one, else the user's state folder."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime).is_absolute():
        return Path(runtime) / APP_NAME
    return user_state_dir()


def app_folders() -> list[Path]:
    """Every folder the app keeps files in; each must be the user's alone (`safe_files`)."""
    return [config_dir(), cache_dir(), state_dir(), data_dir(), log_dir()]


def private_dir(path: Path) -> Path:
    """Create `path` (and its parents) and make it owner-only (0700); returns it. Raises
    `safe_files.RefusedFolder` (an OSError) when it is another user's or others can write it."""
    return safe_files.private_folder(path)


def open_private(path: Path, flags: int) -> int:
    """Open (creating it) a file only its owner can read, 0600 in a 0700 folder; `flags` adds
    to `os.O_CREAT`. Returns the descriptor. Never through a link, never a FIFO or a device
    (`safe_files.open_private`)."""
    return safe_files.open_private(path, flags)


def private_file(path: Path) -> Path:
    """Create `path` empty if missing, in an owner-only directory, and make it 0600."""
    os.close(open_private(path, os.O_APPEND | os.O_WRONLY))
    return path
