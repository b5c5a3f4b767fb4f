"""The year's heatmap model: the query, the cells, their levels and marks, the facts, the table."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from desktop.core import history
from desktop.core.history import Cell, DayUsage, first_day, year_cells, year_query
from desktop.core.models import summary_from_json
from desktop.core.query import GroupBy
from tests.zones import local_zone

NOW = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)


def _summary(rows: list[dict[str, object]]) -> object:
    return summary_from_json(
        {
            "by_model": {},
            "by_status": {},
            "total_neo_credits": 0,
            "total_tasks": 0,
            "by_period": rows,
        }
    )


@pytest.mark.parametrize(
    ("today", "first", "cells"),
    [
        (date(2026, 11, 29), date(2025, 11, 30), 365),
        (date(2028, 3, 1), date(2027, 3, 2), 366),  # 29 Feb 2028 in the year
        (date(2028, 2, 29), date(2027, 3, 1), 366),  # a year before 29 Feb: the 28th
        (date(2029, 2, 28), date(2028, 2, 29), 366),
        (date(2029, 3, 1), date(2028, 3, 2), 365),
    ],
)
def test_the_year_is_365_or_366_days_to_the_local_today(
    today: date, first: date, cells: int
) -> None:
    assert first_day(today) == first
    now = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    with local_zone("UTC"):
        made = year_cells((), now, None, None)
    assert len(made) == cells
    assert (made[0].day, made[-1].day) == (first, today)
    assert [cell.day for cell in made] == [first + timedelta(days=i) for i in range(cells)]


@pytest.mark.parametrize(
    ("zone", "now", "start"),
    [
        ("UTC", NOW, datetime(2025, 11, 30, tzinfo=UTC)),
        # 01:30 in Berlin is still the 28th in UTC: the local date decides.
        (
            "Europe/Berlin",
            datetime(2026, 11, 29, 0, 30, tzinfo=UTC),
            datetime(2025, 11, 30, tzinfo=UTC),
        ),
        (
            "America/Los_Angeles",
            datetime(2026, 11, 29, 5, tzinfo=UTC),
            datetime(2025, 11, 29, tzinfo=UTC),
        ),
        # Spring forward day in Europe: still one query from the UTC midnight a year back.
        (
            "Europe/Berlin",
            datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
            datetime(2026, 3, 29, tzinfo=UTC),
        ),
    ],
)
def test_the_query_is_one_daily_request_from_utc_midnight_a_year_ago_to_now(
    zone: str, now: datetime, start: datetime
) -> None:
    with local_zone(zone):
        query = year_query(now)
    assert (query.start, query.end, query.group_by) == (start, now, GroupBy.DAY)
    assert query.params()["group_by"] == "day"


def test_cells_take_each_row_by_its_date_and_days_without_rows_are_zero() -> None:
    rows = [
        {"date": "2026-11-27", "neo_credits": 12.5, "tasks": 3},
        {"date": "2026-11-27T00:00:00Z", "neo_credits": 2.5, "tasks": 1},  # the same day twice
        {"date": "2026-11-28", "neo_credits": -4, "tasks": 0},  # a refund is no use
        {"date": "not a date", "neo_credits": 99, "tasks": 9},
        {"date": "2020-01-01", "neo_credits": 99, "tasks": 9},  # before the year
    ]
    with local_zone("UTC"):
        cells = year_cells(_summary(rows), NOW, None, None)  # type: ignore[arg-type]
    by_day = {cell.day: cell for cell in cells}
    assert by_day[date(2026, 11, 27)][1:3] == (15.0, 4)
    assert by_day[date(2026, 11, 28)][1:4] == (0.0, 0, 0)
    assert by_day[date(2026, 11, 29)][1:4] == (0.0, 0, 0)
    assert sum(cell.credits for cell in cells) == 15.0


@pytest.mark.parametrize(
    ("values", "levels"),
    [
        ([0, 0, 0], [0, 0, 0]),
        ([5, 5, 5, 5], [4, 4, 4, 4]),  # a year of equal days: each is the busiest
        ([1, 2, 3, 4], [1, 2, 3, 4]),
        ([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 2, 2, 3, 3, 4, 4]),
        ([0, 10, 0, 1000], [0, 2, 0, 4]),
        ([1, 1, 1, 100], [3, 3, 3, 4]),  # ties share the higher level
        ([0.001, 0, 7], [2, 0, 4]),
    ],
)
def test_levels_are_the_quarters_of_the_years_active_days(
    values: list[float], levels: list[int]
) -> None:
    first = first_day(date(2026, 11, 29))
    days = tuple(DayUsage(first + timedelta(days=i), float(v), 1) for i, v in enumerate(values))
    with local_zone("UTC"):
        cells = year_cells(days, NOW, None, None)
    assert [cell.level for cell in cells[: len(values)]] == levels
    assert all(cell.level == 0 for cell in cells[len(values) :])


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), 1e13, True])
def test_a_figure_the_app_cannot_hold_is_left_out(bad: float) -> None:
    day = date(2026, 11, 1)
    days = (DayUsage(day, bad, 1), DayUsage(day, 3.0, 2), DayUsage(date(2026, 11, 2), 4.0, bad))  # type: ignore[arg-type]
    assert history.merged(days) == (DayUsage(day, 3.0, 2),)


@pytest.mark.parametrize(
    ("zone", "reset", "expires", "reset_day", "expiry_day"),
    [
        ("UTC", datetime(2026, 9, 1, 23, 30, tzinfo=UTC), None, date(2026, 9, 1), None),
        # 23:30 UTC is the next local day in Berlin, and the same day in Los Angeles.
        ("Europe/Berlin", datetime(2026, 9, 1, 23, 30, tzinfo=UTC), None, date(2026, 9, 2), None),
        (
            "America/Los_Angeles",
            datetime(2026, 3, 8, 9, 30, tzinfo=UTC),  # 01:30 PST before the change -> 8 March
            datetime(2026, 11, 1, 8, 30, tzinfo=UTC),  # 01:30 PDT, an hour before the fall back
            date(2026, 3, 8),
            date(2026, 11, 1),
        ),
        # An expiry after today and a reset before the year are not in the cells.
        ("UTC", datetime(2020, 1, 1, tzinfo=UTC), datetime(2027, 2, 5, tzinfo=UTC), None, None),
    ],
)
def test_the_reset_and_the_expiry_are_marked_on_their_local_days(
    zone: str,
    reset: datetime,
    expires: datetime | None,
    reset_day: date | None,
    expiry_day: date | None,
) -> None:
    with local_zone(zone):
        cells = year_cells((), NOW, reset, expires)
    assert [cell.day for cell in cells if cell.reset] == ([reset_day] if reset_day else [])
    assert [cell.day for cell in cells if cell.expiry] == ([expiry_day] if expiry_day else [])


def test_the_facts_name_the_busiest_weekday_by_average_and_the_average_per_active_day() -> None:
    # 2026-11-23 is a Monday.
    monday = date(2026, 11, 23)
    cells = [
        Cell(monday, 10.0, 2, 4),
        Cell(monday + timedelta(days=1), 0.0, 0, 0),
        Cell(monday + timedelta(days=2), 30.0, 1, 4),  # Wednesday
        Cell(monday + timedelta(days=7), 0.0, 0, 0),
        Cell(monday + timedelta(days=9), 0.0, 0, 0),  # Wednesday: 15 on average
        Cell(monday + timedelta(days=5), 14.0, 5, 4),  # Saturday: 14
    ]
    facts = history.year_facts(cells)
    assert facts.busiest_weekday == 2
    assert facts.average_per_active_day == pytest.approx(18.0)
    assert (facts.active_days, facts.credits, facts.tasks) == (3, 54.0, 8)
    assert history.year_facts([Cell(monday, 0.0, 0, 0)]) == (None, None, 0, 0.0, 0)
    # A tie goes to the earlier weekday (Monday first).
    tie = [Cell(monday, 5.0, 1, 4), Cell(monday + timedelta(days=3), 5.0, 1, 4)]
    assert history.year_facts(tie).busiest_weekday == 0


def test_the_table_lists_the_days_with_use_and_the_marked_days() -> None:
    day = date(2026, 11, 1)
    cells = [
        Cell(day, 0.0, 0, 0),
        Cell(day + timedelta(days=1), 2.5, 1, 4),
        Cell(day + timedelta(days=2), 0.0, 0, 0, reset=True),
        Cell(day + timedelta(days=3), 0.0, 0, 0, expiry=True),
    ]
    table = history.year_table(cells)
    assert [column.title for column in table.columns] == ["Day", "Credits", "Tasks", "Mark"]
    assert table.rows == (
        ("2026-11-02", 2.5, 1.0, ""),
        ("2026-11-03", 0.0, 0.0, "last credit reset"),
        ("2026-11-04", 0.0, 0.0, "credits expire"),
    )


def test_a_full_year_from_the_fake_api_fills_366_cells_at_most() -> None:
    from desktop.fakeapi.world import UsageWorld

    world = UsageWorld(NOW)
    with local_zone("UTC"):
        query = year_query(NOW)
        body = world.summary(NOW, query.start, query.end, "day")
        cells = year_cells(summary_from_json(body), NOW, None, None)
    assert len(body["by_period"]) == 365
    assert len(cells) == 365
    assert sum(cell.credits for cell in cells) == pytest.approx(body["total_neo_credits"], abs=1.0)
    assert {cell.level for cell in cells} == {0, 1, 2, 3, 4}
