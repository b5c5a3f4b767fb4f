"""The tray's latest snapshot on disk: shown (marked stale) at the next start-up, and read by
other processes (`neo-tray --once --cached`, status bars) so one poller serves every view.

Atomic writes, owner-only, and no token: only the summary, when it was fetched, the poll
interval, the latest forecast and, while the tray waits out a backoff, when it will try again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from desktop.core.accounts import DEFAULT_ID, storage_suffix
from desktop.core.errors import UnexpectedResponse
from desktop.core.instants import parse_instant, utc_text
from desktop.core.schedule import MAX_BACKOFF_SECONDS
from desktop.core.settings import POLL_INTERVALS_MINUTES
from desktop.core.snapshot import Snapshot
from desktop.system import paths, safe_files
from desktop.system.settings_store import write_json_atomically

log = logging.getLogger(__name__)
LONGEST_POLL_SECONDS = max(POLL_INTERVALS_MINUTES) * 60.0
#: Bytes: above the client's 32 MB cap on a response body, which the cache holds at most.
CACHE_LIMIT = 40 << 20
#: How far the tray's clock may be ahead of ours (it wrote `fetched_at`) before we doubt it.
CLOCK_SKEW = timedelta(minutes=2)
#: The longest the tray waits before trying again (its backoff's cap), give or take the skew.
LONGEST_WAIT = timedelta(seconds=MAX_BACKOFF_SECONDS) + CLOCK_SKEW


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
    cache_key: str,
    path: Path,
    *,
    interval_seconds: float | None = None,
    forecast: dict[str, Any] | None = None,
    retry_at: datetime | None = None,
) -> None:
    data = {
        "cache_key": cache_key,
        **snapshot.to_json(),
        "interval_seconds": interval_seconds,
        "forecast": forecast,
        "retry_at": utc_text(retry_at, whole_seconds=True) if retry_at else None,
    }
    try:
        write_json_atomically(path, data)
    except safe_files.RefusedFolder as exc:
        safe_files.log_once(str(exc))  # each poll would say it again
    except (OSError, ValueError) as exc:
        log.warning("Could not save the snapshot cache: %s", exc)


def load(cache_key: str, path: Path, now: datetime | None = None) -> Snapshot | None:
    """The cached snapshot stored under `cache_key` (`accounts.cache_key`), or None (missing,
    corrupt, another account's, or from the future); `now` None: the wall clock."""
    entry = load_entry(cache_key, path, now or datetime.now(UTC))
    return entry.snapshot if entry else None


def load_entry(cache_key: str, path: Path, now: datetime) -> CacheEntry | None:
    """The cache stored under `cache_key` with what the tray knew; None when missing, corrupt,
    not ours, not a regular file (a link, a FIFO) or too large, or when its times cannot be
    (`believable`)."""
    try:
        data = json.loads(safe_files.read_file(path, CACHE_LIMIT).decode("utf-8"))
    except FileNotFoundError:
        return None
    except safe_files.RefusedFolder as exc:
        safe_files.log_once(str(exc))
        return None
    except (OSError, ValueError, RecursionError) as exc:
        log.warning("Ignoring the unreadable snapshot cache %s: %s", path, exc)
        return None
    # Files written before the cache key had its name call it "base_url".
    if not isinstance(data, dict) or data.get("cache_key", data.get("base_url")) != cache_key:
        return None
    try:
        snapshot = Snapshot.from_json(data)
    except (KeyError, ValueError, TypeError, UnexpectedResponse) as exc:
        log.warning("Ignoring the corrupt snapshot cache %s: %s", path, exc)
        return None
    interval = data.get("interval_seconds")
    forecast = data.get("forecast")
    entry = CacheEntry(
        snapshot,
        _interval(interval),
        forecast if isinstance(forecast, dict) else None,
        parse_instant(data.get("retry_at")),
    )
    if not believable(entry, now):
        log.warning(
            "Ignoring the snapshot cache %s: fetched at %s, retry at %s, but it is now %s",
            path,
            entry.snapshot.fetched_at,
            entry.retry_at,
            now,
        )
        return None
    return entry


def believable(entry: CacheEntry, now: datetime) -> bool:
    """False when the entry's times cannot be: fetched more than `CLOCK_SKEW` in the future, or
    a retry planned further ahead than the tray ever waits (a clock that jumped)."""
    if entry.snapshot.fetched_at > now + CLOCK_SKEW:
        return False
    return entry.retry_at is None or entry.retry_at <= now + LONGEST_WAIT


def _interval(value: object) -> float | None:
    """The tray's poll interval in seconds, at most the settings' longest (a cache cannot make
    day-old figures count as fresh); None: manual or not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 86_400:
        return None
    return min(float(value), LONGEST_POLL_SECONDS)
