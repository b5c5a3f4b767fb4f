"""`--demo`: the embedded fake Neo API, and the private sandbox the demo keeps its files in.

The demo must not touch the user's account: each run gets its own owner-only folder (under
`$XDG_RUNTIME_DIR` where the session has one, else a private temporary folder) that holds its
settings, cache, state, log, token file and start-at-login entry (`paths.use_sandbox`), keeps
its token in memory (`secrets.sandbox_store`), and is removed when it quits. It reads only the
user's language. While it runs, a record beside its single-instance lock names the folder, so
`--demo --once --cached` can read what the running demo shows.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from desktop.core.accounts import DEMO_ACCOUNT
from desktop.core.environment import (
    DEMO_DRAIN_ENV,
    DEMO_TASK_SECONDS,
    DEMO_TASK_SECONDS_ENV,
    positive_float,
)
from desktop.fakeapi import FakeNeoApi
from desktop.system import paths, safe_files

log = logging.getLogger(__name__)
INSTANCE_KEY = "demo"  # the single-instance lock `demo.lock` in `paths.runtime_dir()`
RECORD_NAME = "demo.sandbox"  # beside the lock: {"pid": …, "path": …} of the running demo
RUNTIME_PREFIX = "demo-"  # a sandbox's name in $XDG_RUNTIME_DIR/neo-usage-tray
TEMP_PREFIX = "neo-usage-tray-demo-"  # its name in the temporary folder otherwise
RECORD_LIMIT = 64 << 10  # bytes


def start_demo_api(scenario: str, environ: Mapping[str, str]) -> FakeNeoApi:
    api = FakeNeoApi(
        scenario=scenario,
        live_task_interval=positive_float(environ, DEMO_TASK_SECONDS_ENV, DEMO_TASK_SECONDS, 0.01),
        live_credit_multiplier=positive_float(environ, DEMO_DRAIN_ENV, 1.0, 0.01),
    ).start()
    log.info("Demo: fake Neo API at %s (scenario %s)", api.url, scenario)
    if paths.sandbox() is not None:  # the demo's stored token: Sign out and Save act on it
        from desktop.system import secrets

        secrets.sandbox_store.set(secrets.keyring_entry(DEMO_ACCOUNT.id), api.token)
    return api


def _sandbox_parent() -> tuple[Path, str]:
    """Where sandboxes are made, and their names' prefix."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime).is_absolute():
        return paths.private_dir(paths.runtime_dir()), RUNTIME_PREFIX
    return Path(tempfile.gettempdir()), TEMP_PREFIX


def create_sandbox() -> Path:
    """A new owner-only (0700) folder for this run. Raises OSError (`safe_files.RefusedFolder`
    when the folder is not the user's alone)."""
    parent, prefix = _sandbox_parent()
    root = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))  # 0700, a name no one guessed
    return paths.private_dir(root)


def enter_sandbox(root: Path) -> None:
    """From now on every file of this process is under `root`: the settings (the demo account,
    the user's language), the log, the cache, the notification memory, the token file."""
    from desktop.core.settings import Settings
    from desktop.system import settings_store

    language = paths.stored_language(paths.user_settings_file())  # read only
    paths.use_sandbox(root)
    try:
        settings_store.save(Settings(accounts=(DEMO_ACCOUNT,), language=language))
    except OSError as exc:
        log.warning("The demo's settings could not be written: %s", exc)
    log.info("Demo: files kept in %s until it quits", root)


def record_sandbox(root: Path) -> None:
    """Name the running demo's sandbox beside its lock (which this process holds), and remove
    what earlier runs that ended without cleaning up (killed) left behind."""
    try:
        record = {"pid": os.getpid(), "path": str(root)}
        safe_files.write_atomically(
            paths.runtime_dir() / RECORD_NAME, json.dumps(record).encode("utf-8")
        )
    except OSError as exc:
        log.warning("The demo's folder cannot be found by --cached: %s", exc)
    parent, prefix = _sandbox_parent()
    for leftover in parent.glob(prefix + "*"):
        if leftover != root and _own_folder(leftover):
            shutil.rmtree(leftover, ignore_errors=True)


def remove_sandbox(root: Path) -> None:
    """Delete the run's folder and its record; the next files go nowhere."""
    shutil.rmtree(root, ignore_errors=True)
    record = paths.runtime_dir() / RECORD_NAME
    if _read_record(record) == (os.getpid(), root):
        record.unlink(missing_ok=True)


def _own_folder(path: Path) -> bool:
    """A real folder (not a link) owned by this user."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    owner = getattr(os, "geteuid", lambda: info.st_uid)()
    return stat.S_ISDIR(info.st_mode) and info.st_uid == owner


def _read_record(path: Path) -> tuple[int, Path] | None:
    try:
        raw = json.loads(safe_files.read_file(path, RECORD_LIMIT).decode("utf-8"))
        pid, folder = raw["pid"], raw["path"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(pid, int) or not isinstance(folder, str):
        return None
    return pid, Path(folder)


def _lock_holder(lock: Path) -> int | None:
    """The PID written in `lock` when a process holds it (the demo runs), else None."""
    flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(lock, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode) or not _held_by_another(fd):
            return None
        text = os.read(fd, 32).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None
    finally:
        os.close(fd)


def _held_by_another(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            return exc.errno in (errno.EACCES, errno.EDEADLK)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
    return False


def running_sandbox() -> Path | None:
    """The sandbox of the demo that runs now (its lock held, its record written by the lock's
    holder, the folder the user's alone), or None."""
    folder = paths.runtime_dir()
    if safe_files.folder_problem(folder) is not None:
        return None
    holder = _lock_holder(folder / f"{INSTANCE_KEY}.lock")
    record = _read_record(folder / RECORD_NAME)
    if holder is None or record is None or record[0] != holder:
        return None
    root = record[1]
    if not _own_folder(root) or safe_files.folder_problem(root) is not None:
        return None
    return root
