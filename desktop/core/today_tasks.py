"""Today's task ledger as the tray's cache keeps it: its figures only (status, window, count,
credits), never its rows, so that other processes (`--once --format openmetrics --cached`) say
what the tray's menu line says without asking the API again.

Pure. The figures come from `GET /api/v1/usage/tasks` over the user's local day
(`tasks.today_window`), as `TaskListing` counts them: `count` is the rows received (at most
`tasks.MAX_ROWS`), `neo_credits` their credits summed (a missing figure counts 0).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from desktop.core.cache_rules import CLOCK_SKEW
from desktop.core.instants import utc_text
from desktop.core.tasks import MAX_ROWS, TaskListing, TasksStatus, today_window
from desktop.core.validators import is_json_number, stored_instant


class TodayTasks(NamedTuple):
    """Today's ledger's figures: how the listing ended, its window (UTC: local midnight to the
    fetch), and, when `status` is OK only, its row count and credits (else both None). (Not
    `count`: a tuple's own method has that name.)"""

    status: TasksStatus
    start: datetime
    end: datetime
    task_count: int | None = None
    neo_credits: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The cache entry's `tasks_today`: `{"status", "from", "to", "count", "neo_credits"}`
        (the names of `--once --json`'s `tasks`; figures null unless the status is ok)."""
        return {
            "status": self.status.value,
            "from": utc_text(self.start),
            "to": utc_text(self.end),
            "count": self.task_count,
            "neo_credits": self.neo_credits,
        }


def of_listing(listing: TaskListing) -> TodayTasks:
    """The figures of today's `listing` (the poller's `today_tasks_ready`)."""
    if listing.status is not TasksStatus.OK:
        return TodayTasks(listing.status, listing.start, listing.end)
    return TodayTasks(
        listing.status, listing.start, listing.end, listing.count, listing.neo_credits
    )


def is_today(figures: TodayTasks, now: datetime) -> bool:
    """`figures` are of the local day of `now` (the window starts at its local midnight, as
    `tray_text.tasks_line` judges the menu's listing) and end by `now` (give or take the
    cache's clock skew)."""
    start, _end = today_window(now)
    return figures.start == start and start <= figures.end <= now + CLOCK_SKEW


def from_json(value: object, now: datetime) -> TodayTasks | None:
    """The cache's `tasks_today` when it is whole and of the local day of `now`; None when
    absent (a cache of an earlier release), of another day or damaged: a status that is not
    one of `TasksStatus`, instants that are not the app's, an OK count that is not a whole
    number from 0 to `tasks.MAX_ROWS`, OK credits that are not a number from 0 to
    `limits.MAX_MAGNITUDE` (no bool, NaN or infinity). Figures beside another status are
    dropped. Never raises."""
    if not isinstance(value, dict):
        return None
    try:
        status = TasksStatus(str(value.get("status")))
    except ValueError:  # not one of its values
        return None
    start, end = stored_instant(value.get("from")), stored_instant(value.get("to"))
    if start is None or end is None:
        return None
    figures = TodayTasks(status, start, end)
    if status is TasksStatus.OK:
        count, credits = value.get("count"), value.get("neo_credits")
        if type(count) is not int or not 0 <= count <= MAX_ROWS:
            return None
        if not is_json_number(credits) or not isinstance(credits, int | float) or credits < 0:
            return None
        figures = figures._replace(task_count=count, neo_credits=float(credits))
    return figures if is_today(figures, now) else None
