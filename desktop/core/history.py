"""A year of history at a glance: the daily credits of the last 12 months as calendar cells.

Pure, `now` injected. The figures are the API's own daily usage (`GET /api/v1/usage/summary`
with `group_by=day`, its `by_period` rows' `neo_credits` and `tasks`) over one request for the
year (`year_query`). The cells are the user's local calendar dates (`core/local_time.py`); a row's
date is the API's UTC day, taken as that calendar date (the periods tab says so too).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, NamedTuple

from desktop.core.forecast import row_day
from desktop.core.i18n import N_, _
from desktop.core.local_time import local_date
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.tables import Column, ColumnKind, Table

if TYPE_CHECKING:
    from desktop.core.models import UsageSummary

#: The cells' levels: 0 is a day without use, 1-4 the quarters of the year's active days.
LEVELS = 5
#: The most credits or tasks one day can hold here: past it a figure is refused, not drawn.
DAY_LIMIT = 1e12


class DayUsage(NamedTuple):
    """One day's use: credits (`by_period[].neo_credits`) and tasks (`by_period[].tasks`)."""

    day: date
    credits: float
    tasks: int


class Cell(NamedTuple):
    """One calendar day of the heatmap.

    `level`: 0 no use; 1-4 where the day's credits fall among the year's active days (the
    share of active days using at most as much, in quarters: the busiest days are 4).
    `reset`: the day of the last credit reset; `expiry`: the day the credits expire(d)."""

    day: date
    credits: float
    tasks: int
    level: int
    reset: bool = False
    expiry: bool = False


def first_day(today: date) -> date:
    """The first of the year's cells: the day after the same date a year before `today` (a
    29 February a year on is the 28th), so the year holds 365 days, or 366 across a 29 Feb."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February: last year had none
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + timedelta(days=1)


def year_query(now: datetime) -> UsageQuery:
    """Daily usage from the UTC midnight that starts the first cell's date (a year before the
    local today) to `now`: one request, up to 366 rows."""
    first = first_day(local_date(now))
    start = datetime.combine(first, time(0), tzinfo=UTC)
    return UsageQuery(start, max(start, now.astimezone(UTC)), GroupBy.DAY)


def days_of(summary: UsageSummary) -> tuple[DayUsage, ...]:
    """The summary's daily rows as `DayUsage`, one per day (rows of one day added up); a row
    without a readable date, or with a figure that is not a finite number up to `DAY_LIMIT`,
    is left out; a negative figure (a refund) counts as no use."""
    return _merge(
        (day, row.get("neo_credits", 0), row.get("tasks", 0))
        for day, row in ((row_day(row["date"]), row) for row in summary.by_period or ())
        if day is not None
    )


def merged(days: Iterable[DayUsage]) -> tuple[DayUsage, ...]:
    """`days` with one entry per day, in date order, figures checked as `days_of` says."""
    return _merge((entry.day, entry.credits, entry.tasks) for entry in days)


def _merge(days: Iterable[tuple[date, object, object]]) -> tuple[DayUsage, ...]:
    totals: dict[date, tuple[float, int]] = {}
    for day, credits_value, tasks_value in days:
        credits, tasks = _figure(credits_value), _figure(tasks_value)
        if credits is None or tasks is None:
            continue
        before = totals.get(day, (0.0, 0))
        totals[day] = (before[0] + credits, before[1] + round(tasks))
    return tuple(DayUsage(day, *totals[day]) for day in sorted(totals))


def _figure(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number) or abs(number) > DAY_LIMIT:
        return None
    return max(0.0, number)


def year_cells(
    summary_or_days: UsageSummary | Sequence[DayUsage],
    now: datetime,
    last_reset: datetime | None,
    expires_at: datetime | None,
) -> tuple[Cell, ...]:
    """The year's cells, oldest first, from `first_day` to the local today (365 or 366): each
    day's figures (a day without a row is 0), its level, and the marks of the last reset's and
    the expiry's local days (where they fall in the year)."""
    today = local_date(now)
    first = first_day(today)
    if isinstance(summary_or_days, Sequence):
        days = merged(summary_or_days)
    else:
        days = days_of(summary_or_days)
    by_day: Mapping[date, DayUsage] = {entry.day: entry for entry in days}
    count = (today - first).days + 1
    reset_day = local_date(last_reset) if last_reset is not None else None
    expiry_day = local_date(expires_at) if expires_at is not None else None
    figures = [by_day.get(first + timedelta(days=index)) for index in range(count)]
    active = sorted(entry.credits for entry in figures if entry is not None and entry.credits > 0)
    cells: list[Cell] = []
    for index, entry in enumerate(figures):
        day = first + timedelta(days=index)
        credits = entry.credits if entry is not None else 0.0
        tasks = entry.tasks if entry is not None else 0
        cells.append(
            Cell(day, credits, tasks, level(credits, active), day == reset_day, day == expiry_day)
        )
    return tuple(cells)


def level(credits: float, active: list[float]) -> int:
    """0 for no use; else 1-4: the quarter of the year's active days (`active`, sorted) whose
    credits are at most `credits` (ties share the higher level; a year of equal days is all 4)."""
    if credits <= 0 or not active:
        return 0
    at_most = bisect_right(active, credits)
    return max(1, min(LEVELS - 1, -(-(LEVELS - 1) * at_most // len(active))))


class YearFacts(NamedTuple):
    """What the year's cells say in a line: the busiest weekday (0 Monday - 6 Sunday, by the
    average credits of that weekday's days; None without use), the credits per day with use
    (None without), the days with use and the year's credits and tasks."""

    busiest_weekday: int | None
    average_per_active_day: float | None
    active_days: int
    credits: float
    tasks: int


def year_facts(cells: Iterable[Cell]) -> YearFacts:
    totals = [0.0] * 7
    counts = [0] * 7
    credits, tasks, active = 0.0, 0, 0
    for cell in cells:
        weekday = cell.day.weekday()
        totals[weekday] += cell.credits
        counts[weekday] += 1
        credits += cell.credits
        tasks += cell.tasks
        active += cell.credits > 0
    if active == 0:
        return YearFacts(None, None, 0, credits, tasks)
    averages = [
        total / count if count else 0.0 for total, count in zip(totals, counts, strict=True)
    ]
    busiest = max(range(7), key=lambda weekday: (averages[weekday], -weekday))
    return YearFacts(busiest, credits / active, active, credits, tasks)


def year_table(cells: Iterable[Cell]) -> Table:
    """The heatmap's text equivalent: one row per day with use (date `YYYY-MM-DD`, credits,
    tasks), oldest first, marked days included even without use (their mark in the last
    column, in the app's language)."""
    rows = tuple(
        (cell.day.isoformat(), cell.credits, float(cell.tasks), _marks(cell))
        for cell in cells
        if cell.credits > 0 or cell.tasks > 0 or cell.reset or cell.expiry
    )
    return Table(
        (
            Column(N_("Day")),
            Column(N_("Credits"), ColumnKind.NUMBER),
            Column(N_("Tasks"), ColumnKind.COUNT),
            Column(N_("Mark")),
        ),
        rows,
    )


def marks_in(cells: Iterable[Cell]) -> tuple[bool, bool]:
    """(the last reset's mark, the expiry's mark) is in the grid: the legend names a mark only
    where one is painted (an expiry next February is no cross of this year's)."""
    reset = expiry = False
    for cell in cells:
        reset, expiry = reset or cell.reset, expiry or cell.expiry
    return reset, expiry


def expiry_after(cells: Sequence[Cell], expires_at: datetime | None) -> date | None:
    """The expiry's local date when it falls after the grid's last day (the local today), so
    no cell can mark it; None otherwise (no expiry, no cells, or a date in the grid)."""
    if expires_at is None or not cells:
        return None
    day = local_date(expires_at)
    return day if day > cells[-1].day else None


def expiry_after_text(cells: Sequence[Cell], expires_at: datetime | None) -> str | None:
    """`Credits expire on Feb 7, 2027.` (the locale's medium date, with its year: the grid
    ends today) when the expiry is after the grid's last day (`expiry_after`); else None."""
    day = expiry_after(cells, expires_at)
    if day is None:
        return None
    from desktop.core import cldr, i18n  # (as `i18n.day`: the date's pattern when it is said)

    where = i18n.conventions()
    return _("Credits expire on {date}.").format(date=cldr.format_date_time(where.date, day, where))


#: The marks' names in the table.
RESET_MARK = N_("last credit reset")
EXPIRY_MARK = N_("credits expire")


def _marks(cell: Cell) -> str:
    marks = [_(text) for text, on in ((RESET_MARK, cell.reset), (EXPIRY_MARK, cell.expiry)) if on]
    return ", ".join(marks)
