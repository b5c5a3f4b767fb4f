"""The admin's radar (issue 28): today's credits per member against their usual day."""

from __future__ import annotations

import itertools
import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core import forecast, radar
from desktop.core.models import UsageSummary, summary_from_json
from desktop.core.query import GroupBy
from desktop.core.radar import MemberRadar, Radar
from tests.zones import local_zone

NOW = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
TODAY_FROM = datetime(2026, 11, 29, tzinfo=UTC)


def summary(members: list[tuple[str, float]] | None) -> UsageSummary:
    body: dict[str, Any] = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": sum(c for _, c in members or ()),
        "total_tasks": 0,
    }
    if members is not None:
        body["by_email"] = [{"email": e, "neo_credits": c, "tasks": 1} for e, c in members]
    return summary_from_json(body)


def member(radar_: Radar, email: str) -> MemberRadar:
    return next(item for item in radar_.items if item.email == email)


def test_the_issue_example() -> None:
    window = summary([("maya@acme.test", 140.0), ("bo@example.com", 28.0)])
    today = summary([("bo@example.com", 30.0), ("new@acme.test", 12.0)])
    result = radar.compute(window, today, TODAY_FROM)
    assert result.status == "ok"
    assert [item.email for item in result.items] == [
        "bo@example.com",  # unusual, ratio 15
        "new@acme.test",  # unusual, no ratio
        "maya@acme.test",  # usual
    ]
    bo = member(result, "bo@example.com")
    assert bo == MemberRadar("bo@example.com", 30.0, 2.0, 15.0, 28 / 168, True, 28.0)
    new = member(result, "new@acme.test")
    assert (new.baseline_credits_per_day, new.ratio, new.recent_share, new.unusual) == (
        0.0,
        None,
        0.0,
        True,
    )
    maya = member(result, "maya@acme.test")
    assert (maya.today_credits, maya.ratio, maya.unusual) == (0.0, 0.0, False)
    assert maya.recent_share == 140 / 168  # unrounded


def test_to_json_is_the_issue_members_object() -> None:
    window = summary([("bo@example.com", 28.0)])
    today = summary([("bo@example.com", 30.0)])
    document = radar.compute(window, today, datetime(2026, 11, 28, 23, 0, tzinfo=UTC)).to_json()
    assert json.loads(json.dumps(document)) == {
        "status": "ok",
        "window_days": 14,
        "today_from": "2026-11-28T23:00:00Z",
        "items": [
            {
                "email": "bo@example.com",
                "today_credits": 30.0,
                "baseline_credits_per_day": 2.0,
                "ratio": 15.0,
                "recent_share": 1.0,
                "unusual": True,
            }
        ],
    }


@pytest.mark.parametrize(
    ("window", "today"),
    [(None, summary([("a@b.c", 1.0)])), (summary([("a@b.c", 1.0)]), None), (None, None)],
)
def test_a_failed_request_is_unavailable(
    window: UsageSummary | None, today: UsageSummary | None
) -> None:
    result = radar.compute(window, today, TODAY_FROM)
    assert result == Radar("unavailable", 14, TODAY_FROM, ())
    assert result.to_json()["items"] == []
    assert radar.top_burner(result) is None


@pytest.mark.parametrize(
    ("window_credits", "today_credits", "unusual"),
    [
        (28.0, 30.0, True),  # 15x, 30 credits
        (28.0, 6.0, False),  # exactly 3x but under 10 credits
        (70.0, 15.0, True),  # exactly 3x (usual 5) and over 10
        (70.0, 14.9, False),  # under 3x
        (7.0, 10.0, True),  # usual 0.5: 20x, exactly 10 credits
        (7.0, 9.99, False),  # 20x but under 10 credits
        (0.0, 10.0, True),  # new: from 10 credits
        (0.0, 9.5, False),  # new, under 10
        (0.0, 0.0, False),
        (1400.0, 250.0, False),  # a heavy user at 2.5x
    ],
)
def test_unusual(window_credits: float, today_credits: float, unusual: bool) -> None:
    window = summary([("m@x.io", window_credits)])
    today = summary([("m@x.io", today_credits)])
    assert member(radar.compute(window, today, TODAY_FROM), "m@x.io").unusual is unusual


def test_everyone_in_the_window_or_today_and_rows_of_one_email_add_up() -> None:
    window = summary([("a@x.io", 14.0), ("a@x.io", 14.0), ("b@x.io", 0.0)])
    today = summary([("c@x.io", 1.0)])
    result = radar.compute(window, today, TODAY_FROM)
    assert sorted(item.email for item in result.items) == ["a@x.io", "b@x.io", "c@x.io"]
    assert member(result, "a@x.io").window_credits == 28.0
    assert member(result, "a@x.io").baseline_credits_per_day == 2.0
    assert member(result, "b@x.io").ratio is None  # usual 0


def test_a_refund_counts_as_no_use_and_an_empty_window_has_no_shares() -> None:
    window = summary([("a@x.io", -50.0)])
    today = summary([("a@x.io", -3.0)])
    item = member(radar.compute(window, today, TODAY_FROM), "a@x.io")
    assert (item.window_credits, item.today_credits, item.ratio, item.recent_share) == (
        0.0,
        0.0,
        None,
        None,
    )


def test_a_summary_without_by_email_is_no_usage() -> None:
    result = radar.compute(summary(None), summary([("a@x.io", 12.0)]), TODAY_FROM)
    assert result.status == "ok"
    assert [(i.email, i.unusual) for i in result.items] == [("a@x.io", True)]


def test_a_ratio_past_a_float_is_none_not_infinity() -> None:
    window = summary([("a@x.io", 1e-300)])
    today = summary([("a@x.io", 1e15)])
    item = member(radar.compute(window, today, TODAY_FROM), "a@x.io")
    assert item.ratio is None
    assert item.unusual
    assert "Infinity" not in json.dumps(radar.compute(window, today, TODAY_FROM).to_json())


def test_hostile_emails_are_kept_as_data() -> None:
    email = "<b>x</b>\n\u202e@evil"
    result = radar.compute(summary([(email, 1.0)]), summary([]), TODAY_FROM)
    assert result.items[0].email == email


def test_has_team() -> None:
    assert radar.has_team(summary([]))
    assert radar.has_team(summary([("a@x.io", 1.0)]))
    assert not radar.has_team(summary(None))


@pytest.mark.parametrize(
    ("zone", "now", "start"),
    [
        ("UTC", NOW, datetime(2026, 11, 29, tzinfo=UTC)),
        ("Europe/Berlin", NOW, datetime(2026, 11, 28, 23, tzinfo=UTC)),
        (
            "America/New_York",
            datetime(2026, 11, 29, 3, tzinfo=UTC),
            datetime(2026, 11, 28, 5, tzinfo=UTC),
        ),
        # The day DST starts in Berlin (23 h) and ends (25 h): midnight takes that day's offset.
        (
            "Europe/Berlin",
            datetime(2026, 3, 29, 12, tzinfo=UTC),
            datetime(2026, 3, 28, 23, tzinfo=UTC),
        ),
        (
            "Europe/Berlin",
            datetime(2026, 10, 25, 12, tzinfo=UTC),
            datetime(2026, 10, 24, 22, tzinfo=UTC),
        ),
        # Midnight skipped (Chile's DST starts at 00:00): the day starts at 01:00 local.
        (
            "America/Santiago",
            datetime(2026, 9, 6, 12, tzinfo=UTC),
            datetime(2026, 9, 6, 4, tzinfo=UTC),
        ),
        # A zone Python cannot hold: UTC.
        ("UTC+24", NOW, datetime(2026, 11, 29, tzinfo=UTC)),
    ],
)
def test_today_window_starts_at_local_midnight(zone: str, now: datetime, start: datetime) -> None:
    with local_zone(zone):
        assert radar.today_window(now) == (start, now)
        query = radar.today_query(now)
    assert (query.start, query.end, query.group_by) == (start, now, None)
    assert query.start is not None
    assert query.start.tzinfo is UTC


def test_the_window_is_the_forecasts() -> None:
    assert radar.WINDOW_DAYS == forecast.WINDOW_DAYS == 14
    assert forecast.window_query(NOW).group_by is GroupBy.DAY


def test_top_burner_has_the_most_window_credits() -> None:
    window = summary([("bo@x.io", 28.0), ("maya@x.io", 140.0), ("al@x.io", 140.0)])
    today = summary([("bo@x.io", 300.0)])
    result = radar.compute(window, today, TODAY_FROM)
    assert result.items[0].email == "bo@x.io"  # first in the table, not the top burner
    top = radar.top_burner(result)
    assert top is not None
    assert top.email == "al@x.io"  # a tie goes to the first email
    assert radar.top_burner(radar.compute(summary([("a@x.io", 0)]), summary([]), NOW)) is None


@pytest.mark.parametrize(
    ("available", "expires_in_days", "share"),
    [
        (700.0, 14.0, 0.4),  # 20/day x 14 days / 700
        (100.0, 14.0, 1.0),  # capped at 100 %
        (700.0, None, 280 / 700),  # no expiry: their share of the window
        (0.0, 14.0, None),  # nothing left
        (None, 14.0, None),
        (700.0, -1.0, None),  # already expired
    ],
)
def test_burn_share(
    available: float | None, expires_in_days: float | None, share: float | None
) -> None:
    window = summary([("maya@x.io", 280.0), ("bo@x.io", 420.0)])
    maya = member(radar.compute(window, summary([]), TODAY_FROM), "maya@x.io")
    expires_at = None if expires_in_days is None else NOW + timedelta(days=expires_in_days)
    result = radar.burn_share(maya, available, expires_at, NOW)
    if share is None:
        assert result is None
    else:
        assert result == pytest.approx(share)


finite = st.floats(min_value=0, max_value=1e6, allow_nan=False)
emails = st.sampled_from(["a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io", "<i>@x", ""])


@given(
    st.lists(st.tuples(emails, finite), max_size=8),
    st.lists(st.tuples(emails, finite), max_size=8),
)
def test_sort_order_properties(
    window_rows: list[tuple[str, float]], today_rows: list[tuple[str, float]]
) -> None:
    result = radar.compute(summary(window_rows), summary(today_rows), TODAY_FROM)
    items = result.items
    assert {i.email for i in items} == {e for e, _ in window_rows + today_rows}
    assert len({i.email for i in items}) == len(items)
    for before, after in itertools.pairwise(items):
        if before.unusual != after.unusual:
            assert before.unusual  # unusual first
            continue
        if before.ratio is None:
            assert after.ratio is None  # None after numbers
            assert before.email < after.email
        elif after.ratio is not None:
            assert before.ratio > after.ratio or (
                before.ratio == after.ratio and before.email < after.email
            )
    for item in items:
        assert item.unusual == radar.is_unusual(item.today_credits, item.baseline_credits_per_day)
        for figure in (item.ratio, item.recent_share):
            assert figure is None or math.isfinite(figure)
    shares = [i.recent_share for i in items if i.recent_share is not None]
    assert not shares or sum(shares) == pytest.approx(1.0)
    # The order is the rows' figures', not the order the server sent them in (one row per
    # email, so that the sums are the same to the last bit).
    if len({e for e, _ in window_rows}) < len(window_rows) or len({e for e, _ in today_rows}) < len(
        today_rows
    ):
        return
    again = radar.compute(summary(window_rows[::-1]), summary(today_rows[::-1]), TODAY_FROM)
    assert [i.email for i in again.items] == [i.email for i in items]


# --- sums past the model's bound (a hostile server's duplicate rows) -----------------------------
def rows_summary(members: list[tuple[str, float]]) -> UsageSummary:
    """`summary` whose total is a figure the model takes (the rows' sum may not be)."""
    body = {"by_model": {}, "by_status": {}, "total_neo_credits": 1, "total_tasks": 0}
    rows = [{"email": e, "neo_credits": c, "tasks": 1} for e, c in members]
    return summary_from_json({**body, "by_email": rows})


def test_duplicate_rows_past_the_bound_leave_the_member_out() -> None:
    """20 rows of 10^14 for one email add up to 2 * 10^15, past `limits.MAX_MAGNITUDE`: that
    member is left out (never a figure the app cannot represent); rows differing in case or a
    trailing space are other members (the server's identity), and 10 rows of 10^14 (the
    bound itself) still count."""
    rows = [("dup@x", 1e14)] * 20 + [("DUP@x", 5.0), ("dup@x ", 5.0)] + [("ten@x", 1e14)] * 10
    window = summary([("dup@x", 14.0), ("DUP@x", 14.0), ("ten@x", 14.0)])
    result = radar.compute(window, rows_summary(rows), TODAY_FROM)
    assert sorted(item.email for item in result.items) == ["DUP@x", "dup@x ", "ten@x"]
    assert member(result, "ten@x").today_credits == 1e15
    assert member(result, "DUP@x").today_credits == 5.0
    # The one left out is left out of the window's shares too.
    assert member(result, "DUP@x").recent_share == 0.5
    for item in result.items:
        assert item.today_credits <= 1e15
        assert item.window_credits <= 1e15
    assert "2e+15" not in json.dumps(result.to_json())


def test_a_window_sum_past_the_bound_leaves_the_member_out_of_today_too() -> None:
    window = rows_summary([("big@x", 6e14), ("big@x", 6e14), ("ok@x", 14.0)])
    today = summary([("big@x", 30.0), ("ok@x", 3.0)])
    result = radar.compute(window, today, TODAY_FROM)
    assert [item.email for item in result.items] == ["ok@x"]
    assert radar.credits_by_email(window.by_email) == {"ok@x": 14.0}


# --- computed once per (window, today) pair ------------------------------------------------------
def test_compute_once_gives_the_same_radar_for_the_same_summaries() -> None:
    window = summary([("maya@acme.test", 140.0)])
    today = summary([("maya@acme.test", 30.0)])
    first = radar.compute_once(window, today, TODAY_FROM)
    assert first == radar.compute(window, today, TODAY_FROM)
    assert radar.compute_once(window, today, TODAY_FROM) is first
    # Another answer (even an equal one), or another start of the day: computed again.
    again = radar.compute_once(window, summary([("maya@acme.test", 30.0)]), TODAY_FROM)
    assert again == first
    assert again is not first
    assert radar.compute_once(window, today, TODAY_FROM + timedelta(hours=1)) is not first
    assert radar.compute_once(None, today, TODAY_FROM).status == "unavailable"
    assert radar.compute_once(window, today, TODAY_FROM) is first


def test_compute_once_forgets_answers_that_went_away() -> None:
    import gc
    import weakref

    window = summary([("maya@acme.test", 140.0)])
    today = summary([("maya@acme.test", 30.0)])
    gone = weakref.ref(today)
    radar.compute_once(window, today, TODAY_FROM)
    del today
    gc.collect()
    assert gone() is None  # the memo held it weakly
    later = summary([("maya@acme.test", 31.0)])
    assert radar.compute_once(window, later, TODAY_FROM).items[0].today_credits == 31.0


def test_the_top_burner_is_the_same_for_the_same_radar() -> None:
    window = summary([("maya@acme.test", 140.0), ("bo@x", 10.0)])
    result = radar.compute_once(window, summary([]), TODAY_FROM)
    top = radar.top_burner(result)
    assert top is not None
    assert top.email == "maya@acme.test"
    assert radar.top_burner(result) is top
    other = radar.compute(summary([("bo@x", 10.0)]), summary([]), TODAY_FROM)
    top_other = radar.top_burner(other)
    assert top_other is not None
    assert top_other.email == "bo@x"
    assert radar.top_burner(radar.compute(summary([]), summary([]), TODAY_FROM)) is None


def test_the_views_radar_is_the_same_object_on_every_render() -> None:
    """`presentation.radar` on each render tick (the detail window's) gives the radar computed
    once for the state's window and today, and a new one when today's answer is replaced."""
    from dataclasses import replace

    from desktop.core import presentation
    from desktop.core.snapshot import Snapshot

    team = [("maya@acme.test", 140.0), ("bo@x", 28.0)]
    main = Snapshot(summary(team), NOW)
    window = Snapshot(summary(team), NOW, forecast.window_query(NOW))
    today = Snapshot(summary([("bo@x", 30.0)]), NOW, radar.today_query(NOW))
    view = presentation.ViewState(snapshot=main, forecast_window=window, team_today=today)
    first = presentation.radar(view, NOW)
    assert first is not None
    assert first.ok
    assert presentation.radar(view, NOW + timedelta(seconds=1)) is first
    assert presentation.radar(replace(view, refresh_note=None), NOW) is first
    later = replace(view, team_today=Snapshot(summary([("bo@x", 31.0)]), NOW, today.query))
    second = presentation.radar(later, NOW)
    assert second is not None
    assert second is not first
    assert member(second, "bo@x").today_credits == 31.0
