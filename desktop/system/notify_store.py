"""What notifications were already sent, kept in the state dir so restarts do not repeat them."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
from datetime import datetime
from pathlib import Path

from desktop.core.accounts import DEFAULT_ID, storage_suffix
from desktop.core.rules.memory import NotifyMemory
from desktop.core.validators import bounded_int
from desktop.system import paths, safe_files
from desktop.system.settings_store import write_json_atomically

log = logging.getLogger(__name__)
STATE_LIMIT = 1 << 20  # bytes: the memory is a few hundred; larger is not read at all
#: Damaged memories kept aside (`notifications.json.corrupt-*`); older ones are removed.
KEEP_ASIDE = 3


def default_path(account_id: str = DEFAULT_ID) -> Path:
    """Each account's own memory; the first release's account keeps its file."""
    return paths.state_dir() / f"notifications{storage_suffix(account_id)}.json"


def load(path: Path) -> NotifyMemory:
    """What was sent; empty when the file is missing, damaged, not a regular file (a link, a
    FIFO), too large, or in a folder that is not the user's alone. A damaged or too large file
    is first kept aside (`set_aside`), so that the next save does not lose what it held."""
    try:
        data = safe_files.read_file(path, STATE_LIMIT)
        # A 400-digit integer becomes infinity, which the memory's checks refuse.
        return NotifyMemory.from_json(json.loads(data.decode("utf-8"), parse_int=bounded_int))
    except FileNotFoundError:
        return NotifyMemory()
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, nested too deep
        _start_afresh(path, exc)
        return NotifyMemory()
    except safe_files.RefusedFile as exc:
        if exc.errno == errno.EFBIG:
            _start_afresh(path, exc)
        else:
            log.warning("Ignoring the unreadable notification state %s: %s", path, exc)
        return NotifyMemory()
    except OSError as exc:
        log.warning("Ignoring the unreadable notification state %s: %s", path, exc)
        return NotifyMemory()


def _start_afresh(path: Path, reason: Exception) -> None:
    """Keep the damaged memory aside and say so once (the log): starting afresh then repeats
    what it recorded as sent, and the copy shows why."""
    backup = set_aside(path)
    if backup is None:
        log.warning("The notification state %s is damaged (%s); it starts afresh", path, reason)
    else:
        log.warning(
            "The notification state %s is damaged (%s); it is kept as %s and starts afresh",
            path,
            reason,
            backup.name,
        )


def set_aside(path: Path, now: datetime | None = None) -> Path | None:
    """Rename `path` to `<name>.corrupt-<local YYYYmmdd-HHMMSS>[-N]` beside it (as the settings
    file is kept), keeping at most `KEEP_ASIDE` such copies (the oldest removed). The rename
    moves a link itself, never its target. Returns the copy, or None when it could not be made
    (logged by the caller)."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.corrupt-{stamp}")
    for count in range(2, 100):
        if not os.path.lexists(backup):
            break
        backup = path.with_name(f"{path.name}.corrupt-{stamp}-{count}")
    try:
        os.replace(path, backup)
    except OSError:
        return None
    prefix = f"{path.name}.corrupt-"
    try:
        # By name: the stamp is when each was set aside (a rename keeps the file's mtime).
        copies = sorted(
            (entry for entry in os.scandir(path.parent) if entry.name.startswith(prefix)),
            key=lambda entry: entry.name,
        )
    except OSError:
        return backup
    for entry in copies[: max(0, len(copies) - KEEP_ASIDE)]:
        with contextlib.suppress(OSError):  # best effort: the count is a bound, not a promise
            os.unlink(entry.path)
    return backup


def save(memory: NotifyMemory, path: Path) -> None:
    try:
        write_json_atomically(path, memory.to_json())
    except OSError as exc:
        log.warning("Could not save the notification state: %s", exc)
