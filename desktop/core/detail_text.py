"""The detail window's own texts: the banner (an error's full sentence, or why the data is
old) and a range's dates.

Pure: the window renders the strings this module returns.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from desktop.core import fmt, i18n
from desktop.core.i18n import _
from desktop.core.presentation import ViewState
from desktop.core.query import UsageQuery
from desktop.core.snapshot import PollError
from desktop.core.tray_text import status_line


def retry_time(error: PollError) -> datetime | None:
    """When a server's Retry-After lets the account ask again (None: it did not say)."""
    if error.retry_after is None:
        return None
    return error.at + timedelta(seconds=error.retry_after)


def banner_text(state: ViewState, now: datetime) -> str | None:
    """The detail window's banner: the error's full sentence, or why the data is old; None when
    all is well."""
    error = state.current_error
    if error is None:
        if state.snapshot is not None and state.snapshot.from_cache:
            return status_line(state, now)
        return None
    text = error.user_message
    until = retry_time(error)
    if until is not None and until > now:
        text += " " + _("The next request goes at {time}.").format(time=fmt.clock_time(until, now))
    if state.snapshot is not None:
        text += " " + _("Showing data from {ago}.").format(
            ago=fmt.ago(state.snapshot.fetched_at, now)
        )
    return text


def range_text(query: UsageQuery) -> str:
    """`2026-11-01 → 2026-11-27` in local days, or `all time`."""

    def day(instant: datetime | None) -> str:
        return i18n.day(instant) if instant else "…"

    if query.start is None and query.end is None:
        return _("all time")
    return f"{day(query.start)} → {day(query.end)}"
