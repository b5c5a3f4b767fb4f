"""The one way the app writes an instant (UTC, ISO 8601, with `Z`) and reads one back (with `Z`
or any offset, as every release wrote them).

Every instant the app writes (JSON reports, the cache, the notification memory, API queries)
goes through `utc_text`; instants it computed itself (now, a retry, a snooze, a forecast's run-out
time) are written in whole seconds, the API's own instants keep their precision.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_text(instant: datetime, *, whole_seconds: bool = False) -> str:
    """`instant` in UTC as ISO 8601 with `Z`, e.g. "2026-11-25T12:00:00Z" (with its microseconds
    when it has some, unless `whole_seconds`: then they are dropped, never rounded up). Raises
    ValueError for a naive instant (its zone is unknown)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant without a time zone: {instant.isoformat()}")
    utc = instant.astimezone(UTC)
    if whole_seconds:
        utc = utc.replace(microsecond=0)
    return utc.isoformat().removesuffix("+00:00") + "Z"


def parse_instant(value: object) -> datetime | None:
    """An instant as `utc_text` or an earlier release wrote it: ISO 8601 with `Z` or an offset
    ("+00:00", "+02:00"); None when `value` is not text, not an instant, or has no zone."""
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return instant if instant.tzinfo is not None and instant.utcoffset() is not None else None


def normal_instant_text(text: str) -> str:
    """`text` rewritten by `utc_text` when it is an instant (keeping its precision), else as it
    is: keys an earlier release wrote with "+00:00" then equal the ones this one makes."""
    instant = parse_instant(text)
    return utc_text(instant) if instant is not None else text
