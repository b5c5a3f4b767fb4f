"""The tray's latest snapshot on disk: shown (marked stale) at the next start-up, and read by
other processes (`neo-tray --once --cached`, status bars) so one poller serves every view.

Atomic writes, owner-only, and no token: only the summary, when it was fetched, the poll
interval, the latest forecast and, while the tray waits out a backoff, when it will try again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop.core.accounts import DEFAULT_ID, storage_suffix
from desktop.core.errors import UnexpectedResponse
from desktop.core.snapshot import Snapshot
from desktop.system import paths
from desktop.system.settings_store import write_json_atomically

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CacheEntry:
    snapshot: Snapshot
    interval_seconds: float | None = None  # the tray's poll interval; None: manual
    forecast: dict[str, Any] | None = None  # the tray's latest forecast, as --once prints it
    retry_at: datetime | None = None  # the tray waits out a Retry-After or backoff until then


def default_path(account_id: str = DEFAULT_ID) -> Path:
    """Each account's own file; the first release's account keeps its name."""
    return paths.cache_dir() / f"last-snapshot{storage_suffix(account_id)}.json"


def save(
    snapshot: Snapshot,
    base_url: str,
    path: Path,
    *,
    interval_seconds: float | None = None,
    forecast: dict[str, Any] | None = None,
    retry_at: datetime | None = None,
) -> None:
    data = {
        "base_url": base_url,
        **snapshot.to_json(),
        "interval_seconds": interval_seconds,
        "forecast": forecast,
        "retry_at": retry_at.isoformat() if retry_at else None,
    }
    try:
        write_json_atomically(path, data)
    except (OSError, ValueError) as exc:
        log.warning("Could not save the snapshot cache: %s", exc)


def load(base_url: str, path: Path) -> Snapshot | None:
    """The cached snapshot for `base_url`, or None (missing, corrupt, or another account's)."""
    entry = load_entry(base_url, path)
    return entry.snapshot if entry else None


def load_entry(base_url: str, path: Path) -> CacheEntry | None:
    """The cache for `base_url` with what the tray knew; None when missing, corrupt or not ours."""
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
        snapshot = Snapshot.from_json(data)
    except (KeyError, ValueError, TypeError, UnexpectedResponse) as exc:
        log.warning("Ignoring the corrupt snapshot cache %s: %s", path, exc)
        return None
    interval = data.get("interval_seconds")
    forecast = data.get("forecast")
    return CacheEntry(
        snapshot,
        float(interval) if isinstance(interval, int | float) and 0 < interval < 86_400 else None,
        forecast if isinstance(forecast, dict) else None,
        _instant(data.get("retry_at")),
    )


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant if instant.tzinfo is not None else None
