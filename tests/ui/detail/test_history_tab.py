"""The History tab: the heatmap's pixels (levels, marks, light and dark), its names for screen
readers, its tooltip, the once-a-day rule through the page's range channel and its file, and a
year fetched through a real Poller from the fake API."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage, QPalette
from pytestqt.qtbot import QtBot

from desktop.core import history
from desktop.core.history import Cell, DayUsage
from desktop.core.local_time import local_date
from desktop.core.models import summary_from_json
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.snapshot import PollError, Snapshot
from desktop.fakeapi import FakeNeoApi
from desktop.fakeapi.world import UsageWorld
from desktop.system import history_cache
from desktop.ui.detail.heatmap import Heatmap, day_text, is_dark, level_colours
from desktop.ui.detail.window import DetailWindow
from desktop.ui.fetch_worker import ClientConfig
from desktop.ui.poller import Poller
from desktop.ui.state import AccountState
from tests.zones import local_zone

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
KEY = "https://neo.example.test"
TOKEN = "test-token-123456"


def palette(window: str, text: str) -> QPalette:
    made = QPalette()
    made.setColor(QPalette.ColorRole.Window, QColor(window))
    made.setColor(QPalette.ColorRole.WindowText, QColor(text))
    return made


LIGHT = palette("#efefef", "#202020")
DARK = palette("#232629", "#eff0f1")


def cells_with_levels() -> tuple[Cell, ...]:
    """A year whose first days hold 0, 1, 2, 4 and 8 credits (levels 0-4), then a reset day and
    an expiry day without use."""
    first = history.first_day(date(2026, 11, 29))
    days = tuple(
        DayUsage(first + timedelta(days=i), float(v), 1) for i, v in enumerate([0, 1, 2, 4, 8])
    )
    reset = datetime(first.year, first.month, first.day, 12, tzinfo=UTC) + timedelta(days=7)
    expiry = reset + timedelta(days=1)
    return history.year_cells(days, NOW, reset, expiry)


def render(qtbot: QtBot, colours: QPalette, cells: tuple[Cell, ...]) -> tuple[Heatmap, QImage]:
    heatmap = Heatmap()
    qtbot.addWidget(heatmap)
    heatmap.setPalette(colours)
    heatmap.resize(800, heatmap.sizeHint().height())
    heatmap.set_cells(cells)
    return heatmap, heatmap.grab().toImage()


@pytest.mark.parametrize("colours", [LIGHT, DARK], ids=["light", "dark"])
def test_each_cell_is_painted_in_its_levels_colour_and_marks_are_shapes(
    qtbot: QtBot, colours: QPalette
) -> None:
    with local_zone("UTC"):
        cells = cells_with_levels()
    heatmap, image = render(qtbot, colours, cells)
    scale = level_colours(colours)
    assert [cell.level for cell in cells[:5]] == [0, 1, 2, 3, 4]
    for cell in cells[:5]:
        rect = heatmap.cell_rect(cell.day)
        corner = QPoint(round(rect.left()) + 1, round(rect.top()) + 1)
        assert image.pixelColor(corner).name() == scale[cell.level].name(), cell
    ink = colours.color(QPalette.ColorRole.WindowText)
    reset, expiry = (next(c for c in cells if getattr(c, mark)) for mark in ("reset", "expiry"))
    assert reset.level == expiry.level == 0
    # The reset's dot fills the cell's centre with the text's colour; the expiry's cross passes
    # through the centre, but its corners' middles stay the cell's colour: a shape, not a hue.
    centre = heatmap.cell_rect(reset.day).center().toPoint()
    assert _near(image.pixelColor(centre), ink)
    cross = heatmap.cell_rect(expiry.day)
    assert _near(image.pixelColor(cross.center().toPoint()), ink)
    edge_middle = QPoint(round(cross.center().x()), round(cross.top()) + 1)
    assert image.pixelColor(edge_middle).name() == scale[0].name()
    # The cells after the marks (no use) are level 0.
    rect = heatmap.cell_rect(cells[-1].day)
    assert image.pixelColor(rect.center().toPoint()).name() == scale[0].name()


def _near(colour: QColor, other: QColor, tolerance: int = 40) -> bool:
    return all(
        abs(a - b) <= tolerance
        for a, b in zip(
            (colour.red(), colour.green(), colour.blue()),
            (other.red(), other.green(), other.blue()),
            strict=True,
        )
    )


@pytest.mark.parametrize("colours", [LIGHT, DARK], ids=["light", "dark"])
def test_the_scale_is_one_hue_its_lightness_moves_away_from_the_window_level_by_level(
    colours: QPalette,
) -> None:
    scale = level_colours(colours)
    lightness = [colour.lightnessF() for colour in scale]
    if is_dark(colours):
        assert lightness == sorted(lightness)  # more use is lighter on a dark window
    else:
        assert lightness == sorted(lightness, reverse=True)  # and darker on a light one
    steps = [abs(b - a) for a, b in itertools.pairwise(lightness)]
    assert min(steps) >= 0.08  # each level told apart by lightness alone (no hue needed)
    assert len({round(colour.hueF(), 2) for colour in scale[1:]}) == 1
    assert is_dark(DARK)
    assert not is_dark(LIGHT)


def test_the_tooltip_says_the_date_the_credits_the_tasks_and_the_marks(qtbot: QtBot) -> None:
    cell = Cell(date(2026, 11, 3), 12.5, 1, 4, reset=True)
    text = day_text(cell)
    assert "2026" in text
    assert "12.5 credits, 1 task" in text
    assert text.endswith("\nlast credit reset")
    assert "0 tasks" in day_text(Cell(date(2026, 11, 4), 0.0, 0, 0))
    with local_zone("UTC"):
        cells = cells_with_levels()
    heatmap, _image = render(qtbot, LIGHT, cells)
    assert heatmap.cell_at(heatmap.cell_rect(cells[3].day).center().toPoint()) == cells[3]
    assert heatmap.cell_at(QPoint(1, 1)) is None


@pytest.fixture
def window(qtbot: QtBot) -> tuple[DetailWindow, AccountState]:
    state = AccountState()
    body = UsageWorld(NOW).summary(NOW)
    state.on_snapshot(Snapshot(summary_from_json(body), NOW, token_tag="aaaaaaaaaaaa"))
    made = DetailWindow(state, lambda: NOW, account_id="default", cache_keys=lambda _id: KEY)
    qtbot.addWidget(made)
    made.show_and_raise()
    return made, state


def year_answer(query: UsageQuery, tag: str = "aaaaaaaaaaaa") -> Snapshot:
    body = UsageWorld(NOW).summary(NOW, query.start, query.end, "day")
    return Snapshot(summary_from_json(body), NOW, query, token_tag=tag)


def open_history(qtbot: QtBot, window: DetailWindow) -> list[UsageQuery]:
    asked: list[UsageQuery] = []
    window.range_requested.connect(lambda _account, query: asked.append(query))
    window.tabs.setCurrentIndex(window.page().history_index)
    return [query for query in asked if query.group_by is GroupBy.DAY and query.end == NOW]


def test_the_tab_asks_for_the_year_once_and_keeps_it_a_day(
    qtbot: QtBot, window: tuple[DetailWindow, AccountState]
) -> None:
    detail, _state = window
    page = detail.page()
    assert detail.tabs.tabText(page.history_index) == "&History"
    asked = open_history(qtbot, detail)
    assert asked == [history.year_query(NOW)]
    assert "loading" in page.history.heatmap.accessibleDescription()
    detail.on_range_answer("default", year_answer(asked[0]))
    cells = page.history.heatmap.cells
    assert len(cells) == 365
    assert page.history.table.model.rowCount() > 100
    path = history_cache.default_path("default")
    saved = json.loads(path.read_text())
    assert (saved["cache_key"], saved["token_tag"]) == (KEY, "aaaaaaaaaaaa")
    # Shown again (another tab, back; a new poll): nothing more is asked.
    again: list[UsageQuery] = []
    detail.range_requested.connect(lambda _account, query: again.append(query))
    detail.tabs.setCurrentIndex(0)
    detail.tabs.setCurrentIndex(page.history_index)
    page.render_state()
    assert history.year_query(NOW) not in again


def test_a_new_window_reads_the_year_from_the_file_and_asks_nothing(
    qtbot: QtBot, window: tuple[DetailWindow, AccountState]
) -> None:
    detail, state = window
    asked = open_history(qtbot, detail)
    detail.on_range_answer("default", year_answer(asked[0]))
    second = DetailWindow(state, lambda: NOW, account_id="default", cache_keys=lambda _id: KEY)
    qtbot.addWidget(second)
    second.show_and_raise()
    assert open_history(qtbot, second) == []
    assert second.page().history.heatmap.cells == detail.page().history.heatmap.cells


@pytest.mark.parametrize(
    "spoil",
    [
        "another token",
        "another address",
        "damaged",
        "a day old",
    ],
)
def test_a_file_of_another_token_or_address_damaged_or_old_is_fetched_again(
    qtbot: QtBot, window: tuple[DetailWindow, AccountState], spoil: str
) -> None:
    _detail, state = window
    path = history_cache.default_path("default")
    entry = history_cache.HistoryEntry(
        NOW - timedelta(hours=1), (DayUsage(date(2026, 11, 2), 5.0, 1),)
    )
    tag, key = "aaaaaaaaaaaa", KEY
    if spoil == "another token":
        tag = "bbbbbbbbbbbb"
    if spoil == "another address":
        key = "https://other.example.test"
    if spoil == "a day old":
        entry = entry._replace(fetched_at=NOW - timedelta(days=1, minutes=1))
    history_cache.save(entry, key, tag, path)
    if spoil == "damaged":
        path.write_text(path.read_text().replace("5.0", "-5.0"))
    second = DetailWindow(state, lambda: NOW, account_id="e5f6a7b8", cache_keys=lambda _id: KEY)
    qtbot.addWidget(second)
    # The same file under the second account's name.
    path.rename(history_cache.default_path("e5f6a7b8"))
    second.show_and_raise()
    assert open_history(qtbot, second) == [history.year_query(NOW)]
    if spoil == "a day old":  # the old figures show meanwhile
        assert sum(cell.credits for cell in second.page().history.heatmap.cells) == 5.0
    else:
        assert second.page().history.heatmap.cells == ()


def test_an_error_is_said_on_the_tab_and_the_next_showing_asks_again(
    qtbot: QtBot, window: tuple[DetailWindow, AccountState]
) -> None:
    from desktop.core.errors import ErrorKind

    detail, _state = window
    page = detail.page()
    asked = open_history(qtbot, detail)
    error = PollError(
        ErrorKind.OFFLINE, "The server failed.", NOW, short_message="server error", query=asked[0]
    )
    detail.on_range_answer("default", error)
    assert page.history.heatmap.accessibleDescription() == "No history: server error"
    detail.tabs.setCurrentIndex(0)
    assert open_history(qtbot, detail) == [asked[0]]


def test_the_tab_is_named_for_screen_readers(
    qtbot: QtBot, window: tuple[DetailWindow, AccountState]
) -> None:
    detail, _state = window
    page = detail.page()
    asked = open_history(qtbot, detail)
    detail.on_range_answer("default", year_answer(asked[0]))
    tab = page.history
    assert tab.heatmap.accessibleName() == "Daily credits over the last 12 months"
    description = tab.heatmap.accessibleDescription()
    assert description.startswith("Busiest weekday: ")
    assert "credits per" not in description or "Average per active day" in description
    assert description.endswith("Each day with use is listed in the table below.")
    assert tab.facts.accessibleName() == tab.facts.text()
    assert tab.table.view.accessibleName() == "Days with use table"
    assert tab.legend.accessibleName() == "Legend"
    # The legend names the marks the grid paints: this year's reset, and no expiry (it is
    # after the grid's last day: the facts line says it).
    assert "A dot marks the last credit reset" in tab.legend.accessibleDescription()
    assert "cross" not in tab.legend.accessibleDescription()
    assert tab.legend.marks == history.marks_in(tab.heatmap.cells) == (True, False)


def test_a_year_through_a_real_poller_from_the_fake_api(qtbot: QtBot, fake_api: FakeNeoApi) -> None:
    now = datetime.now(UTC)
    state = AccountState()
    poller = Poller(ClientConfig(fake_api.url, token=TOKEN), 300, forecast_seconds=None)
    poller.snapshot_ready.connect(state.on_snapshot)
    poller.failed.connect(state.on_error)
    detail = DetailWindow(
        state, lambda: datetime.now(UTC), account_id="default", cache_keys=lambda _id: fake_api.url
    )
    qtbot.addWidget(detail)
    for answered in (poller.range_ready, poller.range_failed):
        answered.connect(lambda answer: detail.on_range_answer("default", answer))
    detail.range_requested.connect(lambda _account, query: poller.request_range(query))
    try:
        with qtbot.waitSignal(poller.snapshot_ready, timeout=10_000):
            poller.start()
        detail.show_and_raise()
        page = detail.page()
        detail.tabs.setCurrentIndex(page.history_index)
        asked = page.history.pending
        assert asked is not None
        assert asked == history.year_query(asked.end)  # type: ignore[arg-type]
        qtbot.waitUntil(lambda: bool(page.history.heatmap.cells), timeout=10_000)
        # One request for the year, from the UTC midnight a year back, grouped by day.
        years = [
            r["query"]
            for r in fake_api.requests
            if r["query"].get("from", "").startswith(asked.start.strftime("%Y-%m-%dT00:00:00"))  # type: ignore[union-attr]
        ]
        assert len(years) == 1
        assert years[0]["group_by"] == "day"
        cells = page.history.heatmap.cells
        assert len(cells) in {365, 366}
        assert cells[-1].day == local_date(now)
        assert any(cell.credits > 0 for cell in cells)
        saved = json.loads(history_cache.default_path("default").read_text())
        assert saved["cache_key"] == fake_api.url
        assert len(saved["days"]) <= 366
        assert saved["token_tag"] == state.view.snapshot.token_tag  # type: ignore[union-attr]
    finally:
        poller.stop()


def test_in_member_mode_the_tab_says_who_sees_the_usage_and_asks_nothing(
    qtbot: QtBot, window: tuple[DetailWindow, AccountState]
) -> None:
    """A member's usage endpoints answer 403: the tab says what the breakdowns say, never
    "loading" for ever; back to a summary, the year is asked again."""
    from desktop.core.detail_text import member_range_text
    from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot

    detail, state = window
    page = detail.page()
    asked = open_history(qtbot, detail)
    detail.on_range_answer("default", year_answer(asked[0]))
    assert page.history.heatmap.cells
    cap = MemberCap(75.0, 43.0, 32.0)
    state.on_member(MemberSnapshot(MemberProfile("ana@acme.test", "Acme", cap, True), NOW))
    detail.tabs.setCurrentIndex(0)
    assert open_history(qtbot, detail) == []
    assert page.history.pending is None
    assert page.history.heatmap.cells == ()  # the summary's year is not a member's to see
    assert page.history.heatmap.accessibleDescription() == member_range_text()
    page.render_state()
    assert page.history.heatmap.accessibleDescription() == member_range_text()
    # Promoted to admin: the year again (from the account's file: nothing to ask).
    body = UsageWorld(NOW).summary(NOW)
    state.on_snapshot(Snapshot(summary_from_json(body), NOW, token_tag="aaaaaaaaaaaa"))
    # (member mode showed the Overview alone: the user opens the History tab again)
    assert open_history(qtbot, detail) == []
    assert page.history.heatmap.cells


def test_a_tab_without_a_renderer_is_left_alone(qtbot: QtBot) -> None:
    """`BreakdownTabs` renders the range's summary into its own tabs; a tab added after them
    (the History tab, any other) has no renderer and is not one to render."""
    from PySide6.QtWidgets import QWidget

    from desktop.core.levels import Thresholds
    from desktop.ui.detail.breakdowns import BreakdownTabs
    from desktop.ui.detail.history_tab import BreakdownsAndHistory

    summary = summary_from_json(UsageWorld(NOW).summary(NOW))
    tabs = BreakdownTabs(lambda: NOW)
    qtbot.addWidget(tabs)
    tabs.setCurrentIndex(tabs.addTab(QWidget(), "Extra"))
    tabs.show_summary(summary, Thresholds())
    tabs.setCurrentIndex(tabs.overview_index)
    assert tabs.overview_values["credits"].text() != "—"
    both = BreakdownsAndHistory(lambda: NOW)
    qtbot.addWidget(both)
    both.setCurrentIndex(both.history_index)
    both.show_summary(summary, Thresholds())
    both.setCurrentIndex(both.overview_index)
    assert both.overview_values["credits"].text() != "—"


def test_without_cache_keys_the_year_stays_in_memory(qtbot: QtBot) -> None:
    """The window is told each account's cache key (`cache_keys`, the window factory's from the
    sessions); it never goes looking for one through its state's owner."""
    from PySide6.QtCore import QObject

    owner = QObject()
    owner.cache_key = KEY  # type: ignore[attr-defined]  # looks like a session
    state = AccountState(parent=owner)
    body = UsageWorld(NOW).summary(NOW)
    state.on_snapshot(Snapshot(summary_from_json(body), NOW, token_tag="aaaaaaaaaaaa"))
    detail = DetailWindow(state, lambda: NOW, account_id="default")
    qtbot.addWidget(detail)
    detail.show_and_raise()
    asked = open_history(qtbot, detail)
    detail.on_range_answer("default", year_answer(asked[0]))
    assert detail.page().history.heatmap.cells
    assert not history_cache.default_path("default").exists()
