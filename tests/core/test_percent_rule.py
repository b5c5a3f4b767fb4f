"""One percent rule everywhere (issue 24): half rounds up; a share with anything used never
reads 100 and one with anything left never reads 0; text may exceed 100 %, gauges clamp."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from desktop.core import balance_text, fmt, glance, presentation, tray_text
from desktop.core.derive import derive
from desktop.core.looks import IconContent
from desktop.core.models import parse_summary
from desktop.core.presentation import ViewState
from desktop.core.snapshot import Snapshot

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fraction", "points"),
    [
        (0.0, 0),
        (1.0, 100),
        (0.785, 79),  # half up, though the float is a hair below .785
        (0.125, 13),  # half up, not to even
        (0.7849, 78),
        (0.998, 99),  # 4,990 of 5,000: something used, never 100
        (0.9999, 99),
        (0.0004, 1),  # 2 of 5,000: something left, never 0
        (0.004, 1),
        (0.005, 1),
        (0.015, 2),
        (1.02, 102),  # a true share above 100 % stays in text
        (1.004, 100),
        (-0.2, -20),
        (-0.001, 0),
        (float("nan"), 0),
    ],
)
def test_percent_points(fraction: float, points: int) -> None:
    assert fmt.percent_points(fraction) == points


@pytest.mark.parametrize(
    ("fraction", "points"), [(None, 0), (1.02, 100), (-0.2, 0), (0.998, 99), (0.0004, 1)]
)
def test_gauge_points_clamp(fraction: float | None, points: int) -> None:
    assert fmt.gauge_points(fraction) == points


def _snapshot(available: float, issued: float = 5000) -> Snapshot:
    body = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 10,
        "total_tasks": 2,
        "total_available_neo_credits": available,
        "total_issued_neo_credits": issued,
        "neo_credits_expires_at": "2027-02-07T12:00:00Z",
    }
    return Snapshot(parse_summary(json.dumps(body)), NOW - timedelta(minutes=3))


@pytest.mark.parametrize(
    ("available", "text", "gauge"),
    [(4990, "99%", 99), (2, "1%", 1), (5100, "102%", 100), (3925, "79%", 79), (5000, "100%", 100)],
)
def test_every_place_says_the_same_percent(available: float, text: str, gauge: int) -> None:
    snapshot = _snapshot(available)
    state = ViewState(snapshot, icon_content=IconContent.RING_PERCENT)
    # The tray: icon fill and text, tooltip, menu, and the window's title line.
    look = presentation.look(state, NOW)
    assert (look.percent, look.text) == (gauge, str(gauge))
    assert f"({text})" in tray_text.tooltip(state, NOW)
    assert f"({text})" in tray_text.menu_lines(state, NOW)[0]
    derived = derive(snapshot.summary, NOW)
    assert f"({text})" in balance_text.credit_line(derived)
    # The status bars and `--once --format text`.
    seen = glance.Glance(derived, None, snapshot.fetched_at)
    bar = json.loads(glance.waybar(seen, NOW))
    assert (bar["text"], bar["percentage"]) == (text, gauge)
    assert f"({text})" in bar["tooltip"]
    full, short, _colour = glance.i3blocks(seen, NOW)[0].split("\n")
    assert f"({text})" in full
    assert short.endswith(text)
    assert f"({text})" in glance.line(seen, NOW)
    # JSON keeps the unrounded fraction.
    assert derived.to_json()["available_fraction"] == available / 5000
