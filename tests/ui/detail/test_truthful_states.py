"""The detail window tells the truth about what it waits for (issue 24): errors that stop
requests end the waits, a range never shows another range's figures, the age reads as in the
menu, and one error is said once. Driven against the fake Neo API through a real poller."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from desktop.core import detail_text, fmt, tray_text
from desktop.core.errors import ErrorKind
from desktop.core.models import summary_from_json
from desktop.core.query import UsageQuery
from desktop.core.ranges import RangePreset
from desktop.core.snapshot import PollError, Snapshot
from desktop.fakeapi import FakeNeoApi
from desktop.fakeapi.world import UsageWorld
from desktop.ui.detail.window import DetailWindow
from desktop.ui.fetch_worker import ClientConfig
from desktop.ui.poller import Poller
from desktop.ui.state import AccountState

TOKEN = "test-token-123456"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def world_snapshot(at: datetime = NOW, **fields: object) -> Snapshot:
    body = UsageWorld(NOW).summary(NOW)
    body.update(fields)
    return Snapshot(summary_from_json(body), at)


class Wired:
    """A poller, its state and the window, wired as the app wires one account."""

    def __init__(self, qtbot: QtBot, api: FakeNeoApi, cached: Snapshot | None) -> None:
        self.state = AccountState(cached)
        self.poller = Poller(
            ClientConfig(api.url, token=TOKEN), 300, forecast_seconds=None, random_unit=lambda: 0.5
        )
        poller, state = self.poller, self.state
        poller.snapshot_ready.connect(state.on_snapshot)
        poller.failed.connect(state.on_error)
        poller.refresh_refused.connect(state.on_refresh_refused)
        self.window = DetailWindow(state, lambda: datetime.now(UTC))
        qtbot.addWidget(self.window)
        for answered in (poller.range_ready, poller.range_failed):
            answered.connect(lambda answer: self.window.on_range_answer("", answer))
        self.window.range_requested.connect(lambda _account, query: poller.request_range(query))
        self.window.retry_requested.connect(lambda _account: poller.refresh_now())


@pytest.fixture
def wire(qtbot: QtBot, fake_api: FakeNeoApi) -> Iterator[Callable[[Snapshot | None], Wired]]:
    made: list[Wired] = []

    def make(cached: Snapshot | None) -> Wired:
        made.append(Wired(qtbot, fake_api, cached))
        return made[-1]

    yield make
    for wired in made:
        wired.poller.stop()


@pytest.mark.parametrize("scenario", ["unauthorized", "forbidden", "rate_limited"])
@pytest.mark.parametrize("cached", [True, False])
def test_an_account_that_cannot_fetch_never_loads_forever(
    qtbot: QtBot,
    fake_api: FakeNeoApi,
    wire: Callable[[Snapshot | None], Wired],
    scenario: str,
    cached: bool,
) -> None:
    fake_api.scenario = scenario
    fake_api.retry_after = "120"
    now = datetime.now(UTC)
    wired = wire(world_snapshot(now - timedelta(minutes=5)) if cached else None)
    with qtbot.waitSignal(wired.poller.failed, timeout=10_000):
        wired.poller.start()
    wired.window.show_and_raise()
    qtbot.wait(50)  # anything sent now would be answered: let queued signals run
    header, bar = wired.window.header, wired.window.range_bar
    chart = header.balance_chart.accessibleDescription()
    assert "loading" not in chart
    assert chart.startswith("No balance history: ")
    labels = (header.banner_text, header.updated_label)
    said = [chart, *(label.text() for label in labels if label.isVisibleTo(wired.window))]
    if scenario == "rate_limited":
        assert sum("rate limit" in text.lower() for text in said) == 1, said
    if scenario == "rate_limited":
        # Retry-After holds the window's requests too: nothing was sent on opening it.
        assert fake_api.request_count == 1
        when = detail_text.retry_time(wired.state.view.error)  # type: ignore[arg-type]
        assert when is not None
        assert "The next request goes at" in header.banner_text.text()
    else:
        assert not bar.busy.isVisibleTo(wired.window)
        if scenario == "forbidden" and not cached:
            # Nothing to show (issue 28): the tabs say why, the controls are disabled with it.
            why = detail_text.no_permission_text()
            assert wired.window.tabs.unavailable
            assert (bar.range_status.text(), bar.range_combo.toolTip()) == ("", why)
            assert not bar.range_combo.isEnabled()
        else:
            assert bar.range_status.text()
        # The summary, and after its 403 the member's /api/v1/user (no cap: the 403 stands).
        assert fake_api.request_count == (2 if scenario == "forbidden" else 1)


def test_opening_the_window_in_a_backoff_then_refresh_says_until_when(
    qtbot: QtBot, fake_api: FakeNeoApi, wire: Callable[[Snapshot | None], Wired]
) -> None:
    fake_api.scenario = "rate_limited"
    fake_api.retry_after = "300"
    wired = wire(world_snapshot(datetime.now(UTC) - timedelta(minutes=5)))
    with qtbot.waitSignal(wired.poller.failed, timeout=10_000):
        wired.poller.start()
    wired.window.show_and_raise()
    with qtbot.waitSignal(wired.poller.refresh_refused, timeout=1_000):
        wired.window.header.refresh_button.click()
    assert fake_api.request_count == 1
    updated = wired.window.header.updated_label
    assert updated.isVisibleTo(wired.window)
    assert updated.text().startswith("Rate limited: the next request goes at ")


def test_the_rate_limit_is_said_once_and_never_widens_the_window(
    qtbot: QtBot, fake_api: FakeNeoApi, wire: Callable[[Snapshot | None], Wired]
) -> None:
    wired = wire(world_snapshot(datetime.now(UTC) - timedelta(minutes=5)))
    window = wired.window
    window.show_and_raise()
    width = window.minimumSizeHint().width()
    error = PollError(
        ErrorKind.RATE_LIMITED,
        "The Neo API is rate limiting requests.",
        datetime.now(UTC),
        retry_after=120,
        short_message="Rate limited — retrying later",
    )
    wired.state.on_error(error)
    texts = [
        label.text()
        for label in (window.header.updated_label, window.header.banner_text)
        if label.isVisibleTo(window)
    ]
    assert sum("rate limit" in text.lower() for text in texts) == 1, texts
    assert window.minimumSizeHint().width() <= width


def _credits_used_shown(window: DetailWindow) -> str:
    return window.tabs.overview_values["credits"].text()


def test_a_range_on_its_way_never_shows_other_figures(qtbot: QtBot) -> None:
    state = AccountState()
    window = DetailWindow(state, lambda: NOW)
    qtbot.addWidget(window)
    main = world_snapshot()
    state.on_snapshot(main)  # all-time figures
    with qtbot.waitSignal(window.range_requested) as blocker:
        window.show_and_raise()
    thirty_days: UsageQuery = blocker.args[1]
    all_time = fmt.credits(main.summary.total_neo_credits)
    assert _credits_used_shown(window) == "…"
    assert window.tabs.models.model.rowCount() == 0
    body = UsageWorld(NOW).summary(NOW, thirty_days.start, thirty_days.end, "day")
    window.on_range_answer("", Snapshot(summary_from_json(body), NOW, thirty_days))
    in_range = fmt.credits(body["total_neo_credits"])
    assert _credits_used_shown(window) == in_range != all_time
    # Another range: the thirty days' figures leave at once.
    with qtbot.waitSignal(window.range_requested):
        window.range_bar.range_combo.setCurrentIndex(
            window.range_bar.range_combo.findData(RangePreset.LAST_7_DAYS)
        )
    assert _credits_used_shown(window) == "…"
    # The same range again (new data): its figures stay until the answer.
    week = window.range_bar.pending
    assert week is not None
    window.on_range_answer("", Snapshot(summary_from_json(body), NOW, week))
    shown = _credits_used_shown(window)
    window.range_bar.request()
    assert _credits_used_shown(window) == shown
    # "All time" is what the main poll shows: at once.
    with qtbot.waitSignal(window.range_requested):
        window.range_bar.range_combo.setCurrentIndex(
            window.range_bar.range_combo.findData(RangePreset.ALL_TIME)
        )
    assert _credits_used_shown(window) == all_time


def test_the_window_says_the_age_the_menu_says(qtbot: QtBot) -> None:
    """The window re-renders when the age's text changes (not a minute after its last render),
    so it and the menu say the same."""
    clock = [NOW]
    state = AccountState()
    window = DetailWindow(state, lambda: clock[0])
    qtbot.addWidget(window)
    state.on_snapshot(world_snapshot(NOW - timedelta(minutes=2, seconds=50)))
    window.show_and_raise()
    page = window.page()
    ticker = page._ticker
    assert ticker.isActive()
    assert ticker.interval() <= 10_000
    clock[0] = NOW + timedelta(milliseconds=ticker.interval())
    ticker.timeout.emit()
    menu = tray_text.menu_lines(state.view, clock[0])[-1]
    assert window.header.updated_label.text() == menu == "Updated 3 min ago"
