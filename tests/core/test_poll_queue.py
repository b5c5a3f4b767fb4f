"""The poller's decisions as a pure state machine: no thread, no server, no timer.

Each row drives a `PollQueue` through answers and asks, and reads what it would send next and
what it arms; the clocks are lists the rows move by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desktop.core.errors import ErrorKind
from desktop.core.forecast import window_query
from desktop.core.models import parse_summary
from desktop.core.poll_queue import MAX_PENDING_RANGES, Channel, Hold, PollQueue, Request
from desktop.core.presentation import RefreshNote, RefreshRefusal
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.schedule import PollSchedule
from desktop.core.snapshot import PollError, Snapshot

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MAIN = UsageQuery()
WEEK = UsageQuery(None, None, GroupBy.WEEK)
MONTH = UsageQuery(None, None, GroupBy.MONTH)


def good(
    issued: float | None = 1000,
    reset: str = "2026-11-01T00:00:00Z",
    available: float = 500,
    expires: str = "2027-03-01T00:00:00Z",
) -> Snapshot:
    body: dict[str, Any] = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 0,
        "total_tasks": 0,
        "total_available_neo_credits": available,
        "last_credit_reset": reset,
        "neo_credits_expires_at": expires,
    }
    if issued is not None:  # None: the API left it out
        body["total_issued_neo_credits"] = issued
    return Snapshot(parse_summary(json.dumps(body)), T0)


def bad(kind: ErrorKind = ErrorKind.OFFLINE, retry_after: float | None = None) -> PollError:
    return PollError(kind, "It failed.", T0, retry_after)


@dataclass
class Run:
    """A queue with hand-moved clocks, and what it sent."""

    interval: float | None = 300
    forecast: float | None = None
    cooldown: float = 10
    mono: list[float] = field(default_factory=lambda: [1000.0])
    wall: list[datetime] = field(default_factory=lambda: [T0])
    sent: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.queue = PollQueue(
            PollSchedule(self.interval, lambda: 0.5),
            clock=lambda: self.wall[0],
            monotonic=lambda: self.mono[0],
            cooldown_seconds=self.cooldown,
            forecast_seconds=self.forecast,
        )

    def send(self) -> Request | Hold | None:
        step = self.queue.next_request()
        if isinstance(step, Request):
            self.sent.append(step)
        return step

    def answer(self, result: Snapshot | PollError) -> Channel:
        """Answer what is in flight, and send what follows."""
        request = self.queue.in_flight
        assert request is not None
        finished = self.queue.finish(request.request_id, result)
        assert finished is not None
        self.send()
        return finished.channel

    def later(self, seconds: float) -> None:
        self.mono[0] += seconds
        self.wall[0] += timedelta(seconds=seconds)

    @property
    def channels(self) -> list[tuple[Channel, object]]:
        return [(request.channel, request.query) for request in self.sent]


def held_until(run: Run) -> datetime | None:
    return run.queue.held_until


def started(**fields: Any) -> Run:
    run = Run(**fields)
    run.queue.start()
    run.send()
    return run


# --- what goes next ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("asks", "expected"),
    [
        ([], [(Channel.MAIN, MAIN)]),
        (["range"], [(Channel.MAIN, MAIN), (Channel.RANGE, WEEK)]),
        (["range", "range"], [(Channel.MAIN, MAIN), (Channel.RANGE, WEEK)]),  # one answer serves
        (["main", "range"], [(Channel.MAIN, MAIN), (Channel.RANGE, WEEK)]),  # one main poll
    ],
)
def test_one_request_at_a_time_the_main_poll_first(
    asks: list[str], expected: list[tuple[Channel, UsageQuery]]
) -> None:
    run = started()
    for ask in asks:  # while the first poll is in flight
        run.queue.ask_range(WEEK) if ask == "range" else run.queue.ask_main()
        assert run.send() is None
    while run.queue.busy:
        run.answer(good())
    assert run.channels == expected


def test_a_poll_asked_during_a_range_fetch_follows_it() -> None:
    run = started()
    run.queue.ask_range(WEEK)
    run.answer(good())  # the range goes
    run.queue.ask_main()
    run.send()
    run.answer(good())
    assert run.channels == [(Channel.MAIN, MAIN), (Channel.RANGE, WEEK), (Channel.MAIN, MAIN)]


def test_a_range_asked_before_the_start_follows_the_first_poll() -> None:
    run = Run()
    run.queue.ask_range(WEEK)
    assert run.send() is None
    run.queue.start()
    run.send()
    run.answer(good())
    assert run.channels == [(Channel.MAIN, MAIN), (Channel.RANGE, WEEK)]


def test_old_ranges_nobody_waits_for_are_dropped() -> None:
    run = started()
    queries = [UsageQuery(T0 - timedelta(days=day), None, GroupBy.DAY) for day in range(6)]
    for query in queries:
        run.queue.ask_range(query)
    while run.queue.busy:
        run.answer(good())
    assert [query for _channel, query in run.channels[1:]] == queries[-MAX_PENDING_RANGES:]


def test_a_stale_answer_is_ignored() -> None:
    run = started()
    request = run.queue.in_flight
    assert request is not None
    assert run.queue.finish(request.request_id + 1, good()) is None
    assert run.queue.busy


# --- what an answer triggers ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("answers", "next_delay", "blocked"),
    [
        ([good()], 300, False),
        ([bad()], 30, False),  # backoff, jitter pinned to the middle
        ([bad(), bad()], 60, False),
        ([bad(ErrorKind.RATE_LIMITED, retry_after=120)], 120, False),  # the server's word wins
        ([bad(ErrorKind.AUTH_REJECTED)], None, True),  # only the user can fix it
        ([bad(ErrorKind.NO_TOKEN)], None, True),
        ([bad(), good()], 300, False),
    ],
)
def test_a_main_answer_arms_the_next_poll(
    answers: list[Snapshot | PollError], next_delay: float | None, blocked: bool
) -> None:
    run = started()
    for index, result in enumerate(answers):
        if index:
            run.queue.ask_main()
            run.send()
        run.answer(result)
    assert run.queue.next_delay == next_delay
    assert run.queue.armed_delay == next_delay
    assert run.queue.blocked is blocked


@pytest.mark.parametrize(
    ("result", "failed", "blocked"),
    [
        (good(), False, False),
        (bad(), False, False),  # said on the range only: no backoff of the main poll
        (bad(ErrorKind.AUTH_REJECTED), True, True),  # wrong for every fetch
    ],
)
def test_what_a_range_answer_triggers(
    result: Snapshot | PollError, failed: bool, blocked: bool
) -> None:
    run = started()
    run.answer(good())
    run.queue.ask_range(WEEK)
    run.queue.ask_range(MONTH)
    run.send()
    request = run.queue.in_flight
    assert request is not None
    finished = run.queue.finish(request.request_id, result)
    assert finished is not None
    assert (finished.channel, finished.result, finished.failed) == (Channel.RANGE, result, failed)
    assert run.queue.blocked is blocked
    assert run.queue.schedule.failures == 0
    # A block drops what waits; otherwise the next range goes.
    following = run.send()
    assert (following is None) is blocked


def test_a_block_ends_with_a_refresh_or_new_settings() -> None:
    run = started()
    run.answer(bad(ErrorKind.AUTH_REJECTED))
    run.queue.ask_range(WEEK)
    assert run.send() is None  # nothing goes while the token is wrong
    run.queue.reconfigure()
    assert isinstance(run.send(), Request)
    assert not run.queue.blocked


# --- Retry-After holds every request of the account -------------------------------------------
def test_retry_after_holds_every_channel_and_pushes_the_main_poll() -> None:
    run = started()
    run.answer(good())
    assert run.queue.armed_delay == 300
    run.queue.ask_range(WEEK)
    run.send()
    run.answer(bad(ErrorKind.RATE_LIMITED, retry_after=600))
    assert run.queue.next_delay == 600  # the main poll waits past the server's word
    run.queue.ask_main()
    run.queue.ask_range(MONTH)
    assert run.send() == Hold(600)
    assert held_until(run) == T0 + timedelta(seconds=600)
    run.later(599)
    step = run.send()
    assert isinstance(step, Hold)
    assert step.seconds == pytest.approx(1)
    run.later(1)
    assert held_until(run) is None
    run.send()
    run.answer(good())
    assert run.channels[-2:] == [(Channel.MAIN, MAIN), (Channel.RANGE, MONTH)]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("busy", False),
        ("held", RefreshNote(RefreshRefusal.RATE_LIMITED, T0 + timedelta(seconds=120))),
        ("just refreshed", RefreshNote(RefreshRefusal.JUST_REFRESHED, T0 + timedelta(seconds=7))),
        ("idle", True),
    ],
)
def test_refresh_now(state: str, expected: bool | RefreshNote) -> None:
    run = started()
    if state != "busy":
        failure = bad(ErrorKind.RATE_LIMITED, retry_after=120) if state == "held" else None
        run.answer(failure or good())
    if state == "just refreshed":
        assert run.queue.refresh() is True
        run.send()
        run.answer(good())
        run.mono[0] += 3
    assert run.queue.refresh() == expected


# --- the forecast ------------------------------------------------------------------------------
def test_the_forecast_is_due_once_an_interval_after_a_good_poll() -> None:
    run = started(forecast=3600)
    run.answer(good())
    assert run.channels[-1] == (Channel.FORECAST, window_query(T0))
    run.answer(good())
    run.queue.ask_main()
    run.send()
    run.answer(good())
    assert [channel for channel, _query in run.channels].count(Channel.FORECAST) == 1
    run.later(3601)
    run.queue.ask_main()
    run.send()
    run.answer(good())
    assert run.channels[-1][0] is Channel.FORECAST


@pytest.mark.parametrize(
    ("second", "again"),
    [
        (good(), False),
        (good(available=400), False),  # credits used
        (good(issued=2000, available=1500), True),  # a top-up
        (good(reset="2026-11-20T00:00:00Z", available=1000), True),  # a reset: credits back
        (good(reset="2026-11-20T00:00:00Z", expires="2027-04-01T00:00:00Z"), True),  # new expiry
        # The rules' credit epoch, not a pair of its own: a reset time that moved by less than
        # RESET_JITTER, a figure the API left out, or a reset that brought nothing back is the
        # same epoch, so the window is not fetched again.
        (good(reset="2026-11-01T00:03:00Z"), False),
        (good(reset="2026-11-01T00:00:00.250Z"), False),
        (good(issued=None), False),
        (good(reset="2026-11-20T00:00:00Z"), False),
    ],
)
def test_the_forecast_is_refetched_on_the_rules_credit_epoch(second: Snapshot, again: bool) -> None:
    run = started(forecast=3600)
    run.answer(good())
    run.answer(good())  # the forecast's window
    run.queue.ask_main()
    run.send()
    run.answer(second)
    assert (run.channels[-1][0] is Channel.FORECAST) is again


def test_a_failed_forecast_is_tried_again_after_a_quarter_and_never_backs_off() -> None:
    run = started(forecast=3600)
    run.answer(good())
    assert run.answer(bad()) is Channel.FORECAST
    assert run.queue.next_delay == 300
    assert run.queue.schedule.failures == 0
    run.later(900)
    run.queue.ask_main()
    run.send()
    run.answer(good())
    assert run.channels[-1][0] is Channel.FORECAST


# --- pause, interval, time --------------------------------------------------------------------
def test_paused_sends_no_main_poll_and_disarms() -> None:
    run = started()
    run.answer(good())
    run.queue.set_paused(True)
    assert (run.queue.armed_delay, run.queue.next_delay) == (None, None)
    run.queue.ask_main()
    assert run.send() is None
    run.queue.set_paused(False)
    assert isinstance(run.send(), Request)


@pytest.mark.parametrize(("interval", "armed"), [(600, 600), (None, None)])
def test_a_new_interval_is_armed_at_once(interval: float | None, armed: float | None) -> None:
    run = started()
    run.answer(good())
    arms = run.queue.arms
    run.queue.set_interval(interval)
    assert run.queue.armed_delay == armed
    assert run.queue.arms == arms + 1  # the timer restarts


@pytest.mark.parametrize(
    ("wall_seconds", "mono_seconds", "jumped"),
    [(60, 60, False), (8 * 3600, 0, True), (100, 0, False), (121, 0, True)],
)
def test_a_clock_jump_is_a_suspend(wall_seconds: float, mono_seconds: float, jumped: bool) -> None:
    run = Run()
    run.wall[0] += timedelta(seconds=wall_seconds)
    run.mono[0] += mono_seconds
    assert run.queue.clock_jumped() is jumped


@pytest.mark.parametrize(
    ("age", "old"), [(timedelta(minutes=4), False), (timedelta(minutes=5), True)]
)
def test_the_menu_fetches_only_data_older_than_the_interval(age: timedelta, old: bool) -> None:
    run = started()
    run.answer(good())
    run.wall[0] = T0 + age
    assert run.queue.data_is_old() is old
