from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop.core import fmt


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (0, "0"),
        (4067, "4,067"),
        (4067.04, "4,067"),
        (1399.6, "1,400"),
        (512.4, "512.4"),
        (12.5, "12.5"),
        (-3, "-3"),
        (123456.7, "123,457"),
        # Issue 27 F12: half away from zero in decimal, as a share's percent points; it was
        # half to even (1,016.5 -> 1,016, 2.45 -> 2.4, 0.05 -> 0.0, 18.05 -> 18.0).
        (1016.5, "1,017"),
        (1015.5, "1,016"),
        (2.45, "2.5"),
        (0.35, "0.4"),
        (0.05, "0.1"),
        (18.05, "18.1"),
        (18.95, "19"),
        (999.96, "1,000"),
    ],
)
def test_credits(value: float | None, text: str) -> None:
    assert fmt.credits(value) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (-5, "0 s"),
        (59, "59 s"),
        (60, "1 min"),
        (3599, "59 min"),
        (3600, "1 h"),
        (3900, "1 h 05 min"),
        (86400, "1 d"),
        (90000, "1 d 1 h"),
        (12 * 86400 + 5, "12 d"),
    ],
)
def test_duration(seconds: float, text: str) -> None:
    assert fmt.duration(timedelta(seconds=seconds)) == text


def test_countdown_and_ago() -> None:
    assert fmt.countdown(None, False, expires_at=None) == "never expires"
    assert fmt.countdown(timedelta(0), True, expires_at=None) == "expired"
    assert fmt.countdown(timedelta(days=12, hours=1), False, expires_at=None) == "expires in 12 d"
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert fmt.ago(now - timedelta(seconds=10), now) == "just now"
    assert fmt.ago(now - timedelta(minutes=3), now) == "3 min ago"


def test_percent_and_execution_time() -> None:
    assert fmt.percent(None) == "—"
    assert fmt.percent(0.8134) == "81%"
    assert fmt.execution_time(None) == "—"
    assert fmt.execution_time(850) == "850 ms"
    assert fmt.execution_time(5_231_877) == "1 h 27 min"


@pytest.mark.parametrize(
    ("milliseconds", "text"),
    [
        (None, "—"),
        (850, "850 ms"),
        (999.7, "1 s"),
        (45_000, "45 s"),
        (60_000, "1 min"),
        (105_000, "1 min 45 s"),  # "1 min" hid 45 seconds
        (105_400, "1 min 45 s"),
        (599_000, "9 min 59 s"),
        (600_000, "10 min"),
        (725_000, "12 min"),  # from ten minutes on, minutes are enough
        (5_220_000, "1 h 27 min"),
    ],
)
def test_execution_time_shows_seconds_below_ten_minutes(
    milliseconds: float | None, text: str
) -> None:
    assert fmt.execution_time(milliseconds) == text


def test_ages_and_countdowns_keep_whole_minutes() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert fmt.ago(now - timedelta(seconds=105), now) == "1 min ago"
    later = now + timedelta(hours=2, seconds=105)
    assert fmt.countdown(later - now, False, expires_at=later) == "expires in 2 h 01 min"
