"""Linux's XDG folders as platformdirs gives them, without importing it (the status bar's path
runs every few seconds): `$XDG_CONFIG_HOME` (etc.) when absolute, else under an absolute `$HOME`.
Elsewhere, or where that is not so plain, None: the caller asks platformdirs."""

from __future__ import annotations

import os
import posixpath
import sys

#: Each kind of folder: its variable and its default under the home folder.
HOMES = {
    "config": ("XDG_CONFIG_HOME", "~/.config"),
    "cache": ("XDG_CACHE_HOME", "~/.cache"),
    "state": ("XDG_STATE_HOME", "~/.local/state"),
    "data": ("XDG_DATA_HOME", "~/.local/share"),
}


def user_dir(kind: str, app_name: str) -> str | None:
    """The user's `kind` folder ("config", "cache", "state", "data", "log") for `app_name`, or
    None outside plain Linux (no Android, an absolute HOME)."""
    if kind == "log":  # platformdirs keeps logs in the state folder on Linux
        state = user_dir("state", app_name)
        return None if state is None else os.path.join(state, "log")
    if not sys.platform.startswith("linux") or "ANDROID_DATA" in os.environ:
        return None
    variable, default = HOMES[kind]
    value = os.environ.get(variable, "")
    if posixpath.isabs(value):
        return os.path.join(value, app_name)
    home = os.environ.get("HOME", "")
    if not posixpath.isabs(home):
        return None
    return os.path.join(os.path.expanduser(default), app_name)
