"""The forecast's range (issue 29): the point inside, collapse on constant use, wider with more
spread, ordered dates, strict JSON and the cache's round trip, and the chart's band."""

from __future__ import annotations

import itertools
import json
import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.forecast import (
    METHOD,
    METHODS,
    PREDICTION,
    T_INTERVAL,
    WINDOW_DAYS,
    Forecast,
    ForecastStatus,
    compute,
    forecast_from_json,
    projection,
    projection_band,
    rate_range,
)
from desktop.core.models import UsageSummary, parse_summary

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
FIRST = date(2026, 11, 13)  # the window: Nov 13 .. Nov 26
EXPIRY = "2027-01-30T00:00:00Z"

days = st.lists(
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
    min_size=WINDOW_DAYS,
    max_size=WINDOW_DAYS,
)
balances = st.floats(min_value=1e-6, max_value=1e12, allow_nan=False)
expiries = st.sampled_from([None, EXPIRY, "2026-11-28T00:00:00Z", "2199-12-31T00:00:00Z"])
methods = st.sampled_from(sorted(METHODS))


def summary(available: float = 700.0, expires_at: str | None = EXPIRY) -> UsageSummary:
    body: dict[str, Any] = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 0,
        "total_tasks": 0,
        "total_available_neo_credits": available,
        "total_issued_neo_credits": 1000,
        "last_credit_reset": "2026-11-01T00:00:00Z",
        "neo_credits_expires_at": expires_at,
    }
    return parse_summary(json.dumps({k: v for k, v in body.items() if v is not None}))


def window(per_day: list[float]) -> UsageSummary:
    rows = [
        {"date": (FIRST + timedelta(days=i)).isoformat(), "neo_credits": c}
        for i, c in enumerate(per_day)
    ]
    return parse_summary(
        json.dumps({"by_model": {}, "by_status": {}, "total_neo_credits": 0, "total_tasks": 0,
                    "by_period": rows})
    )  # fmt: skip


def forecast(
    per_day: list[float], available: float = 700.0, expires_at: str | None = EXPIRY
) -> Forecast:
    return compute(summary(available, expires_at), window(per_day), NOW)


def width(pair: tuple[float, float]) -> float:
    return pair[1] - pair[0]


@given(per_day=days, available=balances, expires_at=expiries)
def test_the_point_lies_inside_every_range(
    per_day: list[float], available: float, expires_at: str | None
) -> None:
    result = forecast(per_day, available, expires_at)
    if not result.ok:
        assert result.credits_per_day_range is None
        assert result.runs_out_range is None
        assert result.unused_at_expiry_range is None
        assert result.method is None
        return
    assert result.credits_per_day is not None
    assert result.credits_per_day_range is not None
    low, high = result.credits_per_day_range
    assert 0 <= low <= result.credits_per_day <= high
    assert result.runs_out_range is not None
    earliest, latest = result.runs_out_range
    # The high rate is the point's or more: it runs out first, both past any date or neither.
    if result.runs_out_at is None:
        assert latest is None
    else:
        assert earliest is not None
        assert earliest <= result.runs_out_at
        assert latest is None or result.runs_out_at <= latest
    if expires_at is None:
        assert result.unused_at_expiry_range is None
    else:
        assert result.unused_at_expiry is not None
        assert result.unused_at_expiry_range is not None
        fewest, most = result.unused_at_expiry_range
        assert 0 <= fewest <= result.unused_at_expiry <= most <= available
    assert result.method == METHOD


@given(per_day=days, available=balances, expires_at=expiries)
def test_runs_out_range_is_ordered_and_json_is_strict(
    per_day: list[float], available: float, expires_at: str | None
) -> None:
    result = forecast(per_day, available, expires_at)
    data = result.to_json()
    text = json.dumps(data, allow_nan=False)  # no NaN or infinity reaches the document
    if result.runs_out_range is not None:
        earliest, latest = result.runs_out_range
        if earliest is None:  # even the high rate lasts past any date the app can show
            assert latest is None
        else:
            assert latest is None or earliest <= latest
        assert len(data["runs_out_range"]) == 2
        assert all(at is None or at.endswith("Z") for at in data["runs_out_range"])
    # The cache's round trip: read back, it writes the same document, byte for byte.
    again = forecast_from_json(json.loads(text), result.expires_at)
    assert again is not None
    assert json.dumps(again.to_json(), allow_nan=False) == text


@given(level=st.floats(min_value=1e-6, max_value=1e6), available=balances)
def test_constant_use_collapses_the_range_to_the_point(level: float, available: float) -> None:
    result = forecast([level] * WINDOW_DAYS, available, None)
    assert result.ok
    assert result.credits_per_day is not None
    assert result.credits_per_day_range is not None
    assert result.runs_out_range is not None
    for bound in result.credits_per_day_range:
        assert bound == pytest.approx(result.credits_per_day, rel=0.02)
    if result.runs_out_at is not None:
        span = (result.runs_out_at - NOW).total_seconds()
        for at in result.runs_out_range:
            assert at is not None
            assert (at - NOW).total_seconds() == pytest.approx(span, rel=0.02, abs=1)


@settings(max_examples=300)
@given(
    per_day=days,
    factor=st.floats(min_value=0, max_value=1),
    horizon=st.floats(min_value=0, max_value=400),
    method=methods,
    elapsed=st.floats(min_value=0, max_value=1),
)
def test_more_spread_gives_a_range_at_least_as_wide(
    per_day: list[float], factor: float, horizon: float, method: str, elapsed: float
) -> None:
    # The same mean, each day drawn towards it by `factor`: less spread, no wider a range.
    mean = math.fsum(per_day) / len(per_day)
    calmer = [mean + factor * (day - mean) for day in per_day]
    wide = rate_range(per_day, horizon, method, elapsed)
    narrow = rate_range(calmer, horizon, method, elapsed)
    assert width(wide) >= width(narrow) - 1e-9 * max(1.0, mean)
    for pair in (wide, narrow):
        assert 0 <= pair[0] <= pair[1]
        assert pair[0] <= mean * (1 + 1e-12)
        assert pair[1] >= mean * (1 - 1e-12)


def test_a_spiky_window_is_wider_than_a_steady_one_of_the_same_mean() -> None:
    steady = forecast([10.0] * WINDOW_DAYS)
    spiky = forecast([0, 0, 0, 40, 0, 0, 30, 0, 0, 0, 50, 0, 0, 20])
    assert steady.credits_per_day == spiky.credits_per_day == 10.0
    assert steady.credits_per_day_range == (10.0, 10.0)
    assert spiky.credits_per_day_range is not None
    assert width(spiky.credits_per_day_range) > 2.0


def test_a_weekly_rhythm_is_not_spread_but_a_trend_widens() -> None:
    weekdays = [0.0 if day % 7 in (5, 6) else 14.0 for day in range(WINDOW_DAYS)]
    rhythm = rate_range(weekdays, 28.0, PREDICTION)  # four whole weeks: exactly the mean
    assert rhythm == pytest.approx((10.0, 10.0))
    assert width(rate_range(weekdays, 28.0, T_INTERVAL)) > 4  # the first cut saw spread
    # Ahead of a weekend (today is the window's first weekday: a Monday here) the rate is higher.
    assert rate_range(weekdays, 5.0, PREDICTION)[1] == pytest.approx(14.0)
    ramp = [5.0 + day for day in range(WINDOW_DAYS)]  # 5 .. 18 credits a day
    low, high = rate_range(ramp, 14.0, PREDICTION)
    assert high >= 11.5 + 14.0  # the mean, 11.5, carried 14 days on at a credit a day more
    assert low <= 11.5


def test_the_t_interval_is_the_means_own() -> None:
    used = [2.0, 4.0] * 7  # mean 3, s = 1.0377
    low, high = rate_range(used, 10.0, T_INTERVAL)
    margin = 1.350 * math.sqrt(14 / 13) / math.sqrt(14)
    assert (low, high) == pytest.approx((3 - margin, 3 + margin))
    with pytest.raises(ValueError, match="unknown"):
        rate_range(used, 10.0, "guess")


def test_a_range_reaching_zero_use_never_runs_out() -> None:
    result = forecast([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000, 900, 800])
    assert result.ok
    assert result.credits_per_day_range is not None
    assert result.credits_per_day_range[0] == 0.0
    assert result.runs_out_range is not None
    assert result.runs_out_range[1] is None
    assert result.to_json()["runs_out_range"][1] is None


@pytest.mark.parametrize(
    "value",
    [
        "x",
        [1.0],
        [1.0, 2.0, 3.0],
        [2.0, 1.0],  # reversed
        [True, 2.0],
        [float("nan"), 1.0],
        [1.0, float("inf")],
        [None, 1.0],
        {"low": 1},
    ],
)
def test_a_hostile_cached_range_is_dropped(value: object) -> None:
    data = forecast([10.0] * WINDOW_DAYS).to_json()
    for key in ("credits_per_day_range", "unused_at_expiry_range"):
        read = forecast_from_json({**data, key: value}, None)
        assert read is not None
        assert getattr(read, key) is None
        assert read.credits_per_day == 10.0  # the rest stays


@pytest.mark.parametrize(
    "value",
    [
        [None, "2026-12-01T00:00:00Z"],  # "never" cannot come first
        ["2026-12-09T00:00:00Z", "2026-12-01T00:00:00Z"],
        ["2026-12-01T00:00:00", None],  # no zone
        ["9999-12-01T00:00:00Z", None],
        [3, None],
        ["2026-12-01T00:00:00Z"],
        "2026-12-01T00:00:00Z",
    ],
)
def test_a_hostile_cached_date_range_is_dropped(value: object) -> None:
    data = {**forecast([10.0] * WINDOW_DAYS).to_json(), "runs_out_range": value}
    read = forecast_from_json(data, None)
    assert read is not None
    assert read.runs_out_range is None


def test_an_unknown_method_or_an_old_cache_reads_as_none() -> None:
    data = forecast([10.0] * WINDOW_DAYS).to_json()
    assert forecast_from_json({**data, "method": "<b>guess</b>"}, None).method is None  # type: ignore[union-attr]
    old = {key: value for key, value in data.items() if "range" not in key and key != "method"}
    read = forecast_from_json(old, None)
    assert read is not None
    assert read.credits_per_day_range is None
    assert projection_band(read, 700.0, NOW) == ((), ())


@given(per_day=days, available=balances, expires_at=expiries)
def test_the_band_holds_the_projection(
    per_day: list[float], available: float, expires_at: str | None
) -> None:
    result = forecast(per_day, available, expires_at)
    high, low = projection_band(result, available, NOW)
    if not high:
        assert not low
        return
    assert high[0] == low[0] == (NOW, available)
    assert high[-1].at == low[-1].at  # one shared end: the band closes
    assert all(a.at <= b.at for line in (high, low) for a, b in itertools.pairwise(line))
    assert all(0 <= point.credits <= available for point in (*high, *low))
    assert high[-1].credits <= low[-1].credits
    line = projection(result, available, NOW)
    if line and line[-1].at == high[-1].at:
        assert high[-1].credits - 1e-6 * available <= line[-1].credits
        assert line[-1].credits <= low[-1].credits + 1e-6 * available


def test_the_band_runs_to_the_expiry_and_the_high_rate_empties_first() -> None:
    result = forecast([0, 0, 0, 40, 0, 0, 30, 0, 0, 0, 50, 0, 0, 20], available=300.0)
    assert result.credits_per_day_range is not None
    assert result.runs_out_range is not None
    high, low = projection_band(result, 300.0, NOW)
    expiry = datetime(2027, 1, 30, tzinfo=UTC)
    assert high[-1] == (expiry, 0.0)
    assert high[1] == (result.runs_out_range[0], 0.0)  # empty at the earliest run-out
    assert low[-1].at == expiry
    not_ok = Forecast(ForecastStatus.INSUFFICIENT_DATA, 10.0)
    assert projection_band(not_ok, 300.0, NOW) == ((), ())
    assert projection_band(result, 300.0, expiry) == ((), ())  # nothing ahead
