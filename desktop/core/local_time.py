"""The user's local time: the C library's zone (TZ, else /etc/localtime) with its rules for each
date, and UTC wherever Python cannot represent that zone's offset.

Python's datetime holds offsets strictly inside ±24 h; POSIX allows more (`TZ=UTC+24` is valid),
so every conversion to or from local time goes through here and falls back to UTC (logged once
per zone) instead of raising.
"""

from __future__ import annotations

import atexit
import os
from datetime import UTC, date, datetime, time, timedelta

# Process-wide: the zones already reported as unrepresentable, and a report waiting for a log.
_reported: set[str] = set()
_pending: list[str] = []


def zone_name() -> str:
    """How the user's zone is set, for the log: `TZ=UTC+24` or `the system zone`."""
    value = os.environ.get("TZ")
    return f"TZ={value}" if value is not None else "the system zone (/etc/localtime)"


def to_local(instant: datetime) -> datetime:
    """`instant` (aware) as a local time with that instant's offset (DST honoured); in UTC where
    the zone's offset cannot be represented, or the local date would be out of range."""
    _flush()
    try:
        return instant.astimezone()
    except ValueError:  # an offset of 24 h or more
        _fall_back()
        return instant.astimezone(UTC)
    except (OverflowError, OSError):  # year 1 or 9999 moved past the calendar's edge
        return instant.astimezone(UTC)


def local_date(instant: datetime) -> date:
    """The user's calendar day at `instant` (the UTC day where local time cannot be told)."""
    return to_local(instant).date()


def from_local(wall: datetime) -> datetime:
    """The instant a naive local wall-clock time names, by the zone's rules for that date.

    A time repeated by a DST change is its first occurrence; a time skipped by one is the first
    instant after the gap at or past it (midnight skipped: the instant the day begins). Aware
    `wall` is returned as it is; UTC where the zone's offset cannot be represented."""
    if wall.tzinfo is not None:
        return wall
    _flush()
    try:
        candidates = [wall.replace(fold=fold).astimezone() for fold in (0, 1)]
    except ValueError:
        _fall_back()
        return wall.replace(tzinfo=UTC)
    except (OverflowError, OSError):
        return wall.replace(tzinfo=UTC)
    existing = [c for c in candidates if c.replace(tzinfo=None) == wall]
    # In a gap, fold=0 reads the wall time with the offset after the change (an instant before
    # the gap, even on the previous day) and fold=1 with the offset before it: the later one.
    return min(existing) if existing else max(candidates)


def local_instant(day: date, at: time) -> datetime:
    """The instant of local wall-clock time `at` on `day` (see `from_local`)."""
    return from_local(datetime.combine(day, at))


def local_midnight(day: date) -> datetime:
    """The first instant of the local `day`, with that date's offset (not today's)."""
    return local_instant(day, time(0))


def end_of_day(day: date) -> datetime:
    """The last microsecond of the local `day`."""
    return local_midnight(day + timedelta(days=1)) - timedelta(microseconds=1)


def forget_reports() -> None:
    """The zone changed: an unrepresentable zone met again is reported again."""
    _reported.clear()
    _pending.clear()


def _fall_back() -> None:
    name = zone_name()
    if name in _reported:
        return
    _reported.add(name)
    _pending.append(
        f"The time zone {name} has an offset of 24 hours or more, which cannot be represented: "
        "local times are shown and read in UTC"
    )
    _flush()
    if _pending:  # met before logging was set up: report it later, at the latest on exit
        atexit.register(_flush)


def _flush() -> None:
    """Log waiting reports once the app's logging is set up: before that (while the command
    line is parsed) Python's last-resort handler would print them on stderr."""
    if not _pending:
        return
    import logging  # only to report: the status bar's path does without it

    log = logging.getLogger(__name__)
    if log.hasHandlers():
        for report in _pending:
            log.warning("%s", report)
        _pending.clear()


def calendar_days(now: datetime, instant: datetime) -> int:
    """The calendar days from the local today to `instant`'s local date (Nov 29 → Dec 4 is 5,
    whatever the hours; across a DST change too; negative before today): the app's one count
    of days ahead, so the tray's date, the window, the notifications and the status bars agree."""
    return (local_date(instant) - local_date(now)).days
