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
    assert fmt.countdown(None, False) == "never expires"
    assert fmt.countdown(timedelta(0), True) == "expired"
    assert fmt.countdown(timedelta(days=12, hours=1), False) == "expires in 12 d"
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert fmt.ago(now - timedelta(seconds=10), now) == "just now"
    assert fmt.ago(now - timedelta(minutes=3), now) == "3 min ago"


def test_percent_and_execution_time() -> None:
    assert fmt.percent(None) == "—"
    assert fmt.percent(0.8134) == "81%"
    assert fmt.execution_time(None) == "—"
    assert fmt.execution_time(850) == "850 ms"
    assert fmt.execution_time(5_231_877) == "1 h 27 min"
