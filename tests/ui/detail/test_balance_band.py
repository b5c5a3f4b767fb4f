"""The balance chart's projection inside the forecast's range (issue 29): the band between the
balance at the high and the low rate to the expiry, painted and said to screen readers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from desktop.core import forecast
from desktop.core.forecast import BalancePoint
from desktop.core.models import summary_from_json
from desktop.core.snapshot import Snapshot
from desktop.fakeapi.world import UsageWorld
from desktop.ui.detail.balance_chart import BalanceChart
from desktop.ui.detail.window import DetailWindow
from desktop.ui.state import AccountState

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
EXPIRY = NOW + timedelta(days=30)
HISTORY = (BalancePoint(NOW - timedelta(days=30), 1000.0), BalancePoint(NOW, 600.0))
POINT = (BalancePoint(NOW, 600.0), BalancePoint(EXPIRY, 300.0))
HIGH = (BalancePoint(NOW, 600.0), BalancePoint(EXPIRY, 0.0))  # the balance at the high rate
LOW = (BalancePoint(NOW, 600.0), BalancePoint(EXPIRY, 500.0))


def chart(qtbot: QtBot) -> BalanceChart:
    made = BalanceChart()
    qtbot.addWidget(made)
    palette = made.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#1060c0"))
    made.setPalette(palette)
    made.resize(600, 160)
    made.set_series(HISTORY, POINT, EXPIRY)
    return made


def test_the_band_is_painted_between_the_high_and_the_low_rate(qtbot: QtBot) -> None:
    made = chart(qtbot)
    before = made.grab().toImage()
    made.set_band(HIGH, LOW)
    assert made.band == (HIGH, LOW)
    after = made.grab().toImage()
    # Three quarters of the way to the expiry, between the low rate's line and the point's, the
    # band is filled: a tint of the line's colour where the window showed before.
    x = round(made.width() * 0.8)
    changed = [
        y
        for y in range(made.height())
        if before.pixelColor(x, y) != after.pixelColor(x, y)
        and after.pixelColor(x, y).blue() > after.pixelColor(x, y).red()
    ]
    assert len(changed) > 30
    made.set_band((), ())
    assert made.grab().toImage() == before


def test_the_band_is_said_to_screen_readers(qtbot: QtBot) -> None:
    made = chart(qtbot)
    assert "range" not in made.accessibleDescription()
    made.set_band(HIGH, LOW)
    description = made.accessibleDescription()
    assert description.endswith("Within the forecast's range: 0 to 500 credits by Dec 25.")
    assert "Heading to 300 by Dec 25." in description
    made.set_band(HIGH, ())  # half a band is none
    assert made.band == ((), ())


def test_the_detail_window_draws_the_forecasts_band_to_the_expiry(qtbot: QtBot) -> None:
    state = AccountState()
    window = DetailWindow(state, lambda: NOW)
    qtbot.addWidget(window)
    world = UsageWorld(NOW)
    main = Snapshot(summary_from_json(world.summary(NOW)), NOW)
    state.on_snapshot(main)
    assert not any(window.header.balance_chart.band)  # no forecast yet
    daily = forecast.window_query(NOW)
    body = world.summary(NOW, daily.start, daily.end, "day")
    state.on_forecast_window(Snapshot(summary_from_json(body), NOW, daily))
    high, low = window.header.balance_chart.band
    expires_at = main.summary.neo_credits_expires_at
    assert high[-1].at == low[-1].at == expires_at
    assert (
        high[0] == low[0] == BalancePoint(NOW, float(main.summary.total_available_neo_credits or 0))
    )
    assert high[-1].credits <= low[-1].credits
