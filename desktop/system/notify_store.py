"""What notifications were already sent, kept in the state dir so restarts do not repeat them."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from desktop.core.rules import NotifyMemory
from desktop.system import paths
from desktop.system.settings_store import write_json_atomically

log = logging.getLogger(__name__)


def default_path(demo: bool = False) -> Path:
    return paths.state_dir() / ("demo-notifications.json" if demo else "notifications.json")


def load(path: Path) -> NotifyMemory:
    try:
        return NotifyMemory.from_json(json.loads(path.read_text(encoding="utf-8")))
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
