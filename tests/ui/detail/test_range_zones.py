"""The detail window's ranges in real zones: each boundary by the zone's rules for its own date
(a month that began in summer time began at its own offset, not today's), and the Periods tab
saying that the API's rows are UTC days."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desktop.core.models import parse_summary
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.ranges import RangePreset
from desktop.core.snapshot import Snapshot
from desktop.ui.detail.breakdowns import PERIODS_NOTE
from desktop.ui.detail.range_bar import RangeBar
from desktop.ui.detail.window import DetailWindow
from desktop.ui.state import AccountState
from tests.zones import local_zone

NOVEMBER = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)  # winter time in both zones
APRIL = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)  # summer time in both zones


def ask(qtbot: QtBot, now: datetime, preset: RangePreset) -> dict[str, str]:
    """The query parameters the range bar sends for `preset` at `now`."""
    bar = RangeBar(lambda: now)
    qtbot.addWidget(bar)
    bar.range_combo.setCurrentIndex(bar.range_combo.findData(preset))
    with qtbot.waitSignal(bar.query_requested) as blocker:
        bar.request()  # as the window asks when it opens
    query = blocker.args[0]
    assert isinstance(query, UsageQuery)
    return query.params()


@pytest.mark.parametrize(
    ("zone", "now", "preset", "start", "end"),
    [
        # the example: October began at 22:00Z in Berlin (summer time), not 23:00Z
        (
            "Europe/Berlin",
            NOVEMBER,
            RangePreset.LAST_MONTH,
            "2026-09-30T22:00:00Z",
            "2026-10-31T22:59:59.999999Z",
        ),
        # Los Angeles: an hour off at both ends before
        (
            "America/Los_Angeles",
            NOVEMBER,
            RangePreset.LAST_MONTH,
            "2026-10-01T07:00:00Z",
            "2026-11-01T06:59:59.999999Z",
        ),
        # and the other way round: March began in winter time, seen from summer time
        (
            "Europe/Berlin",
            APRIL,
            RangePreset.LAST_MONTH,
            "2026-02-28T23:00:00Z",
            "2026-03-31T21:59:59.999999Z",
        ),
        (
            "America/Los_Angeles",
            APRIL,
            RangePreset.LAST_MONTH,
            "2026-03-01T08:00:00Z",
            "2026-04-01T06:59:59.999999Z",
        ),
        (
            "Europe/Berlin",
            NOVEMBER,
            RangePreset.LAST_30_DAYS,
            "2026-10-16T22:00:00Z",
            "2026-11-15T12:00:00Z",
        ),
        (
            "America/Los_Angeles",
            APRIL,
            RangePreset.THIS_MONTH,
            "2026-04-01T07:00:00Z",
            "2026-04-10T12:00:00Z",
        ),
    ],
)
def test_range_boundaries_follow_the_zone_rules_of_their_dates(
    qtbot: QtBot, zone: str, now: datetime, preset: RangePreset, start: str, end: str
) -> None:
    with local_zone(zone):
        params = ask(qtbot, now, preset)
    assert params["from"] == start
    assert params["to"] == end


def test_custom_days_follow_the_zone_rules_of_their_dates(qtbot: QtBot) -> None:
    with local_zone("Europe/Berlin"):
        bar = RangeBar(lambda: NOVEMBER)
        qtbot.addWidget(bar)
        bar.range_combo.setCurrentIndex(bar.range_combo.findData(RangePreset.CUSTOM))
        assert bar.to_edit.date().toString(Qt.DateFormat.ISODate) == "2026-11-15"
        bar.from_edit.setDate(bar.from_edit.date().fromString("2026-10-20", "yyyy-MM-dd"))
        params = bar.current_query().params()
    assert params["from"] == "2026-10-19T22:00:00Z"
    assert params["to"] == "2026-11-15T22:59:59.999999Z"


def test_ranges_under_an_unrepresentable_zone_are_utc_days(qtbot: QtBot) -> None:
    with local_zone("UTC+24"):
        params = ask(qtbot, NOVEMBER, RangePreset.LAST_MONTH)
    assert params == {
        "from": "2026-10-01T00:00:00Z",
        "to": "2026-10-31T23:59:59.999999Z",
        "group_by": "day",
    }


# --- the Periods tab says which days its rows are ----------------------------------------------


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> tuple[AccountState, DetailWindow]:
    state = AccountState()
    store = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    win = DetailWindow(state, lambda: NOVEMBER, geometry_store=store)
    qtbot.addWidget(win)
    return state, win


def days_summary() -> Snapshot:
    body = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 3,
        "total_tasks": 2,
        "by_period": [
            {"date": "2026-11-01", "neo_credits": 1, "tasks": 1},
            {"date": "2026-11-02", "neo_credits": 2, "tasks": 1},
        ],
    }
    return Snapshot(parse_summary(json.dumps(body)), NOVEMBER)


@pytest.mark.parametrize(
    ("group_by", "title"),
    [(GroupBy.DAY, "Day (UTC)"), (GroupBy.WEEK, "Week (UTC)"), (GroupBy.MONTH, "Month (UTC)")],
)
def test_the_periods_tab_says_its_rows_are_utc_periods(
    qtbot: QtBot, window: tuple[AccountState, DetailWindow], group_by: GroupBy, title: str
) -> None:
    _state, win = window
    win.show_and_raise()
    page = win.page()
    bar = page.range_bar
    if group_by is not GroupBy.DAY:
        with qtbot.waitSignal(win.range_requested):
            bar.group_combo.setCurrentIndex(bar.group_combo.findData(group_by))
    assert bar.pending is not None
    assert bar.pending.group_by is group_by
    page.on_range_answer(Snapshot(days_summary().summary, NOVEMBER, bar.pending))
    tabs = page.tabs
    tabs.setCurrentIndex(tabs.periods_index)
    header = tabs.periods.model.headerData(0, Qt.Orientation.Horizontal)
    assert header == title
    assert tabs.periods_note.text() == PERIODS_NOTE
    assert tabs.periods_note.isVisibleTo(win)
    exported = list(csv.reader(io.StringIO(tabs.periods.model.table.to_csv())))
    assert exported[0][0] == title
