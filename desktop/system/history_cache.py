"""The year's daily figures on disk (the History tab's heatmap): fetched at most once a day per
account, kept in a file of their own (not the snapshot cache `--once --cached` reads).

Through `system/safe_files.py`: an owner-only folder, atomic writes, bounded reads. A file is
used only by the address (`cache key`) and the token (`token tag`) it was fetched with, only
when its time can be and only when every row reads; anything else is no file (fetched again).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from desktop.core.account_rules import DEFAULT_ID, storage_suffix
from desktop.core.cache_rules import CLOCK_SKEW
from desktop.core.history import DAY_LIMIT, DayUsage
from desktop.core.instants import utc_text
from desktop.core.validators import bounded_int, is_json_number, stored_instant
from desktop.system import paths, safe_files

log = logging.getLogger(__name__)

#: How long the year's figures serve before they are fetched again.
FRESH_FOR = timedelta(days=1)
#: Bytes: a year of rows is about 15 kB; a file past this is not read.
HISTORY_LIMIT = 1 << 20
#: Rows: a year's 366 days, with room for a query that crossed a day boundary.
MAX_DAYS = 400
FORMAT = 1


class HistoryEntry(NamedTuple):
    """The year's daily figures and when they were fetched (UTC)."""

    fetched_at: datetime
    days: tuple[DayUsage, ...]


def default_path(account_id: str = DEFAULT_ID) -> Path:
    """Each account's own file beside its snapshot cache."""
    return paths.cache_dir() / f"year-history{storage_suffix(account_id)}.json"


def save(entry: HistoryEntry, cache_key: str, token_tag: str, path: Path) -> None:
    """Write `entry` for that address and token; a failure is logged (the tab still shows it)."""
    data = {
        "format": FORMAT,
        "cache_key": cache_key,
        "token_tag": token_tag,
        "fetched_at": utc_text(entry.fetched_at, whole_seconds=True),
        "days": [[day.day.isoformat(), day.credits, day.tasks] for day in entry.days[-MAX_DAYS:]],
    }
    text = json.dumps(data, separators=(",", ":"), allow_nan=False) + "\n"
    try:
        safe_files.write_atomically(path, text.encode("utf-8"))
    except safe_files.RefusedFolder as exc:
        safe_files.log_once(str(exc))
    except (OSError, ValueError) as exc:
        log.warning("Could not save the year's history: %s", exc)


def load(cache_key: str, token_tag: str, path: Path, now: datetime) -> HistoryEntry | None:
    """The entry stored for this address and token; None when missing, unreadable, damaged
    (any row that does not read), of another address or token, or fetched in the future."""
    try:
        text = safe_files.read_file(path, HISTORY_LIMIT).decode("utf-8")
        data = json.loads(text, parse_int=bounded_int)  # a 400-digit int: infinity, refused
    except FileNotFoundError:
        return None
    except safe_files.RefusedFolder as exc:
        safe_files.log_once(str(exc))
        return None
    except (OSError, ValueError, RecursionError) as exc:
        log.warning("Ignoring the unreadable history %s: %s", path, exc)
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    if data.get("cache_key") != cache_key or data.get("token_tag") != token_tag:
        return None  # another address's or token's figures are not this account's
    entry = _entry(data)
    if entry is None:
        log.warning("Ignoring the damaged history %s", path)
        return None
    if entry.fetched_at > now + CLOCK_SKEW:
        return None
    return entry


def is_fresh(entry: HistoryEntry | None, now: datetime) -> bool:
    """Fetched less than `FRESH_FOR` ago (and not in the future): no need to ask again."""
    return entry is not None and -CLOCK_SKEW <= now - entry.fetched_at < FRESH_FOR


def _entry(data: dict[str, Any]) -> HistoryEntry | None:
    fetched_at = stored_instant(data.get("fetched_at"))
    rows = data.get("days")
    if fetched_at is None or not isinstance(rows, list) or len(rows) > MAX_DAYS:
        return None
    days: list[DayUsage] = []
    for row in rows:
        day = _day(row)
        if day is None:
            return None
        days.append(day)
    return HistoryEntry(fetched_at, tuple(days))


def _day(row: object) -> DayUsage | None:
    if not isinstance(row, list) or len(row) != 3:
        return None
    text, credits, tasks = row
    if not isinstance(text, str) or len(text) != 10:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    if not _figure(credits) or not _figure(tasks) or not isinstance(tasks, int):
        return None
    return DayUsage(day, float(credits), tasks)


def _figure(value: object) -> bool:
    return is_json_number(value) and 0 <= value <= DAY_LIMIT  # type: ignore[operator]


class HistoryStore:
    """One account's history file: its path, and its address's cache key, asked for at each
    use (the account's address may change while the app runs; None: not known, no file)."""

    def __init__(self, path: Path, cache_key: Callable[[], str | None]) -> None:
        self.path = path
        self._cache_key = cache_key

    def load(self, token_tag: str, now: datetime) -> HistoryEntry | None:
        key = self._cache_key()
        return load(key, token_tag, self.path, now) if key is not None else None

    def save(self, entry: HistoryEntry, token_tag: str) -> None:
        key = self._cache_key()
        if key is not None:
            save(entry, key, token_tag, self.path)
