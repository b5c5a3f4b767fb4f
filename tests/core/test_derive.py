from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desktop.core.derive import breakdown_json, derive, model_shares, status_shares, top_model
from desktop.core.levels import CreditLevel, Thresholds
from desktop.core.models import parse_summary
from tests.conftest import shared_example

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def summary(**fields: Any) -> Any:
    import json

    base = {"by_model": {}, "by_status": {}, "total_neo_credits": 0, "total_tasks": 0}
    return parse_summary(json.dumps({**base, **fields}))


@pytest.mark.parametrize(
    ("available", "issued", "fraction", "gauge", "flagged", "level"),
    [
        (4000, 5000, 0.8, 0.8, False, CreditLevel.OK),
        (1250, 5000, 0.25, 0.25, False, CreditLevel.OK),  # exactly at the low line: not below
        (1249, 5000, 0.2498, 0.2498, False, CreditLevel.LOW),
        (499, 5000, 0.0998, 0.0998, False, CreditLevel.CRITICAL),
        (0, 5000, 0.0, 0.0, False, CreditLevel.EMPTY),
        (-20, 5000, -0.004, 0.0, True, CreditLevel.EMPTY),
        (6000, 5000, 1.2, 1.0, True, CreditLevel.OK),
        (100, 0, None, None, False, CreditLevel.UNKNOWN),
        (0, 0, None, None, False, CreditLevel.EMPTY),
        (100, None, None, None, False, CreditLevel.UNKNOWN),
        (None, 5000, None, None, False, CreditLevel.UNKNOWN),
        (None, None, None, None, False, CreditLevel.UNKNOWN),
        (10, -5, None, None, False, CreditLevel.UNKNOWN),
    ],
)
def test_gauge_fraction_and_level(
    available: float | None,
    issued: float | None,
    fraction: float | None,
    gauge: float | None,
    flagged: bool,
    level: CreditLevel,
) -> None:
    fields: dict[str, Any] = {}
    if available is not None:
        fields["total_available_neo_credits"] = available
    if issued is not None:
        fields["total_issued_neo_credits"] = issued
    figures = derive(summary(**fields), NOW)
    assert figures.available_fraction == pytest.approx(fraction)
    assert figures.gauge_fraction == pytest.approx(gauge)
    assert figures.fraction_out_of_range is flagged
    assert figures.level is level


def test_thresholds_are_parameters() -> None:
    s = summary(total_available_neo_credits=400, total_issued_neo_credits=1000)
    assert derive(s, NOW).level is CreditLevel.OK
    assert derive(s, NOW, Thresholds(low=0.5, critical=0.2)).level is CreditLevel.LOW
    assert derive(s, NOW, Thresholds(low=0.9, critical=0.5)).level is CreditLevel.CRITICAL


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="critical"):
        Thresholds(low=0.1, critical=0.2)


@pytest.mark.parametrize(
    ("fields", "expired", "expires_in"),
    [
        ({}, False, None),
        ({"neo_credits_expires_at": None}, False, None),
        ({"neo_credits_expires_at": "2026-12-07T12:00:00Z"}, False, timedelta(days=12)),
        ({"neo_credits_expires_at": "2026-11-25T12:30:00+00:00"}, False, timedelta(minutes=30)),
        ({"neo_credits_expires_at": "2026-11-25T12:00:00Z"}, True, timedelta(0)),
        ({"neo_credits_expires_at": "2026-11-20T00:00:00Z"}, True, timedelta(0)),
        ({"neo_credits_is_expired": True}, True, timedelta(0)),
        (
            {"neo_credits_is_expired": True, "neo_credits_expires_at": "2027-01-01T00:00:00Z"},
            True,
            timedelta(0),
        ),
        (
            {"neo_credits_is_expired": False, "neo_credits_expires_at": "2026-11-01T00:00:00Z"},
            True,
            timedelta(0),
        ),
    ],
)
def test_expiry(fields: dict[str, Any], expired: bool, expires_in: timedelta | None) -> None:
    figures = derive(
        summary(total_available_neo_credits=10, total_issued_neo_credits=10, **fields), NOW
    )
    assert figures.expired is expired
    assert figures.expires_in == expires_in
    if expired:
        assert figures.level is CreditLevel.EXPIRED


def test_used_credits_prefers_post_reset_then_difference() -> None:
    assert derive(summary(total_neo_credits_post_reset=7), NOW).used_credits == 7
    diff = summary(total_available_neo_credits=30, total_issued_neo_credits=100)
    assert derive(diff, NOW).used_credits == 70
    assert derive(summary(), NOW).used_credits is None


@pytest.mark.parametrize(
    ("credits", "tasks", "ms", "per_task", "ms_per_task"),
    [
        (100, 4, 8000, 25.0, 2000.0),
        (100, 0, 8000, None, None),
        (0, 5, None, 0.0, None),
    ],
)
def test_per_task_figures(
    credits: float, tasks: int, ms: int | None, per_task: float | None, ms_per_task: float | None
) -> None:
    fields: dict[str, Any] = {"total_neo_credits": credits, "total_tasks": tasks}
    if ms is not None:
        fields["total_execution_ms"] = ms
    figures = derive(summary(**fields), NOW)
    assert figures.credits_per_task == per_task
    assert figures.ms_per_task == ms_per_task


def test_model_shares_and_top_model_tolerate_every_shape() -> None:
    shares = model_shares(
        summary(
            by_model={
                "small": 10,
                "big": {"neo_credits": 30, "tasks": 3},
                "credits-key": {"credits": 60},
                "no-figure": {"latency": 5},
            }
        )
    )
    assert [s.name for s in shares] == ["credits-key", "big", "small", "no-figure"]
    assert [s.share for s in shares] == pytest.approx([0.6, 0.3, 0.1, None])
    assert shares[1].tasks == 3
    assert top_model(shares) == "credits-key"


def test_no_models_means_no_top_model_and_zero_totals_no_share() -> None:
    assert top_model(model_shares(summary())) is None
    zero = model_shares(summary(by_model={"a": 0, "b": 0}))
    assert [s.share for s in zero] == [None, None]


def test_status_shares() -> None:
    shares = status_shares(summary(by_status={"completed": 38, "failed": 2, "odd": {"count": 10}}))
    assert {s.name: s.share for s in shares} == pytest.approx(
        {"completed": 0.76, "odd": 0.2, "failed": 0.04}
    )


def test_once_breakdown_leaves_out_entries_without_a_figure() -> None:
    data = breakdown_json(summary(by_model={"a": 3, "odd": {"latency": 1}}))
    assert data["top_model"] == "a"
    assert [item["name"] for item in data["model_shares"]] == ["a"]


def test_realistic_example_end_to_end() -> None:
    figures = derive(parse_summary(shared_example("example-realistic.json")), NOW)
    assert figures.available_fraction == pytest.approx(0.6998)
    assert figures.level is CreditLevel.OK
    assert figures.expires_in == datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC) - NOW
    assert top_model(model_shares(parse_summary(shared_example("example-realistic.json")))) == (
        "claude-sonnet-4-5"
    )
    assert figures.credits_per_task == pytest.approx(600.4 / 43)
    data = figures.to_json()
    assert data["level"] == "ok"
    assert data["expires_in_seconds"] == pytest.approx(figures.expires_in.total_seconds())
