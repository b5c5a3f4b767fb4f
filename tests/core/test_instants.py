"""The one way instants are written (UTC with `Z`) and read back (`Z` or any offset)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from desktop.core.instants import normal_instant_text, parse_instant, utc_text

PLUS_TWO = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("instant", "whole_seconds", "text"),
    [
        (datetime(2026, 11, 25, 12, 0, tzinfo=UTC), False, "2026-11-25T12:00:00Z"),
        (datetime(2026, 11, 25, 14, 0, tzinfo=PLUS_TWO), False, "2026-11-25T12:00:00Z"),
        (
            datetime(2026, 11, 25, 12, 0, 5, 123456, tzinfo=UTC),
            False,
            "2026-11-25T12:00:05.123456Z",
        ),
        (datetime(2026, 11, 25, 12, 0, 5, 999999, tzinfo=UTC), True, "2026-11-25T12:00:05Z"),
    ],
)
def test_an_instant_is_written_in_utc_with_z(
    instant: datetime, whole_seconds: bool, text: str
) -> None:
    assert utc_text(instant, whole_seconds=whole_seconds) == text
    written = instant.replace(microsecond=0) if whole_seconds else instant
    assert parse_instant(text) == written


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        utc_text(datetime(2026, 11, 25, 12, 0))


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2026-11-25T12:00:00Z", datetime(2026, 11, 25, 12, tzinfo=UTC)),
        ("2026-11-25T12:00:00+00:00", datetime(2026, 11, 25, 12, tzinfo=UTC)),
        ("2026-11-25T14:00:00+02:00", datetime(2026, 11, 25, 12, tzinfo=UTC)),
        ("2026-11-25T12:00:00", None),  # no zone: not an instant
        ("2026-11-25", None),
        ("1000.0", None),  # a credit epoch's figure
        ("flag", None),
        ("", None),
        (None, None),
        (12, None),
    ],
)
def test_an_instant_is_read_with_z_or_an_offset(text: object, instant: datetime | None) -> None:
    assert parse_instant(text) == instant


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("2026-11-01T00:00:00+00:00", "2026-11-01T00:00:00Z"),
        ("2026-11-01T02:00:00.5+02:00", "2026-11-01T00:00:00.500000Z"),
        ("2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z"),
        ("1000.0", "1000.0"),
        ("7", "7"),
        ("flag", "flag"),
    ],
)
def test_an_earlier_releases_instant_is_made_this_releases(text: str, normal: str) -> None:
    assert normal_instant_text(text) == normal
