"""The Team tab's radar (issue 28) through qtbot: today's columns, sorting by number, the
unusual marks (more than colour), the top burner's line, an unavailable radar, CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFont
from pytestqt.qtbot import QtBot

from desktop.core import forecast, radar
from desktop.core.models import UsageSummary, summary_from_json
from desktop.core.radar import Radar
from desktop.core.snapshot import Snapshot
from desktop.core.tables import TeamColumn
from desktop.fakeapi.team import NEW_EMAIL, SPIKE_EMAIL, SpikeWorld
from desktop.ui.detail.table_model import UNUSUAL_TINT
from desktop.ui.detail.window import DetailWindow
from desktop.ui.state import AccountState
from tests.ui.detail.test_detail_window import all_time

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TODAY_FROM = datetime(2026, 11, 25, tzinfo=UTC)
EXPIRES_AT = NOW + timedelta(days=10)


def summary(members: list[tuple[str, float, int]]) -> UsageSummary:
    body: dict[str, Any] = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": sum(c for _, c, _ in members),
        "total_tasks": sum(t for _, _, t in members),
        "by_email": [{"email": e, "neo_credits": c, "tasks": t} for e, c, t in members],
    }
    return summary_from_json(body)


#: The range (all time, the main poll's), the forecast's window and today's answers.
RANGE = summary(
    [("maya@acme.test", 900.0, 40), ("bo@example.com", 60.0, 9), ("al@acme.test", 30.0, 3)]
)
WINDOW = summary(
    [("maya@acme.test", 280.0, 20), ("bo@example.com", 28.0, 14), ("al@acme.test", 140.0, 3)]
)
TODAY = summary(
    [("bo@example.com", 30.0, 3), ("new@acme.test", 12.0, 1), ("maya@acme.test", 25.0, 2)]
)


def the_radar(window: UsageSummary | None = WINDOW, today: UsageSummary | None = TODAY) -> Radar:
    return radar.compute(window, today, TODAY_FROM)


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> DetailWindow:
    state = AccountState()
    store = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    win = DetailWindow(state, lambda: NOW, geometry_store=store)
    qtbot.addWidget(win)
    all_time(win)  # the main poll's figures are all-time ones
    state.on_snapshot(Snapshot(RANGE, NOW))
    return win


def column(
    window: DetailWindow, which: TeamColumn, role: int = Qt.ItemDataRole.DisplayRole
) -> list[Any]:
    proxy = window.tabs.team.proxy
    return [proxy.index(row, which).data(role) for row in range(proxy.rowCount())]


def open_team(window: DetailWindow) -> None:
    window.tabs.setCurrentIndex(window.tabs.team_tab_index)


def test_without_a_radar_the_tab_is_as_before(window: DetailWindow) -> None:
    window.tabs.show_radar(None, 700.0, EXPIRES_AT, NOW)
    open_team(window)
    assert window.tabs.team.model.columnCount() == 4
    assert window.tabs.top_burner.isHidden()
    assert window.tabs.radar_note.isHidden()
    assert column(window, TeamColumn.MEMBER)[0] == "maya@acme.test"


def test_the_radar_s_columns_and_rows(window: DetailWindow) -> None:
    open_team(window)
    window.tabs.show_radar(the_radar(), 700.0, EXPIRES_AT, NOW)
    model = window.tabs.team.model
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles[4:] == ["Today", "Usual/day", "× usual", "14-day share", "Unusual"]  # compact
    # The range's order (credits descending), and the member new today, whom the range lacks.
    assert column(window, TeamColumn.MEMBER) == [
        "maya@acme.test",
        "bo@example.com",
        "al@acme.test",
        "new@acme.test",
    ]
    assert column(window, TeamColumn.TODAY) == ["25.0", "30.0", "0.0", "12.0"]
    assert column(window, TeamColumn.USUAL) == ["20.0", "2.0", "10.0", "0.0"]
    assert column(window, TeamColumn.RATIO) == ["1.3×", "15×", "0.0×", "—"]
    assert column(window, TeamColumn.WINDOW_SHARE) == ["62.5%", "6.3%", "31.3%", "0.0%"]
    assert column(window, TeamColumn.UNUSUAL) == ["", "unusual", "", "unusual"]
    assert column(window, TeamColumn.CREDITS)[3] == "—"  # not in the range's answer
    assert window.tabs.team.count_label.text() == "4 rows"


def test_unusual_rows_are_marked_by_more_than_colour(window: DetailWindow) -> None:
    open_team(window)
    window.tabs.show_radar(the_radar(), 700.0, EXPIRES_AT, NOW)
    proxy = window.tabs.team.proxy
    rows = {proxy.index(r, 0).data(): r for r in range(proxy.rowCount())}
    bo, maya = rows["bo@example.com"], rows["maya@acme.test"]
    for c in range(proxy.columnCount()):
        assert proxy.index(bo, c).data(Qt.ItemDataRole.BackgroundRole) == UNUSUAL_TINT
        font = proxy.index(bo, c).data(Qt.ItemDataRole.FontRole)
        assert isinstance(font, QFont)
        assert font.bold()
        assert proxy.index(maya, c).data(Qt.ItemDataRole.BackgroundRole) is None
        assert proxy.index(maya, c).data(Qt.ItemDataRole.FontRole) is None
    assert proxy.index(bo, TeamColumn.UNUSUAL).data() == "unusual"  # a word, not a colour
    spoken = column(window, TeamColumn.MEMBER, Qt.ItemDataRole.AccessibleTextRole)
    assert spoken[bo] == "bo@example.com: 30 credits today, 15× their usual day (unusual)"
    assert spoken[maya] == "maya@acme.test: 25 credits today, 1.3× their usual day"
    assert spoken[rows["new@acme.test"]] == (
        "new@acme.test: 12 credits today, no usage before (unusual)"
    )


@pytest.mark.parametrize(
    ("which", "order", "expected"),
    [
        # As numbers: 15 > 1.25 > 0 (as text, 1.3 would come before 15); no ratio last.
        (TeamColumn.RATIO, Qt.SortOrder.DescendingOrder, ["15×", "1.3×", "0.0×", "—"]),
        (TeamColumn.RATIO, Qt.SortOrder.AscendingOrder, ["0.0×", "1.3×", "15×", "—"]),
        (TeamColumn.TODAY, Qt.SortOrder.DescendingOrder, ["30.0", "25.0", "12.0", "0.0"]),
        (TeamColumn.USUAL, Qt.SortOrder.AscendingOrder, ["0.0", "2.0", "10.0", "20.0"]),
        (
            TeamColumn.WINDOW_SHARE,
            Qt.SortOrder.DescendingOrder,
            ["62.5%", "31.3%", "6.3%", "0.0%"],
        ),
        (TeamColumn.UNUSUAL, Qt.SortOrder.DescendingOrder, ["unusual", "unusual", "", ""]),
    ],
)
def test_sorting_the_radar_columns(
    window: DetailWindow, which: TeamColumn, order: Qt.SortOrder, expected: list[str]
) -> None:
    open_team(window)
    window.tabs.show_radar(the_radar(), 700.0, EXPIRES_AT, NOW)
    window.tabs.team.view.sortByColumn(which, order)
    assert column(window, which) == expected


def test_a_missing_ratio_sorts_after_the_numbers_both_ways(window: DetailWindow) -> None:
    two_new = summary([("n1@x.io", 0.0, 0), ("n2@x.io", 0.0, 0), ("bo@example.com", 28.0, 1)])
    open_team(window)
    window.tabs.show_radar(the_radar(window=two_new), 700.0, EXPIRES_AT, NOW)
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        window.tabs.team.view.sortByColumn(TeamColumn.RATIO, order)
        ratios = column(window, TeamColumn.RATIO)
        assert ratios[-4:] == ["—"] * 4, order  # maya, al, n1, n2 have no usual day
        assert "15×" in ratios[:2]


def test_the_top_burner_s_line(window: DetailWindow) -> None:
    window.tabs.show_radar(the_radar(), 700.0, EXPIRES_AT, NOW)
    line = window.tabs.top_burner
    # maya: 20 a day x 10 days / 700.
    assert line.text() == "At this pace, maya@acme.test spends 29% of what is left"
    assert line.accessibleName() == line.text()
    assert line.textFormat() == Qt.TextFormat.PlainText
    open_team(window)
    assert line.isVisibleTo(window.tabs)
    window.tabs.show_radar(the_radar(), 700.0, None, NOW)
    assert line.text() == "maya@acme.test used 63% of the team's credits over the last 14 days"
    window.tabs.show_radar(the_radar(), 0.0, EXPIRES_AT, NOW)  # nothing left to spend
    assert not line.isVisibleTo(window.tabs)


def test_an_unavailable_radar_says_so_instead_of_figures(window: DetailWindow) -> None:
    open_team(window)
    window.tabs.show_radar(the_radar(today=None), 700.0, EXPIRES_AT, NOW)
    assert window.tabs.radar_note.isVisibleTo(window.tabs)
    assert "could not be fetched" in window.tabs.radar_note.text()
    assert not window.tabs.top_burner.isVisibleTo(window.tabs)
    assert window.tabs.team.model.columnCount() == 9
    for which in (TeamColumn.TODAY, TeamColumn.USUAL, TeamColumn.RATIO, TeamColumn.WINDOW_SHARE):
        assert set(column(window, which)) == {"—"}
    assert column(window, TeamColumn.CREDITS) == ["900.0", "60.0", "30.0"]  # the range's stay
    window.tabs.show_radar(the_radar(), 700.0, EXPIRES_AT, NOW)
    assert not window.tabs.radar_note.isVisibleTo(window.tabs)
    assert column(window, TeamColumn.UNUSUAL).count("unusual") == 2


def test_new_figures_keep_the_user_s_sort_and_filter(qtbot: QtBot, window: DetailWindow) -> None:
    open_team(window)
    window.tabs.show_radar(the_radar(), 700.0, EXPIRES_AT, NOW)
    window.tabs.team.view.sortByColumn(TeamColumn.TASKS, Qt.SortOrder.AscendingOrder)
    qtbot.keyClicks(window.tabs.team.search, "acme")
    later = summary(
        [("bo@example.com", 31.0, 4), ("new@acme.test", 40.0, 3), ("al@acme.test", 1, 1)]
    )
    window.tabs.show_radar(the_radar(today=later), 700.0, EXPIRES_AT, NOW)
    header = window.tabs.team.view.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        TeamColumn.TASKS,
        Qt.SortOrder.AscendingOrder,
    )
    # (The member new today has no tasks in the range: missing, the smallest.)
    assert column(window, TeamColumn.MEMBER) == ["new@acme.test", "al@acme.test", "maya@acme.test"]
    assert column(window, TeamColumn.TODAY) == ["40.0", "1.0", "0.0"]
    assert window.tabs.team.count_label.text() == "3 of 4"


def test_a_radar_before_the_tab_opens_is_drawn_when_it_does(window: DetailWindow) -> None:
    window.tabs.show_radar(the_radar(), 700.0, EXPIRES_AT, NOW)
    assert window.tabs.team.model.rowCount() == 0  # not tabulated until looked at
    open_team(window)
    assert column(window, TeamColumn.UNUSUAL).count("unusual") == 2


def test_csv_has_the_radar_s_columns(window: DetailWindow, tmp_path: Path) -> None:
    open_team(window)
    window.tabs.show_radar(the_radar(), 700.0, EXPIRES_AT, NOW)
    target = tmp_path / "team.csv"
    window.tabs.team.export_csv(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0] == [
        "Member",
        "Credits",
        "Share",
        "Tasks",
        "Today",
        "Usual per day",
        "Today / usual",
        "Share of 14 days",
        "Unusual",
    ]
    assert rows[2] == [
        "bo@example.com",
        "60",
        "0.06060606060606061",
        "9",
        "30",
        "2",
        "15",
        "0.0625",
        "unusual",
    ]
    assert rows[4][:4] == ["new@acme.test", "", "", ""]


def test_hostile_emails_stay_plain_text(window: DetailWindow) -> None:
    hostile = "<b>boss</b><img src=x>@evil.test"
    today = summary([(hostile, 500.0, 1)])
    window.tabs.show_radar(
        the_radar(window=summary([(hostile, 1400.0, 1)]), today=today), 700.0, EXPIRES_AT, NOW
    )
    assert window.tabs.top_burner.textFormat() == Qt.TextFormat.PlainText
    assert "<b>boss</b><img src=x>@…" in window.tabs.top_burner.text()


def admin_spike(now: datetime) -> tuple[UsageSummary, Radar]:
    """The fake API's `admin_spike` answers: the last 30 days, and the radar from the
    forecast's window and today's request, as the app asks for them."""
    world = SpikeWorld(now - timedelta(hours=3))

    def answer(start: datetime, end: datetime, group_by: str | None = None) -> UsageSummary:
        return summary_from_json(world.summary(now, start, end, group_by))

    window_query = forecast.window_query(now)
    assert window_query.start is not None
    assert window_query.end is not None
    start, end = radar.today_window(now)
    the_radar = radar.compute(
        answer(window_query.start, window_query.end, "day"), answer(start, end), start
    )
    return answer(now - timedelta(days=30), now), the_radar


def test_the_admin_spike_scenario(qtbot: QtBot, tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    range_summary, the_radar = admin_spike(now)
    state = AccountState()
    store = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    win = DetailWindow(state, lambda: now, geometry_store=store)
    qtbot.addWidget(win)
    win.tabs.show_summary(range_summary, state.view.thresholds)
    win.tabs.show_radar(
        the_radar,
        range_summary.total_available_neo_credits,
        range_summary.neo_credits_expires_at,
        now,
    )
    open_team(win)
    marked = [
        email
        for email, mark in zip(
            column(win, TeamColumn.MEMBER), column(win, TeamColumn.UNUSUAL), strict=True
        )
        if mark
    ]
    assert sorted(marked) == sorted([SPIKE_EMAIL, NEW_EMAIL])
    assert win.tabs.top_burner.text().startswith("At this pace, ")
