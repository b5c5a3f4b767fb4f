"""Human formatting of credits, shares, durations and instants; Qt-free."""

from __future__ import annotations

from datetime import datetime, timedelta


def credits(value: float | None) -> str:
    """`4,067` at a glance (whole credits from 1,000 up), `512.4` below; `—` when missing."""
    if value is None:
        return "—"
    if abs(value - round(value)) < 0.05 or abs(value) >= 1_000:
        return f"{round(value):,}"
    return f"{value:,.1f}"


def short_number(value: float | None) -> str:
    """A number the way people read it on a panel: `87`, `4.1k`, `12k`, `3.4M`."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value < 999.5:
        return f"{sign}{round(value)}"
    for limit, suffix in ((1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T")):
        scaled = value / limit
        if scaled < 999.5 or suffix == "T":
            text = f"{scaled:.1f}".removesuffix(".0") if scaled < 9.95 else f"{round(scaled):,}"
            return f"{sign}{text}{suffix}"
    return f"{sign}{round(value)}"  # not reached: the loop ends at T


def percent(fraction: float | None) -> str:
    if fraction is None:
        return "—"
    return f"{round(fraction * 100)}%"


def credit_share(available: float | None, issued: float | None, fraction: float | None) -> str:
    """`3,882 of 5,000 credits (78%)`: the one phrasing of a balance everywhere in the app."""
    return f"{credits(available)} of {credits(issued)} credits ({percent(fraction)})"


def duration(delta: timedelta | float) -> str:
    """A compact duration: `45 s`, `12 min`, `3 h 05 min`, `12 d`, `2 d 4 h`."""
    seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    if days < 3 and hours:
        return f"{days} d {hours} h"
    return f"{days} d"


def countdown(expires_in: timedelta | None, expired: bool) -> str:
    """`expires in 12 d`, `expired`, or `never expires`."""
    if expired:
        return "expired"
    if expires_in is None:
        return "never expires"
    seconds = int(expires_in.total_seconds())
    if 60 <= seconds < 3600:  # the last hour ticks by the second
        return f"expires in {seconds // 60} min {seconds % 60:02d} s"
    return f"expires in {duration(expires_in)}"


def countdown_tick_seconds(expires_in: timedelta | None) -> float:
    """How often the countdown text changes: every second in the last hour, else every minute."""
    if expires_in is not None and timedelta(0) < expires_in <= timedelta(hours=1):
        return 1.0
    return 60.0


def ago(then: datetime, now: datetime) -> str:
    """`just now`, `3 min ago`, `2 h ago`."""
    seconds = (now - then).total_seconds()
    if seconds < 45:
        return "just now"
    return f"{duration(seconds)} ago"


def execution_time(milliseconds: float | None) -> str:
    """Total execution time for people: `1 h 27 min`, `850 ms`."""
    if milliseconds is None:
        return "—"
    if milliseconds < 1000:
        return f"{round(milliseconds)} ms"
    return duration(milliseconds / 1000)


def local_datetime(instant: datetime | None) -> str:
    """An instant in the user's local time zone, e.g. `2027-01-31 23:59`."""
    if instant is None:
        return "—"
    return instant.astimezone().strftime("%Y-%m-%d %H:%M")
