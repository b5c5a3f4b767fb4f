"""When the tray's cached snapshot may be shown: its times must be believable, and it must be fresh
(or, marked stale, the tray waits out a backoff). One home for the rules that `system/cache.py`,
`--once --cached` and the status bar's cached path (`desktop/cached_once.py`) apply. Pure.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from desktop.core.limits import MAX_BACKOFF_SECONDS
from desktop.core.validators import POLL_INTERVALS_MINUTES

#: Bytes: above the client's 32 MB cap on a response body, which the cache holds at most.
CACHE_LIMIT = 40 << 20
LONGEST_POLL_SECONDS = max(POLL_INTERVALS_MINUTES) * 60.0
#: How far the tray's clock may be ahead of ours (it wrote `fetched_at`) before we doubt it.
CLOCK_SKEW = timedelta(minutes=2)
#: The longest the tray waits before trying again (its backoff's cap), give or take the skew.
LONGEST_WAIT = timedelta(seconds=MAX_BACKOFF_SECONDS) + CLOCK_SKEW
#: How long a cached snapshot is fresh when the tray polls only by hand.
MANUAL_FRESHNESS = timedelta(minutes=10)


def poll_interval(value: object) -> float | None:
    """The tray's poll interval in seconds, at most the settings' longest (a cache cannot make
    day-old figures count as fresh); None: manual or not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 86_400:
        return None
    return min(float(value), LONGEST_POLL_SECONDS)


def believable(fetched_at: datetime, retry_at: datetime | None, now: datetime) -> bool:
    """False when the entry's times cannot be: fetched more than `CLOCK_SKEW` in the future, or
    a retry planned further ahead than the tray ever waits (a clock that jumped)."""
    if fetched_at > now + CLOCK_SKEW:
        return False
    return retry_at is None or retry_at <= now + LONGEST_WAIT


def staleness(
    fetched_at: datetime, interval_seconds: float | None, retry_at: datetime | None, now: datetime
) -> bool | None:
    """False: fresh (twice the poll interval, `MANUAL_FRESHNESS` when polling is manual); True:
    older, but the tray waits out a backoff (shown marked stale); None: fetch instead."""
    fresh_for = timedelta(seconds=2 * interval_seconds) if interval_seconds else MANUAL_FRESHNESS
    age = now - fetched_at
    stale = not -CLOCK_SKEW <= age <= fresh_for  # the tray's clock may be a little ahead
    if stale and (retry_at is None or retry_at <= now):
        return None
    return stale
