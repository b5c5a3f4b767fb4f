"""One rule for days ahead (issue 29): the calendar days between the local today and an instant's
local date, whatever the hours, across midnight and DST changes (core/local_time.calendar_days)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop.core import fmt, local_time
from tests.zones import local_zone


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "now", "instant", "days"),
    [
        # Nov 29 → Dec 4 is 5 days, from the day's first minute or its last.
        ("UTC", "2026-11-29T00:01", "2026-12-04T23:59", 5),
        ("UTC", "2026-11-29T23:59", "2026-12-04T00:01", 5),
        # 4 days 23:58 of hours is 4 calendar days when it ends on Dec 3.
        ("UTC", "2026-11-29T00:01", "2026-12-03T23:59", 4),
        # Later today is 0, tomorrow morning is 1 though hours away.
        ("UTC", "2026-11-29T08:00", "2026-11-29T23:59", 0),
        ("UTC", "2026-11-29T23:30", "2026-11-30T00:10", 1),
        ("UTC", "2026-11-29T08:00", "2026-11-28T23:00", -1),
        # Local, not UTC: 23:30 UTC is already tomorrow in Berlin, still today in New York.
        ("Europe/Berlin", "2026-11-29T12:00", "2026-11-29T23:30", 1),
        ("America/New_York", "2026-11-29T12:00", "2026-11-30T03:30", 0),
        ("Pacific/Kiritimati", "2026-11-29T09:00", "2026-11-29T11:00", 1),
        # Across the spring change (Berlin, Mar 28 2027: a 23-hour day) and the autumn one (Oct
        # 31 2027: 25 hours): midnight to midnight is still one day a day.
        ("Europe/Berlin", "2027-03-27T23:00", "2027-03-28T22:00", 1),  # 00:00 → 00:00 local
        ("Europe/Berlin", "2027-03-26T22:30", "2027-03-31T21:59", 5),  # 23:30 → 23:59
        ("Europe/Berlin", "2027-10-30T22:00", "2027-10-31T23:00", 1),  # 00:00 → 00:00 local
        ("Europe/Berlin", "2027-10-29T21:30", "2027-11-03T22:59", 5),  # 23:30 → 23:59
        ("America/New_York", "2027-03-14T04:59", "2027-03-14T05:00", 1),  # 23:59 → 00:00
        ("America/New_York", "2027-03-14T04:59", "2027-03-15T03:59", 1),  # 23:59 → 23:59 EDT
        ("America/New_York", "2027-11-07T05:30", "2027-11-07T06:30", 0),  # 01:30 EDT, 01:30 EST
        # A zone Python cannot hold (UTC+24) counts UTC days, as every other local figure.
        ("UTC+24", "2026-11-29T23:00", "2026-11-30T01:00", 1),
    ],
)
def test_calendar_days_between_local_today_and_the_local_date(
    zone: str, now: str, instant: str, days: int
) -> None:
    with local_zone(zone):
        assert local_time.calendar_days(utc(now), utc(instant)) == days


@pytest.mark.parametrize(
    ("zone", "now", "expiry", "text"),
    [
        # The tester's case: 5 d 23 h 58 min to Dec 5 is six calendar days, as "unused on Dec 5".
        ("UTC", "2026-11-29T18:46", "2026-12-05T18:44", "expires in 6 d"),
        # 1 d 2 h that ends two dates on says 2 d; 23 h to tomorrow keeps its hours.
        ("UTC", "2026-11-29T23:00", "2026-12-01T01:00", "expires in 2 d"),
        ("UTC", "2026-11-29T01:00", "2026-11-30T00:00", "expires in 23 h"),
        ("UTC", "2026-11-29T18:00", "2026-11-30T18:00", "expires in 1 d"),
        # Local dates: 22:00 UTC Dec 4 is Dec 4 in New York, Dec 4 23:00 in Berlin.
        ("America/New_York", "2026-11-29T18:00", "2026-12-05T02:00", "expires in 5 d"),
        ("Europe/Berlin", "2026-11-29T18:00", "2026-12-04T23:30", "expires in 6 d"),
    ],
)
def test_the_expiry_countdown_counts_calendar_days(
    zone: str, now: str, expiry: str, text: str
) -> None:
    with local_zone(zone):
        start, end = utc(now), utc(expiry)
        assert fmt.countdown(end - start, False, expires_at=end) == text


def test_the_expiry_notification_counts_the_same_days() -> None:
    from desktop.core.rules.catalogue import Rule
    from desktop.core.rules.messages import expiry_notification

    with local_zone("UTC"):
        now, expiry = utc("2026-11-29T18:46"), utc("2026-12-05T18:44")
        body = expiry_notification(Rule.EXPIRY_7D, expiry - now, expiry).body
        assert body.startswith("Your credits expire in 6 d (")
        soon = utc("2026-11-30T12:00")
        body = expiry_notification(Rule.EXPIRY_1D, soon - now, soon).body
        assert body.startswith("Your credits expire in 17 h 14 min (")
