"""What notifications were already sent, kept in the state dir so restarts do not repeat them."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from desktop.core.accounts import DEFAULT_ID, storage_suffix
from desktop.core.rules.memory import NotifyMemory
from desktop.system import paths, safe_files
from desktop.system.settings_store import write_json_atomically

log = logging.getLogger(__name__)
STATE_LIMIT = 1 << 20  # bytes: the memory is a few hundred; larger is not read at all


def default_path(account_id: str = DEFAULT_ID) -> Path:
    """Each account's own memory; the first release's account keeps its file."""
    return paths.state_dir() / f"notifications{storage_suffix(account_id)}.json"


def load(path: Path) -> NotifyMemory:
    """What was sent; empty when the file is missing, damaged, not a regular file (a link, a
    FIFO), too large, or in a folder that is not the user's alone."""
    try:
        data = safe_files.read_file(path, STATE_LIMIT)
        return NotifyMemory.from_json(json.loads(data.decode("utf-8")))
    except FileNotFoundError:
        return NotifyMemory()
    except (OSError, ValueError, RecursionError) as exc:
        log.warning("Ignoring the unreadable notification state %s: %s", path, exc)
        return NotifyMemory()


def save(memory: NotifyMemory, path: Path) -> None:
    try:
        write_json_atomically(path, memory.to_json())
    except OSError as exc:
        log.warning("Could not save the notification state: %s", exc)
