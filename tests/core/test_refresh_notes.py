"""What the menu and the window say when "Refresh now" sent nothing, and until when the
server's Retry-After holds requests (issue 24)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from desktop.core import detail_text, fmt, tray_text
from desktop.core.errors import ErrorKind
from desktop.core.models import parse_summary
from desktop.core.presentation import RefreshNote, RefreshRefusal, ViewState
from desktop.core.snapshot import PollError, Snapshot

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _snapshot() -> Snapshot:
    body = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 10,
        "total_tasks": 2,
        "total_available_neo_credits": 4000,
        "total_issued_neo_credits": 5000,
    }
    return Snapshot(parse_summary(json.dumps(body)), NOW - timedelta(seconds=4))


def test_a_refresh_in_the_cooldown_says_just_refreshed_until_it_ends() -> None:
    note = RefreshNote(RefreshRefusal.JUST_REFRESHED, NOW + timedelta(seconds=6, milliseconds=200))
    state = ViewState(_snapshot(), refresh_note=note)
    line = "Just refreshed: try again in 7 s"
    assert tray_text.status_line(state, NOW) == line
    assert tray_text.menu_lines(state, NOW)[-1] == line
    later = NOW + timedelta(seconds=7)
    assert tray_text.status_line(state, later) == "Updated just now"


def test_a_refresh_held_by_retry_after_says_until_when() -> None:
    until = NOW + timedelta(minutes=2)
    state = ViewState(_snapshot(), refresh_note=RefreshNote(RefreshRefusal.RATE_LIMITED, until))
    assert tray_text.status_line(state, NOW) == (
        "Rate limited: the next request goes at " + fmt.clock_time(until, NOW)
    )


def test_the_banner_says_when_a_rate_limit_ends() -> None:
    error = PollError(ErrorKind.RATE_LIMITED, "The Neo API is rate limiting requests.", NOW, 120)
    state = ViewState(_snapshot(), error=error)
    text = detail_text.banner_text(state, NOW)
    assert text is not None
    when = fmt.clock_time(NOW + timedelta(minutes=2), NOW)
    assert f"The next request goes at {when}." in text
    assert detail_text.banner_text(state, NOW + timedelta(minutes=3)) == (
        "The Neo API is rate limiting requests. Showing data from 3 min ago."
    )
