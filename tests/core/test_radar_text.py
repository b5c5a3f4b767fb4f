"""The radar in words (issue 28): the top burner's line, the spike notification, the marks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from desktop.core import i18n, radar, radar_text
from desktop.core.radar import MemberRadar, Radar

NOW = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)


def member(
    email: str = "bo@example.com",
    today: float = 30.0,
    usual: float = 2.0,
    share: float | None = 0.25,
    window: float | None = None,
) -> MemberRadar:
    ratio = today / usual if usual else None
    return MemberRadar(
        email,
        today,
        usual,
        ratio,
        share,
        radar.is_unusual(today, usual),
        usual * 14 if window is None else window,
    )


def radar_of(*members: MemberRadar, status: str = "ok") -> Radar:
    return Radar(status, 14, NOW, members)


@pytest.fixture
def german() -> Iterator[None]:
    i18n.use(i18n.Language("de", "de_DE"))
    try:
        yield
    finally:
        i18n.use(i18n.Language())


@pytest.mark.parametrize(
    ("email", "short"),
    [
        ("maya@acme.test", "maya@acme.test"),
        ("exactly24chars@acme.test", "exactly24chars@acme.test"),
        ("maya.lopez@engineering.acme.test", "maya.lopez@…"),
        ("a-very-long-local-part-indeed-yes@x.io", "a-very-long-local-part-…@…"),
        ("no-at-sign-in-this-text-at-all", "no-at-sign-in-this-text…"),
        ("", ""),
    ],
)
def test_short_email(email: str, short: str) -> None:
    assert radar_text.short_email(email) == short
    assert len(radar_text.short_email(email)) <= 26


@pytest.mark.parametrize(
    ("ratio", "text"),
    [
        (15.0, "15×"),
        (10.0, "10×"),
        (9.96, "10×"),  # one decimal would read 10.0
        (9.94, "9.9×"),
        (3.0, "3.0×"),
        (3.25, "3.3×"),  # half up
        (1234.4, "1,234×"),
        (0.0, "0.0×"),
        (None, "—"),
    ],
)
def test_ratio_text(ratio: float | None, text: str) -> None:
    assert radar_text.ratio_text(ratio) == text


def test_spike_texts() -> None:
    bo = member()
    assert radar_text.spike_body(bo) == "bo@example.com used 15× their usual today (30 credits)"
    assert radar_text.spike_title(bo) == "Unusual team usage: bo@example.com"
    assert (
        radar_text.spike_body(member(today=12.5, usual=4.0))
        == "bo@example.com used 3.1× their usual today (12.5 credits)"
    )
    new = member("new@acme.test", today=30.0, usual=0.0)
    assert radar_text.spike_body(new) == "new@acme.test, new: 30 credits today"
    long_email = "someone.with.a.long.name@example.com"
    assert (
        radar_text.spike_title(member(long_email))
        == "Unusual team usage: someone.with.a.long.name@…"
    )
    assert radar_text.spike_body(member(long_email)).startswith(long_email)


def test_spike_body_in_german(german: None) -> None:
    body = radar_text.spike_body(member(today=12.5, usual=4.0))
    assert "3,1×" in body
    assert "12,5" in body
    assert "bo@example.com" in body


def test_top_burner_line_with_an_expiry() -> None:
    maya = member("maya@acme.test", today=0.0, usual=20.0, share=0.8)
    bo = member(today=30.0, usual=2.0, share=0.2)
    line = radar_text.top_burner_line(radar_of(bo, maya), 700.0, NOW + timedelta(days=14), NOW)
    assert line == "At this pace, maya@acme.test spends 40% of what is left"
    capped = radar_text.top_burner_line(radar_of(maya), 100.0, NOW + timedelta(days=14), NOW)
    assert capped == "At this pace, maya@acme.test spends 100% of what is left"


def test_top_burner_line_without_an_expiry_is_the_window_share() -> None:
    maya = member("maya.lopez@engineering.acme.test", today=0.0, usual=20.0, share=0.8)
    line = radar_text.top_burner_line(radar_of(maya), 700.0, None, NOW)
    assert line == "maya.lopez@… used 80% of the team's credits over the last 14 days"


@pytest.mark.parametrize(
    ("members", "status", "available"),
    [
        ((), "ok", 700.0),  # no members
        ((member(today=5.0, usual=0.0, share=None, window=0.0),), "ok", 700.0),  # nobody used any
        ((), "unavailable", 700.0),
        ((member(),), "ok", 0.0),  # nothing left
    ],
)
def test_no_top_burner_line(
    members: tuple[MemberRadar, ...], status: str, available: float
) -> None:
    result = radar_of(*members, status=status)
    assert radar_text.top_burner_line(result, available, NOW + timedelta(days=3), NOW) is None
    assert radar_text.top_burner_line(None, available, None, NOW) is None


def test_marks_and_accessible_texts() -> None:
    assert (
        radar_text.member_accessible_text(member())
        == "bo@example.com: 30 credits today, 15× their usual day (unusual)"
    )
    assert (
        radar_text.member_accessible_text(member(today=1.0, usual=0.0))
        == "bo@example.com: 1 credit today, no usage before"
    )
    assert radar_text.unavailable_line()
