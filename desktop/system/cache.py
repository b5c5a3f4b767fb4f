"""The last good snapshot on disk, shown (marked stale) at start-up. Holds no token."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from desktop.core.errors import UnexpectedResponse
from desktop.core.snapshot import Snapshot
from desktop.system import paths
from desktop.system.settings_store import write_json_atomically

log = logging.getLogger(__name__)


def default_path(demo: bool = False) -> Path:
    return paths.cache_dir() / ("demo-snapshot.json" if demo else "last-snapshot.json")


def save(snapshot: Snapshot, base_url: str, path: Path) -> None:
    try:
        write_json_atomically(path, {"base_url": base_url, **snapshot.to_json()})
    except OSError as exc:
        log.warning("Could not save the snapshot cache: %s", exc)


def load(base_url: str, path: Path) -> Snapshot | None:
    """The cached snapshot for `base_url`, or None (missing, corrupt, or another account's)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:
        log.warning("Ignoring the unreadable snapshot cache %s: %s", path, exc)
        return None
    if not isinstance(data, dict) or data.get("base_url") != base_url:
        return None
    try:
        return Snapshot.from_json(data)
    except (KeyError, ValueError, TypeError, UnexpectedResponse) as exc:
        log.warning("Ignoring the corrupt snapshot cache %s: %s", path, exc)
        return None
