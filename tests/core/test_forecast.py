"""The forecast's figures as tables, its honest edges, and properties that must always hold."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.forecast import (
    WINDOW_DAYS,
    BalancePoint,
    Forecast,
    ForecastStatus,
    balance_history,
    balance_query,
    compute,
    daily_usage,
    projection,
    row_day,
    window_query,
)
from desktop.core.models import UsageSummary, parse_summary
from desktop.core.query import GroupBy

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
FIRST = date(2026, 11, 13)  # the window: Nov 13 .. Nov 26 (today, Nov 27, is not complete)


def summary(**fields: Any) -> UsageSummary:
    body: dict[str, Any] = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 0,
        "total_tasks": 0,
        "total_available_neo_credits": 700,
        "total_issued_neo_credits": 1000,
        "last_credit_reset": "2026-11-01T00:00:00Z",
        "neo_credits_expires_at": "2027-01-30T00:00:00Z",
    }
    body.update(fields)
    return parse_summary(json.dumps({k: v for k, v in body.items() if v is not None}))


def window(per_day: dict[int, float] | float | None = 10.0) -> UsageSummary:
    """Daily rows over the window: a rate for every day, or {day index: credits}."""
    if per_day is None:
        rows: list[dict[str, Any]] = []
    elif isinstance(per_day, dict):
        rows = [
            {"date": (FIRST + timedelta(days=i)).isoformat(), "neo_credits": c}
            for i, c in per_day.items()
        ]
    else:
        rows = [
            {"date": (FIRST + timedelta(days=i)).isoformat(), "neo_credits": per_day}
            for i in range(WINDOW_DAYS)
        ]
    return summary(by_period=rows)


def test_the_window_is_the_last_fourteen_complete_utc_days() -> None:
    query = window_query(NOW)
    assert query.start == datetime(2026, 11, 13, tzinfo=UTC)
    assert query.end is not None
    assert query.end < datetime(2026, 11, 27, tzinfo=UTC)
    assert query.end > datetime(2026, 11, 26, 23, 59, tzinfo=UTC)
    assert query.group_by is GroupBy.DAY


def test_runs_out_before_expiry() -> None:
    forecast = compute(summary(total_available_neo_credits=100), window(10.0), NOW)
    assert forecast.status is ForecastStatus.OK
    assert forecast.credits_per_day == 10.0
    assert forecast.runs_out_at == NOW + timedelta(days=10)
    assert forecast.runs_out_before_expiry is True
    assert forecast.unused_at_expiry == 0.0


def test_credits_expire_unused_at_a_slow_pace() -> None:
    forecast = compute(summary(), window(5.0), NOW)  # 700 left, 63.375 days to expiry
    assert forecast.status is ForecastStatus.OK
    assert forecast.runs_out_before_expiry is False
    days_to_expiry = (datetime(2027, 1, 30, tzinfo=UTC) - NOW).total_seconds() / 86400
    assert forecast.unused_at_expiry == pytest.approx(700 - 5.0 * days_to_expiry)


def test_days_without_a_row_count_as_zero() -> None:
    forecast = compute(summary(), window({0: 70.0, 5: 70.0, 13: 70.0}), NOW)
    assert forecast.credits_per_day == pytest.approx(15.0)


def test_a_row_given_as_a_timestamp_counts_by_its_utc_date() -> None:
    assert row_day("2026-11-20T23:30:00-02:00") == date(2026, 11, 21)
    assert row_day("2026-11-20T00:00:00Z") == date(2026, 11, 20)
    assert row_day("2026-11-20") == date(2026, 11, 20)
    assert row_day("next tuesday") is None
    rows = [{"date": "2026-11-12T23:30:00-02:00", "neo_credits": 14.0}]  # Nov 13 in UTC
    assert daily_usage(rows, FIRST, WINDOW_DAYS)[0] == 14.0  # type: ignore[arg-type]


def test_rows_outside_the_window_and_refunds_do_not_count() -> None:
    rows = [
        {"date": "2026-11-12", "neo_credits": 500.0},  # the day before the window
        {"date": "2026-11-27", "neo_credits": 500.0},  # today, not complete
        {"date": "2026-11-20", "neo_credits": -300.0},  # a refund is no negative use
    ]
    assert sum(daily_usage(rows, FIRST, WINDOW_DAYS)) == 0.0  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "rows", "status"),
    [
        ({"neo_credits_is_expired": True}, None, ForecastStatus.EXPIRED),
        ({"neo_credits_expires_at": "2026-11-01T00:00:00Z"}, 10.0, ForecastStatus.EXPIRED),
        ({}, "unavailable", ForecastStatus.UNAVAILABLE),
        ({"total_available_neo_credits": 0}, 10.0, ForecastStatus.EMPTY),
        ({"total_available_neo_credits": -40}, 10.0, ForecastStatus.EMPTY),
        # a balance the API left out (or the model refused) is unknown, never "none left"
        ({"total_available_neo_credits": None}, 10.0, ForecastStatus.UNAVAILABLE),
        ({}, None, ForecastStatus.NO_RECENT_USE),
        ({}, 0.0, ForecastStatus.NO_RECENT_USE),
        ({}, {3: 50.0, 9: 20.0}, ForecastStatus.INSUFFICIENT_DATA),
        ({}, {1: 5.0, 3: 50.0, 9: 20.0}, ForecastStatus.OK),
        # expired wins over everything after it, unavailable over empty, and so on
        ({"neo_credits_is_expired": True}, "unavailable", ForecastStatus.EXPIRED),
        ({"total_available_neo_credits": 0}, "unavailable", ForecastStatus.UNAVAILABLE),
        ({"total_available_neo_credits": 0}, None, ForecastStatus.EMPTY),
    ],
)
def test_honest_edges_in_order(fields: dict[str, Any], rows: Any, status: ForecastStatus) -> None:
    daily = None if rows == "unavailable" else window(rows)
    forecast = compute(summary(**fields), daily, NOW)
    assert forecast.status is status
    if status is not ForecastStatus.OK:
        assert forecast.runs_out_at is None
        assert forecast.unused_at_expiry is None


def test_no_expiry_gives_runs_out_only() -> None:
    forecast = compute(summary(neo_credits_expires_at=None), window(10.0), NOW)
    assert forecast.status is ForecastStatus.OK
    assert forecast.runs_out_at == NOW + timedelta(days=70)
    assert forecast.runs_out_before_expiry is None
    assert forecast.unused_at_expiry is None
    assert forecast.pace_fraction is None


def test_pace_is_the_even_use_share() -> None:
    # Reset Nov 1, expiry Jan 30: 90 days; on Nov 27 15:00, 26.625 days have passed.
    forecast = compute(summary(), window(10.0), NOW)
    assert forecast.pace_fraction == pytest.approx(1 - 26.625 / 90)


def test_pace_without_a_reset_starts_at_the_first_use_in_the_window() -> None:
    forecast = compute(summary(last_credit_reset=None), window({4: 10, 5: 10, 6: 10}), NOW)
    start = datetime(2026, 11, 17, tzinfo=UTC)
    end = datetime(2027, 1, 30, tzinfo=UTC)
    expected = 1 - (NOW - start) / (end - start)
    assert forecast.pace_fraction == pytest.approx(expected)


@pytest.mark.parametrize(
    "fields",
    [
        {"total_issued_neo_credits": 0},
        {"total_available_neo_credits": 5000, "total_issued_neo_credits": 1000},
        {"total_available_neo_credits": 10**15},
        {"total_available_neo_credits": 1e-9},
        {"neo_credits_expires_at": "2199-12-31T00:00:00Z"},
        {"last_credit_reset": "2030-01-01T00:00:00Z"},
    ],
)
def test_odd_values_never_give_nonsense(fields: dict[str, Any]) -> None:
    forecast = compute(summary(**fields), window({0: 1e-9, 1: 1e-9, 2: 1e-9}), NOW)
    data = forecast.to_json()
    json.dumps(data, allow_nan=False)
    if forecast.runs_out_at is not None:
        assert NOW <= forecast.runs_out_at < datetime(2200, 1, 1, tzinfo=UTC)
    if forecast.pace_fraction is not None:
        assert 0.0 <= forecast.pace_fraction <= 1.0


def test_json_shape() -> None:
    data = compute(summary(total_available_neo_credits=100), window(10.0), NOW).to_json()
    assert data == {
        "status": "ok",
        "window_days": 14,
        "credits_per_day": 10.0,
        "runs_out_at": "2026-12-07T15:00:00Z",
        "runs_out_before_expiry": True,
        "unused_at_expiry": 0.0,
        "pace_fraction": pytest.approx(1 - 26.625 / 90),
        "credits_per_day_range": [10.0, 10.0],  # constant use: the range is the point
        "runs_out_range": ["2026-12-07T15:00:00Z", "2026-12-07T15:00:00Z"],
        "unused_at_expiry_range": [0.0, 0.0],
        "method": "prediction-10-90",
    }
    assert Forecast(ForecastStatus.UNAVAILABLE).to_json()["credits_per_day"] is None


def test_the_balance_is_rebuilt_backwards_from_today() -> None:
    history = summary(
        by_period=[
            {"date": "2026-11-25", "neo_credits": 30.0},
            {"date": "2026-11-26", "neo_credits": 20.0},
            {"date": "2026-11-27", "neo_credits": 5.0},
        ]
    )
    points = balance_history(summary(total_available_neo_credits=700), history, NOW)
    assert [(p.at, p.credits) for p in points] == [
        (datetime(2026, 11, 25, tzinfo=UTC), 755.0),
        (datetime(2026, 11, 26, tzinfo=UTC), 725.0),
        (datetime(2026, 11, 27, tzinfo=UTC), 705.0),
        (NOW, 700.0),
    ]


def test_the_projection_heads_to_the_expiry_or_to_zero() -> None:
    slow = compute(summary(), window(5.0), NOW)
    line = projection(slow, 700.0, NOW)
    assert line[-1].at == datetime(2027, 1, 30, tzinfo=UTC)
    assert line[-1].credits == pytest.approx(slow.unused_at_expiry)
    fast = compute(summary(total_available_neo_credits=100), window(10.0), NOW)
    assert projection(fast, 100.0, NOW)[-1] == type(line[-1])(NOW + timedelta(days=10), 0.0)


def test_the_balance_query_starts_at_the_reset_and_looks_back_at_most_400_days() -> None:
    assert balance_query(summary(), NOW).start == datetime(2026, 11, 1, tzinfo=UTC)
    old = balance_query(summary(last_credit_reset="2020-01-01T00:00:00Z"), NOW)
    assert old.start == NOW - timedelta(days=400)


daily_rows = st.dictionaries(
    st.integers(min_value=0, max_value=WINDOW_DAYS - 1),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    max_size=WINDOW_DAYS,
)


@given(
    rows=daily_rows,
    available=st.floats(min_value=-1e9, max_value=1e12, allow_nan=False),
    issued=st.floats(min_value=0, max_value=1e12, allow_nan=False),
    reset_days=st.integers(min_value=0, max_value=300),
)
def test_properties(
    rows: dict[int, float], available: float, issued: float, reset_days: int
) -> None:
    reset = (NOW - timedelta(days=reset_days)).isoformat()
    base = compute(summary(), window(rows), NOW)
    other = compute(
        summary(
            total_available_neo_credits=available,
            total_issued_neo_credits=issued,
            last_credit_reset=reset,
        ),
        window(rows),
        NOW,
    )
    if base.credits_per_day is not None:
        assert base.credits_per_day >= 0
    if other.credits_per_day is not None and base.credits_per_day is not None:
        # The rate depends on the daily rows only, never on the balance or the reset.
        assert other.credits_per_day == base.credits_per_day
    if other.unused_at_expiry is not None:
        assert 0 <= other.unused_at_expiry <= max(0.0, available)
    json.dumps(other.to_json(), allow_nan=False)


def _daily(first: date, per_day: list[float]) -> UsageSummary:
    rows = [
        {"date": (first + timedelta(days=i)).isoformat(), "neo_credits": c}
        for i, c in enumerate(per_day)
    ]
    return summary(by_period=rows)


def test_the_balance_never_shows_more_than_was_issued() -> None:
    """The usage was fetched a little after the balance (it holds 10 more credits of use): the
    chart said 1,010 at the reset for 1,000 issued, against the header."""
    history = _daily(date(2026, 11, 1), [12.0] * 25 + [10.0, 10.0])  # 320 used, 300 in header
    points = balance_history(summary(), history, NOW)
    assert max(p.credits for p in points) == 1000
    assert points[0] == BalancePoint(datetime(2026, 11, 1, tzinfo=UTC), 1000)
    assert points[-1] == BalancePoint(NOW, 700)


def test_expired_credits_fall_to_zero_at_the_expiry() -> None:
    """Expired with 0 available: the chart said 1,049 credits (the use since the reset stacked
    on zero); the balance was the issued credits less the use until the expiry, then zero."""
    expired = summary(
        total_available_neo_credits=0,
        total_neo_credits_post_reset=400,
        neo_credits_expires_at="2026-11-25T15:00:00Z",
        neo_credits_is_expired=True,
    )
    history = _daily(date(2026, 11, 1), [16.0] * 25 + [30.0, 30.0])
    points = balance_history(expired, history, NOW)
    expiry = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert points[0].credits <= 1000
    assert max(p.credits for p in points) <= 1000
    assert points[-3:] == (
        BalancePoint(expiry, 600),
        BalancePoint(expiry, 0),
        BalancePoint(NOW, 0),
    )
    assert all(p.at <= expiry for p in points[:-1])


def test_the_balance_never_starts_before_the_last_reset() -> None:
    """The server sent rows from before the reset (the huge scenario): they are left out."""
    history = _daily(date(2026, 10, 20), [5.0] * 39)
    points = balance_history(summary(), history, NOW)
    assert points[0].at == datetime(2026, 11, 1, tzinfo=UTC)
    assert all(p.at >= datetime(2026, 11, 1, tzinfo=UTC) for p in points)
    late_reset = summary(last_credit_reset="2026-11-20T09:30:00Z")
    points = balance_history(late_reset, history, NOW)
    assert points[0].at == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
