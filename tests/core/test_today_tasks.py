"""Today's task ledger's figures as the tray's cache keeps them (`core/today_tasks.py`): made from
a listing, written and read back; read only for the local day they are of (time zones too), and
damaged ones are none, never an exception."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desktop.core import today_tasks
from desktop.core.tasks import MAX_ROWS, TaskListing, TaskRow, TasksStatus, today_window
from desktop.core.today_tasks import TodayTasks
from tests.zones import local_zone

NOW = datetime(2026, 11, 29, 15, 30, 12, 250_000, tzinfo=UTC)


def row(task_id: str, credits: float | None) -> TaskRow:
    return TaskRow(task_id, NOW - timedelta(hours=1), status="done", neo_credits=credits)


def stored(**changes: Any) -> dict[str, Any]:
    """Today's figures as the session writes them in the UTC zone, with `changes`."""
    start = datetime(2026, 11, 29, tzinfo=UTC)
    data = TodayTasks(TasksStatus.OK, start, NOW - timedelta(minutes=3), 7, 42.5).to_json()
    return {**data, **changes}


def test_a_listing_gives_its_figures_and_they_read_back() -> None:
    with local_zone("UTC"):
        start, end = today_window(NOW)
        listing = TaskListing(
            TasksStatus.OK, start, end, (row("a", 18.2), row("b", None), row("c", 0.1)), 3
        )
        figures = today_tasks.of_listing(listing)
        assert figures == TodayTasks(TasksStatus.OK, start, end, 3, 18.3)
        assert figures.to_json() == {
            "status": "ok",
            "from": "2026-11-29T00:00:00Z",
            "to": "2026-11-29T15:30:12.250000Z",
            "count": 3,
            "neo_credits": 18.3,
        }
        assert today_tasks.from_json(figures.to_json(), NOW) == figures


@pytest.mark.parametrize("status", [TasksStatus.FORBIDDEN, TasksStatus.UNAVAILABLE])
def test_a_refused_or_failed_listing_keeps_its_status_without_figures(status: TasksStatus) -> None:
    with local_zone("UTC"):
        start, end = today_window(NOW)
        figures = today_tasks.of_listing(TaskListing(status, start, end))
        assert (figures.task_count, figures.neo_credits) == (None, None)
        assert figures.to_json()["count"] is None
        assert today_tasks.from_json(figures.to_json(), NOW) == figures
        # Figures beside a status without them are dropped, not believed.
        said = {**figures.to_json(), "count": 3, "neo_credits": 1.5}
        assert today_tasks.from_json(said, NOW) == figures


@pytest.mark.parametrize(
    "value",
    [
        None,  # a cache of the release before: no `tasks_today`
        "ok",
        [stored()],
        stored(status="done"),
        stored(status=None),
        stored(status=["ok"]),
        stored(**{"from": None}),
        stored(**{"from": "2026-11-29T00:00:00"}),  # no zone: not the app's
        stored(**{"from": "0001-01-01T00:00:00+01:00"}),
        stored(to="soon"),
        stored(count=None),
        stored(count=-1),
        stored(count=2.0),
        stored(count=True),
        stored(count=MAX_ROWS + 1),
        stored(count="7"),
        stored(neo_credits=None),
        stored(neo_credits=-0.5),
        stored(neo_credits=float("nan")),
        stored(neo_credits=float("inf")),
        stored(neo_credits=10**16),
        stored(neo_credits=True),
        stored(neo_credits="42.5"),
    ],
)
def test_damaged_figures_are_none(value: object) -> None:
    with local_zone("UTC"):
        assert today_tasks.from_json(value, NOW) is None


def test_figures_are_read_on_their_local_day_only() -> None:
    with local_zone("UTC"):
        assert today_tasks.from_json(stored(), NOW) is not None
        yesterday = today_window(NOW - timedelta(days=1))
        old = TodayTasks(TasksStatus.OK, *yesterday, 3, 1.0).to_json()
        assert today_tasks.from_json(old, NOW) is None
        # A window not starting at local midnight, or ending before it starts or ahead of now.
        for changed in (
            {"from": "2026-11-29T00:00:01Z"},
            {"to": "2026-11-28T23:59:59Z"},
            {"to": (NOW + timedelta(minutes=5)).isoformat()},
        ):
            assert today_tasks.from_json(stored(**changed), NOW) is None, changed
        # Within the cache's clock skew: kept.
        ahead = stored(to=(NOW + timedelta(minutes=1)).isoformat())
        assert today_tasks.from_json(ahead, NOW) is not None
    # The same file read in Berlin: its UTC midnight is not the local one.
    with local_zone("Europe/Berlin"):
        assert today_tasks.from_json(stored(), NOW) is None
        berlin = today_window(NOW)
        assert berlin[0] == datetime(2026, 11, 28, 23, tzinfo=UTC)
        figures = TodayTasks(TasksStatus.OK, *berlin, 2, 3.0)
        assert today_tasks.from_json(figures.to_json(), NOW) == figures
        # After local midnight (23:30 UTC is 00:30 in Berlin) the day is another one.
        assert (
            today_tasks.from_json(figures.to_json(), datetime(2026, 11, 29, 23, 30, tzinfo=UTC))
            is None
        )
