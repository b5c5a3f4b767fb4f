"""The tray's latest snapshot on disk: shown (marked stale) at the next start-up, and read by
other processes (`neo-tray --once --cached`, status bars) so one poller serves every view.

Atomic writes, owner-only, and no token: only the summary (or, in member mode, the member's
profile with its cap: `"mode": "member"`), when it was fetched, the poll interval, the latest
forecast, today's task ledger's figures (`core/today_tasks.py`: never its rows) and, when the
tray's latest poll failed, its kind (`ErrorKind`) and when it will try again. One entry per
account: a member entry replaces a summary entry and back.

`save` and `save_member` may run on a pool thread (`ui/cache_writer.py`: one at a time per
file): they read only the immutable values they are given. The file is compact JSON in the
values' own key order (encoded by the C encoder: an admin's 200,000 members take a tenth of
the time an indented, sorted file took).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from desktop.core import cache_rules
from desktop.core.account_rules import DEFAULT_ID, storage_suffix
from desktop.core.cache_rules import CACHE_LIMIT, CLOCK_SKEW, LONGEST_WAIT
from desktop.core.instants import utc_text
from desktop.core.validators import bounded_int, stored_instant
from desktop.system import paths, safe_files

if TYPE_CHECKING:  # the models are read where a snapshot is made: `read_data` needs none
    from desktop.core.member import MemberSnapshot
    from desktop.core.snapshot import Snapshot
    from desktop.core.today_tasks import TodayTasks

# Its own, and the cache's rules it gives on (`core/cache_rules.py`).
__all__ = [
    "CACHE_LIMIT",
    "CLOCK_SKEW",
    "LONGEST_WAIT",
    "CacheEntry",
    "MemberEntry",
    "believable",
    "default_path",
    "failure_kind",
    "load",
    "load_entry",
    "read_data",
    "save",
    "save_member",
]

#: A stored entry's `mode` in member mode (`MemberSnapshot.to_json`); a summary's has none.
MEMBER_MODE = "member"


class CacheEntry(NamedTuple):
    snapshot: Snapshot
    interval_seconds: float | None = None  # the tray's poll interval; None: manual
    forecast: dict[str, Any] | None = None  # the tray's latest forecast, as --once prints it
    retry_at: datetime | None = None  # the tray waits out a Retry-After or backoff until then
    # Today's task ledger's figures, of the local day it is read on (None: none, another
    # day's, damaged, or a cache of a release before them).
    tasks_today: TodayTasks | None = None
    # The tray's latest poll failed: its kind (an `ErrorKind` value); None: it succeeded, or
    # a cache of a release before it, or a value that is not a kind.
    failure: str | None = None


class MemberEntry(NamedTuple):
    """A cache entry in member mode: the member's snapshot (its profile carries the cap), and
    what the tray knew, as in `CacheEntry` (no forecast: a member has no summary)."""

    snapshot: MemberSnapshot
    interval_seconds: float | None = None
    retry_at: datetime | None = None
    failure: str | None = None


def _warn(message: str, *args: object) -> None:
    """A warning in the log; `logging` is imported only when there is one to write (the status
    bar's path reads the cache without it)."""
    import logging

    logging.getLogger(__name__).warning(message, *args, stacklevel=2)


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
    tasks_today: TodayTasks | None = None,
    failure: str | None = None,
) -> None:
    """Store the summary's snapshot as the account's entry (replacing a member's): `{"cache_key",
    "summary", "fetched_at", "token_tag", "interval_seconds", "forecast", "retry_at",
    "tasks_today": TodayTasks.to_json() | null, "failure": ErrorKind value | null}`
    (`failure`: the tray's latest poll failed so). Never raises: a failure is logged."""
    data = {
        "cache_key": cache_key,
        **snapshot.to_json(),
        "interval_seconds": interval_seconds,
        "forecast": forecast,
        "retry_at": utc_text(retry_at, whole_seconds=True) if retry_at else None,
        "tasks_today": tasks_today.to_json() if tasks_today is not None else None,
        "failure": failure,
    }
    _write(path, data)


def save_member(
    path: Path,
    cache_key: str,
    snapshot: MemberSnapshot,
    interval_seconds: float | None,
    retry_at: datetime | None = None,
    *,
    failure: str | None = None,
) -> None:
    """Store the member-mode snapshot as the account's entry (replacing a summary's): `{"cache_key",
    "mode": "member", "member": {email, team, cap, in_team}, "fetched_at", "token_tag",
    "interval_seconds", "retry_at", "failure"}`. Never raises: a failure is logged (a refused
    folder once)."""
    _write(
        path,
        {
            "cache_key": cache_key,
            **snapshot.to_json(),
            "interval_seconds": interval_seconds,
            "retry_at": utc_text(retry_at, whole_seconds=True) if retry_at else None,
            "failure": failure,
        },
    )


def _write(path: Path, data: dict[str, Any]) -> None:
    try:
        # Compact and unsorted: the C encoder (an indent makes json use its Python one).
        text = json.dumps(data, separators=(",", ":"))
        safe_files.write_atomically(path, text.encode("utf-8"))
    except safe_files.RefusedFolder as exc:
        safe_files.log_once(str(exc))  # each poll would say it again
    except (OSError, ValueError) as exc:
        _warn("Could not save the snapshot cache: %s", exc)


def load(cache_key: str, path: Path, now: datetime | None = None) -> Snapshot | None:
    """The cached summary snapshot stored under `cache_key` (`accounts.cache_key`), or None
    (missing, corrupt, another account's, from the future, or a member entry: `load_entry`
    gives that kind too); `now` None: the wall clock."""
    entry = load_entry(cache_key, path, now or datetime.now(UTC))
    return entry.snapshot if isinstance(entry, CacheEntry) else None


class _Kept(NamedTuple):
    """A cache file's JSON as `read_data(keep=True)` parsed it, and the file's identity then."""

    identity: tuple[int, ...]
    data: object


#: The files kept for their next read (the status bar's fast path keeps what it parsed: when it
#: gives up, the full path that follows in the same process does not parse up to 40 MB again).
_kept: dict[Path, _Kept] = {}


def _identity(path: Path) -> tuple[int, ...] | None:
    """What tells a file from the one that was there before: an atomic write (a rename) gives a
    new inode; a link in its place has its own."""
    try:
        info = path.lstat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _parsed(path: Path, *, keep: bool) -> object:
    """The file's JSON: the kept one when the file is still the one it was parsed from, else
    read (`safe_files.read_file`) and parsed. Raises what those raise."""
    kept = _kept.pop(path, None)
    if kept is not None and kept.identity == _identity(path):
        return kept.data
    before = _identity(path) if keep else None
    # A 400-digit integer becomes infinity, which the checks refuse (never an OverflowError).
    data = json.loads(
        safe_files.read_file(path, CACHE_LIMIT).decode("utf-8"), parse_int=bounded_int
    )
    if before is not None and before == _identity(path):  # not replaced while read
        _kept[path] = _Kept(before, data)
    return data


def read_data(cache_key: str, path: Path, *, keep: bool = False) -> dict[str, Any] | None:
    """The cache file's JSON object when it is stored under `cache_key`; None when missing,
    corrupt, not ours, not a regular file (a link, a FIFO) or too large (logged). `keep`: the
    parsed file is kept for the next read in this process, which takes it while the file is
    unchanged (the caller must not change the object)."""
    try:
        data = _parsed(path, keep=keep)
    except FileNotFoundError:
        return None
    except safe_files.RefusedFolder as exc:
        safe_files.log_once(str(exc))
        return None
    except (OSError, ValueError, RecursionError) as exc:
        _warn("Ignoring the unreadable snapshot cache %s: %s", path, exc)
        return None
    # Files written before the cache key had its name call it "base_url".
    if not isinstance(data, dict) or data.get("cache_key", data.get("base_url")) != cache_key:
        return None
    return data


def load_entry(cache_key: str, path: Path, now: datetime) -> CacheEntry | MemberEntry | None:
    """The cache stored under `cache_key` with what the tray knew: a summary's (`CacheEntry`)
    or, in member mode, a member's (`MemberEntry`); None when `read_data` finds none, or when
    its times cannot be (`believable`). A summary's today's tasks are read for the local day
    of `now` only, and a damaged `tasks_today` is left out, the rest read (it is optional,
    written again with the next listing)."""
    from desktop.core import today_tasks
    from desktop.core.errors import UnexpectedResponse
    from desktop.core.member import MemberSnapshot
    from desktop.core.snapshot import Snapshot

    data = read_data(cache_key, path)
    if data is None:
        return None
    interval = cache_rules.poll_interval(data.get("interval_seconds"))
    retry_at = stored_instant(data.get("retry_at"))
    failure = failure_kind(data.get("failure"))
    entry: CacheEntry | MemberEntry
    try:
        if data.get("mode") == MEMBER_MODE:
            entry = MemberEntry(MemberSnapshot.from_json(data), interval, retry_at, failure)
        else:
            forecast = data.get("forecast")
            entry = CacheEntry(
                Snapshot.from_json(data),
                interval,
                forecast if isinstance(forecast, dict) else None,
                retry_at,
                today_tasks.from_json(data.get("tasks_today"), now),
                failure,
            )
    except (KeyError, ValueError, TypeError, UnexpectedResponse) as exc:
        _warn("Ignoring the corrupt snapshot cache %s: %s", path, exc)
        return None
    if not believable(entry, now):
        _warn(
            "Ignoring the snapshot cache %s: fetched at %s, retry at %s, but it is now %s",
            path,
            entry.snapshot.fetched_at,
            entry.retry_at,
            now,
        )
        return None
    return entry


def failure_kind(value: object) -> str | None:
    """A stored `failure` as an `ErrorKind` value; None for anything else (absent in the files
    of releases before it, null after a good poll, or not a kind: left out, the rest read)."""
    from desktop.core.errors import ErrorKind

    kinds = {kind.value for kind in ErrorKind}
    return value if isinstance(value, str) and value in kinds else None


def believable(entry: CacheEntry | MemberEntry, now: datetime) -> bool:
    """`cache_rules.believable` of the entry's times."""
    return cache_rules.believable(entry.snapshot.fetched_at, entry.retry_at, now)
