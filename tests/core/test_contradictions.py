"""Figures that contradict each other give no pace, no use and no even-use comparison, never a
confident figure made from them (a reset still ahead gave "20 points behind even use")."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from desktop.core import balance_text
from desktop.core.derive import derive
from desktop.core.forecast import WINDOW_DAYS, ForecastStatus, compute
from desktop.core.models import UsageSummary, parse_summary

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
FIRST = date(2026, 11, 13)  # the forecast's window: Nov 13 .. Nov 26
SANE: dict[str, Any] = {
    "total_available_neo_credits": 700,
    "total_issued_neo_credits": 1000,
    "last_credit_reset": "2026-11-01T00:00:00Z",
    "neo_credits_expires_at": "2027-01-30T00:00:00Z",
}


def summary(**fields: Any) -> UsageSummary:
    body: dict[str, Any] = {"by_model": {}, "by_status": {}, "total_neo_credits": 0}
    body["total_tasks"] = 0
    body.update(SANE)
    body.update(fields)
    return parse_summary(json.dumps({k: v for k, v in body.items() if v is not None}))


def window() -> UsageSummary:
    rows = [
        {"date": (FIRST + timedelta(days=i)).isoformat(), "neo_credits": 10}
        for i in range(WINDOW_DAYS)
    ]
    return parse_summary(
        json.dumps(
            {"by_model": {}, "by_status": {}, "total_neo_credits": 140, "total_tasks": 0}
            | {"by_period": rows}
        )
    )


def test_sane_figures_give_a_pace() -> None:
    forecast = compute(summary(), window(), NOW)
    assert forecast.pace_fraction == pytest.approx(1 - 26.625 / 90)
    details = balance_text.forecast_details(forecast, derive(summary(), NOW))
    assert details.endswith("on an even pace")


@pytest.mark.parametrize(
    "fields",
    [
        # the example: a reset still ahead of now
        pytest.param({"last_credit_reset": "2026-12-01T00:00:00Z"}, id="reset-after-now"),
        # an expiry that is not after the reset (both ahead, so not expired)
        pytest.param(
            {"last_credit_reset": "2027-02-01T00:00:00Z"},
            id="expiry-before-reset",
        ),
        pytest.param({"total_issued_neo_credits": 0}, id="issued-0"),
        pytest.param({"total_issued_neo_credits": -5}, id="issued-negative"),
        pytest.param({"total_issued_neo_credits": None}, id="issued-missing"),
        pytest.param({"total_available_neo_credits": None}, id="available-missing"),
        pytest.param({"total_available_neo_credits": 1500}, id="available-above-issued"),
        pytest.param({"total_available_neo_credits": -20}, id="available-negative"),
        pytest.param({"neo_credits_expires_at": None}, id="no-expiry"),
    ],
)
def test_contradicting_figures_give_no_pace(fields: dict[str, Any]) -> None:
    data = summary(**fields)
    forecast = compute(data, window(), NOW)
    assert forecast.pace_fraction is None
    assert forecast.to_json()["pace_fraction"] is None
    details = balance_text.forecast_details(forecast, derive(data, NOW))
    assert "even use" not in details
    assert "even pace" not in details
    assert "this pace" not in details


def test_a_reset_this_instant_is_a_full_share() -> None:
    forecast = compute(summary(last_credit_reset=NOW.isoformat()), window(), NOW)
    assert forecast.pace_fraction == pytest.approx(1.0)


def test_a_reset_ahead_keeps_the_rate_and_the_run_out_date() -> None:
    # Only the pace needs the period's start: the daily use is the API's own rows.
    forecast = compute(summary(last_credit_reset="2026-12-01T00:00:00Z"), window(), NOW)
    assert forecast.status is ForecastStatus.OK
    assert forecast.credits_per_day == pytest.approx(10.0)
    assert forecast.runs_out_at == NOW + timedelta(days=70)


@pytest.mark.parametrize(
    ("available", "issued", "post_reset", "used"),
    [
        (700, 1000, None, 300.0),
        (-20, 1000, None, 1020.0),  # overdrawn: the use is real
        (0, 0, None, 0.0),
        (1500, 1000, None, None),  # more left than issued: no use to tell, never -500
        (10, -5, None, None),  # a negative issue
        (1500, 1000, 42, 42.0),  # the API's own figure is its word
    ],
)
def test_used_credits_only_when_the_balance_tells_it(
    available: float, issued: float, post_reset: float | None, used: float | None
) -> None:
    figures = derive(
        summary(
            total_available_neo_credits=available,
            total_issued_neo_credits=issued,
            total_neo_credits_post_reset=post_reset,
        ),
        NOW,
    )
    assert figures.used_credits == (None if used is None else pytest.approx(used))
