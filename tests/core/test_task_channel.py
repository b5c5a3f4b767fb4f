"""The poll queue's task channel, without a thread, a server or a timer: today's listing after a
good poll (at most once per interval, never more often than every 5 minutes, never while the
account backs off or is held), windows asked for, each page its own request after the main poll,
the forecast and the ranges, and a failure that stays the listing's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desktop.core.errors import ErrorKind
from desktop.core.poll_queue import Channel, Hold, PollQueue, Request
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.schedule import PollSchedule
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.task_channel import (
    TASKS_MIN_SECONDS,
    PageFailure,
    PageTrouble,
    TaskPageQuery,
)
from desktop.core.tasks import TaskListing, TaskRow, TasksPage, TasksStatus, today_window
from tests.core.test_poll_queue import T0, bad, good

WEEK = UsageQuery(None, None, GroupBy.WEEK)
WINDOW = (T0 - timedelta(days=7), T0)
OTHER_WINDOW = (T0 - timedelta(days=30), T0)


def page(count: int, first: int = 0, *, more: bool = False, total: int | None = None) -> TasksPage:
    rows = tuple(
        TaskRow(f"t{index}", T0 - timedelta(minutes=index), neo_credits=float(index))
        for index in range(first, first + count)
    )
    return TasksPage(rows, more, total)


def failure(trouble: PageTrouble, retry_after: float | None = None) -> PageFailure:
    return PageFailure(trouble, T0, retry_after)


@dataclass
class Run:
    """A queue with hand-moved clocks and today's tasks on; what it sent and what ended."""

    interval: float | None = 60
    forecast: float | None = None
    today: bool = True

    def __post_init__(self) -> None:
        self.mono = [1000.0]
        self.wall = [T0]
        self.sent: list[Request] = []
        self.today_listings: list[TaskListing] = []
        self.window_listings: list[TaskListing] = []
        self.queue = PollQueue(
            PollSchedule(self.interval, lambda: 0.5),
            clock=lambda: self.wall[0],
            monotonic=lambda: self.mono[0],
            cooldown_seconds=0,
            forecast_seconds=self.forecast,
            today_tasks=self.today,
        )
        self.queue.start()
        self.send()

    def send(self) -> Request | Hold | None:
        step = self.queue.next_request()
        if isinstance(step, Request):
            self.sent.append(step)
        return step

    def answer(self, result: Any) -> Channel:
        request = self.queue.in_flight
        assert request is not None
        finished = self.queue.finish(request.request_id, result)
        assert finished is not None
        assert not (finished.channel is Channel.TASKS and finished.failed)
        if finished.today_tasks is not None:
            self.today_listings.append(finished.today_tasks)
        self.window_listings.extend(finished.window_tasks)
        self.send()
        return finished.channel

    def poll(self, result: Snapshot | PollError) -> None:
        """A main poll (the timer's), answered."""
        self.queue.ask_main()
        self.send()
        assert self.queue.in_flight is not None
        assert self.queue.in_flight.channel is Channel.MAIN
        self.answer(result)

    def later(self, seconds: float) -> None:
        self.mono[0] += seconds
        self.wall[0] += timedelta(seconds=seconds)

    @property
    def in_flight(self) -> Request | None:
        return self.queue.in_flight

    def pages_sent(self) -> list[TaskPageQuery]:
        return [r.query for r in self.sent if isinstance(r.query, TaskPageQuery)]


def channel(run: Run) -> Channel | None:
    """The channel of the request in flight; None: nothing is."""
    return run.in_flight.channel if run.in_flight is not None else None


def test_todays_tasks_follow_a_good_poll_page_after_page() -> None:
    run = Run()
    run.answer(good())
    request = run.in_flight
    assert request is not None
    assert request.channel is Channel.TASKS
    start, end = today_window(T0)
    assert request.query == TaskPageQuery(start, end, 200, 0)
    run.answer(page(200, more=True, total=450))
    assert run.pages_sent()[-1] == TaskPageQuery(start, end, 200, 200)
    run.answer(page(200, 200, more=True, total=450))
    assert run.today_listings == []
    run.answer(page(50, 400, total=450))
    assert run.in_flight is None
    (listing,) = run.today_listings
    assert (listing.status, listing.count, listing.total, listing.truncated) == (
        TasksStatus.OK,
        450,
        450,
        False,
    )
    assert (listing.start, listing.end) == (start, end)
    assert listing.rows[0].task_id == "t449"  # sorted by credits
    assert run.window_listings == []


def test_without_todays_tasks_nothing_follows_the_poll() -> None:
    run = Run(today=False)
    run.answer(good())
    assert run.in_flight is None


@pytest.mark.parametrize(
    ("interval", "seconds", "again"),
    [
        (60, 299, False),  # a 1-minute interval: still at most every 5 minutes
        (60, 300, True),
        (900, 600, False),  # a 15-minute interval: at most once an interval
        (900, 900, True),
        (None, 299, False),  # manual polls: every 5 minutes at most
        (None, 300, True),
    ],
)
def test_todays_tasks_at_most_once_per_interval_and_never_more_often_than_5_minutes(
    interval: float | None, seconds: float, again: bool
) -> None:
    run = Run(interval=interval)
    run.answer(good())
    run.answer(page(3))
    run.later(seconds)
    run.poll(good())
    assert (run.in_flight is not None) is again
    assert TASKS_MIN_SECONDS == 300


def test_a_page_waits_for_the_main_poll_the_forecast_and_ranges() -> None:
    run = Run(forecast=3600)
    run.queue.ask_range(WEEK)
    run.answer(good())
    assert channel(run) is Channel.FORECAST
    run.queue.ask_main()  # while the forecast is in flight
    run.answer(good())
    assert channel(run) is Channel.MAIN
    run.answer(good())
    assert channel(run) is Channel.RANGE
    run.answer(good())
    assert channel(run) is Channel.TASKS
    run.queue.ask_main()  # between two pages, the main poll goes first
    run.answer(page(200, more=True))
    assert channel(run) is Channel.MAIN
    run.answer(good())
    assert channel(run) is Channel.TASKS
    assert run.pages_sent()[-1].offset == 200
    run.answer(page(1, 200))
    assert [listing.count for listing in run.today_listings] == [201]


@pytest.mark.parametrize(
    ("trouble", "status"),
    [
        (PageTrouble.FORBIDDEN, TasksStatus.FORBIDDEN),
        (PageTrouble.UNAVAILABLE, TasksStatus.UNAVAILABLE),
    ],
)
def test_a_failed_page_ends_the_listing_never_the_account(
    trouble: PageTrouble, status: TasksStatus
) -> None:
    run = Run()
    run.answer(good())
    run.answer(page(200, more=True))
    assert run.answer(failure(trouble)) is Channel.TASKS
    (listing,) = run.today_listings
    assert (listing.status, listing.rows, listing.total) == (status, (), None)
    assert not run.queue.blocked
    assert run.queue.schedule.failures == 0
    assert run.queue.armed_delay == 60  # the main poll's timer is untouched
    assert run.in_flight is None


def test_a_page_too_large_is_asked_again_smaller_at_the_same_offset() -> None:
    run = Run()
    run.answer(good())
    run.answer(page(200, more=True))
    run.answer(failure(PageTrouble.TOO_LARGE))
    run.answer(failure(PageTrouble.TOO_LARGE))
    assert [(q.limit, q.offset) for q in run.pages_sent()] == [
        (200, 0),
        (200, 200),
        (50, 200),
        (10, 200),
    ]
    run.answer(failure(PageTrouble.TOO_LARGE))  # too large even at 10 rows: what arrived, truncated
    (listing,) = run.today_listings
    assert (listing.status, listing.count, listing.truncated) == (TasksStatus.OK, 200, True)


def test_too_large_at_10_rows_before_any_page_is_unavailable() -> None:
    run = Run()
    run.answer(good())
    for _ in range(3):
        run.answer(failure(PageTrouble.TOO_LARGE))
    assert [listing.status for listing in run.today_listings] == [TasksStatus.UNAVAILABLE]


def test_the_cap_truncates_at_5000_rows() -> None:
    run = Run()
    run.answer(good())
    for first in range(0, 5000, 200):
        run.answer(page(200, first, more=True, total=9000))
    (listing,) = run.today_listings
    assert (listing.count, listing.total, listing.truncated) == (5000, 9000, True)
    assert len(run.pages_sent()) == 25


def test_retry_after_on_a_page_holds_every_channel_and_ends_the_listing() -> None:
    run = Run()
    run.answer(good())
    run.answer(failure(PageTrouble.UNAVAILABLE, retry_after=600))
    assert [listing.status for listing in run.today_listings] == [TasksStatus.UNAVAILABLE]
    assert run.queue.next_delay == 600  # the main poll waits past the server's word
    run.queue.ask_main()
    run.queue.ask_tasks(*WINDOW)
    assert run.send() == Hold(600)
    run.later(600)
    run.send()
    assert channel(run) is Channel.MAIN


def test_a_held_account_sends_no_page() -> None:
    run = Run()
    run.answer(bad(ErrorKind.RATE_LIMITED, retry_after=120))
    run.queue.ask_tasks(*WINDOW)
    assert isinstance(run.send(), Hold)


def test_never_while_the_account_backs_off() -> None:
    run = Run()
    run.answer(bad())  # the first poll failed: backoff, no tasks
    assert run.in_flight is None
    run.later(400)
    run.poll(bad())
    assert run.in_flight is None
    run.poll(good())  # the backoff ends with a good poll: today's tasks go
    assert channel(run) is Channel.TASKS


def test_a_failed_poll_between_pages_stops_todays_listing() -> None:
    run = Run()
    run.answer(good())
    run.queue.ask_main()
    run.answer(page(200, more=True))
    run.answer(bad())  # the main poll failed: the account backs off
    assert run.in_flight is None
    assert run.today_listings == []  # the last listing (none here) is kept


def test_a_window_is_fetched_and_named_and_goes_before_todays() -> None:
    run = Run()
    run.queue.ask_tasks(*WINDOW)
    run.queue.ask_tasks(*WINDOW)  # one answer serves both
    run.answer(good())
    assert run.in_flight is not None
    assert run.in_flight.query == TaskPageQuery(*WINDOW, 200, 0)
    run.queue.ask_tasks(*WINDOW)  # under way: its answer serves
    run.answer(page(2))
    (listing,) = run.window_listings
    assert ((listing.start, listing.end), listing.count) == (WINDOW, 2)
    assert run.in_flight is not None
    assert run.in_flight.query == TaskPageQuery(*today_window(T0), 200, 0)
    run.answer(page(1))
    assert len(run.today_listings) == 1
    assert len(run.window_listings) == 1


def test_windows_go_in_order_and_a_failed_poll_does_not_stop_them() -> None:
    run = Run(today=False)
    run.answer(good())
    run.queue.ask_tasks(*WINDOW)
    run.queue.ask_tasks(*OTHER_WINDOW)
    run.send()
    run.queue.ask_main()
    run.answer(page(1))
    run.answer(bad())  # the account backs off; the window the user asked for still goes
    assert channel(run) is Channel.TASKS
    run.answer(page(3))
    assert [(listing.start, listing.end) for listing in run.window_listings] == [
        WINDOW,
        OTHER_WINDOW,
    ]


def test_a_block_answers_the_windows_unavailable_and_drops_todays() -> None:
    run = Run()
    run.queue.ask_tasks(*WINDOW)
    run.queue.ask_tasks(*OTHER_WINDOW)
    run.answer(good())
    run.queue.ask_main()
    run.answer(page(200, more=True))  # the first window is under way
    run.answer(bad(ErrorKind.AUTH_REJECTED))
    assert run.queue.blocked
    assert [(lst.status, (lst.start, lst.end)) for lst in run.window_listings] == [
        (TasksStatus.UNAVAILABLE, WINDOW),
        (TasksStatus.UNAVAILABLE, OTHER_WINDOW),
    ]
    assert run.today_listings == []
    assert run.send() is None
    answer = run.queue.ask_tasks(*WINDOW)  # asked while blocked: answered at once
    assert answer == TaskListing(TasksStatus.UNAVAILABLE, *WINDOW)


def test_a_stale_page_answer_is_ignored_and_a_restart_asks_the_page_again() -> None:
    run = Run()
    run.answer(good())
    request = run.in_flight
    assert request is not None
    run.queue.stop()
    assert run.queue.finish(request.request_id, page(5)) is None
    run.queue.start()
    run.send()
    run.answer(good())
    assert run.pages_sent()[-1] == request.query


def test_todays_window_is_the_local_day_at_the_first_page() -> None:
    run = Run()
    run.wall[0] = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    run.answer(good())
    query = run.in_flight.query if run.in_flight else None
    assert isinstance(query, TaskPageQuery)
    assert (query.start, query.end) == today_window(run.wall[0])


def test_a_server_ignoring_offsets_ends_today_s_listing_after_two_pages() -> None:
    run = Run()
    run.answer(good())
    run.answer(page(3, more=True, total=3))
    assert run.today_listings == []
    run.answer(page(3, more=True, total=3))  # the same rows again: nothing new
    (listing,) = run.today_listings
    assert (listing.status, listing.count, listing.truncated) == (TasksStatus.OK, 3, True)
    assert len(run.pages_sent()) == 2
    assert run.in_flight is None


def test_a_page_ignoring_limit_keeps_5000_rows_in_the_tray_too() -> None:
    run = Run()
    run.answer(good())
    run.answer(page(6000, more=False, total=6000))
    (listing,) = run.today_listings
    assert (listing.count, listing.total, listing.truncated) == (5000, 6000, True)
