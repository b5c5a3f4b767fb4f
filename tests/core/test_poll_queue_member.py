"""The poll queue in member mode (issue 28) and its fifth channel, an admin's summary of today.

Tables as in `test_poll_queue.py`: a queue with hand-moved clocks, answered by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from desktop.core.errors import ErrorKind
from desktop.core.forecast import window_query
from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
from desktop.core.models import parse_summary
from desktop.core.poll_queue import Channel, Hold, PollQueue, Request
from desktop.core.radar import today_query
from desktop.core.schedule import PollSchedule
from desktop.core.snapshot import Snapshot
from tests.core.test_poll_queue import MAIN, T0, WEEK, Run, bad, good

TEAM = [{"email": "maya@acme.test", "neo_credits": 40.0, "tasks": 3}]


def admin() -> Snapshot:
    """A good summary with `by_email`: a team admin's."""
    body: dict[str, Any] = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 40,
        "total_tasks": 3,
        "total_available_neo_credits": 500,
        "total_issued_neo_credits": 1000,
        "by_email": TEAM,
    }
    return Snapshot(parse_summary(json.dumps(body)), T0)


def member(remaining: float = 32.0) -> MemberSnapshot:
    profile = MemberProfile(
        "bo@acme.test", "Acme Sec", MemberCap(75.0, 75 - remaining, remaining), True
    )
    return MemberSnapshot(profile, T0)


@dataclass
class TeamRun(Run):
    """A queue that fetches today's team summary (as the tray's sessions do)."""

    team_today: bool = True

    def __post_init__(self) -> None:
        self.queue = PollQueue(
            PollSchedule(self.interval, lambda: 0.5),
            clock=lambda: self.wall[0],
            monotonic=lambda: self.mono[0],
            cooldown_seconds=self.cooldown,
            forecast_seconds=self.forecast,
            team_today=self.team_today,
        )

    def answer(self, result: Any) -> Channel:
        return super().answer(result)

    def poll(self, result: Any) -> None:
        """The main timer fires and the main poll is answered with `result`."""
        self.queue.ask_main()
        self.send()
        self.answer(result)

    def kinds(self) -> list[Channel]:
        return [channel for channel, _query in self.channels]


def started(**fields: Any) -> TeamRun:
    run = TeamRun(**fields)
    run.queue.start()
    run.send()
    return run


# --- member mode ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("answers", "next_delay", "member", "blocked"),
    [
        ([member()], 300, True, False),  # a good answer: the interval, never blocked
        ([member(), member()], 300, True, False),
        ([member(), good()], 300, False, False),  # a 200 from the summary ends member mode
        ([member(), bad()], 30, True, False),  # a passing failure backs off, mode kept
        ([member(), bad(), member()], 300, True, False),  # and a member answer ends the backoff
        # A 403 without a cap (or no team) ends member mode into "no permission": stops.
        ([member(), bad(ErrorKind.NO_PERMISSION)], None, False, True),
        ([member(), bad(ErrorKind.AUTH_REJECTED)], None, False, True),  # a /user 401: the 401
        ([member(), bad(ErrorKind.RATE_LIMITED, retry_after=900)], 900, True, False),
        ([member(), bad(), bad()], 60, True, False),  # /user keeps failing: backs off, kept
        ([member(), bad(), good()], 300, False, False),
    ],
)
def test_a_member_answer_keeps_polling_on_the_interval(
    answers: list[Any], next_delay: float | None, member: bool, blocked: bool
) -> None:
    run = started(forecast=3600)
    for index, result in enumerate(answers):
        if index:
            run.queue.ask_main()
            run.send()
        run.answer(result)
    assert (run.queue.next_delay, run.queue.armed_delay) == (next_delay, next_delay)
    assert (run.queue.member, run.queue.blocked) == (member, blocked)


# The worker learns member mode with each main request (it runs on another thread): a passing
# /user failure in member mode is that failure; before member mode, the 403 stops as it did.
@pytest.mark.parametrize(
    ("answers", "sent_in_member_mode"),
    [
        ([member()], True),
        ([member(), bad()], True),  # a passing failure (a /user 503, a timeout) keeps it
        ([member(), bad(ErrorKind.RATE_LIMITED, retry_after=60)], True),  # sent after the hold
        ([member(), bad(), bad()], True),
        ([member(), good()], False),  # a promotion: the summary answered
        ([member(), bad(ErrorKind.NO_PERMISSION)], False),  # no cap any more: "no permission"
        ([member(), bad(ErrorKind.AUTH_REJECTED)], False),
        ([bad()], False),
    ],
)
def test_a_main_request_says_whether_it_is_sent_in_member_mode(
    answers: list[Any], sent_in_member_mode: bool
) -> None:
    run = started(forecast=None)
    assert not run.sent[0].member  # the first poll: not yet a member
    for index, result in enumerate(answers):
        if index:
            run.later(3600)
            run.queue.refresh()  # "Refresh now" (also after a block)
            run.send()
        run.answer(result)
    run.later(3600)
    run.queue.refresh()
    step = run.send()
    assert isinstance(step, Request)
    assert step.channel is Channel.MAIN
    assert step.member is sent_in_member_mode


def test_only_the_main_poll_is_sent_in_member_mode() -> None:
    run = started()
    run.answer(member())
    run.queue.ask_range(WEEK)
    step = run.send()
    assert isinstance(step, Request)
    assert (step.channel, step.member) == (Channel.RANGE, False)


def test_member_mode_asks_the_summary_first_each_time_and_nothing_else() -> None:
    run = started(forecast=3600, interval=300)
    run.queue.tasks._today_enabled = True  # as a session's queue: today's tasks after good polls
    run.answer(member())
    for _ in range(3):
        run.later(300)
        run.poll(member())
    # Four polls, each the summary (the worker then asks /user): no forecast, no team summary,
    # no task pages.
    assert run.channels == [(Channel.MAIN, MAIN)] * 4
    # A promotion to admin: the summary answers, and what an admin's poll brings follows.
    run.later(300)
    run.poll(admin())
    assert run.kinds()[4:] == [Channel.MAIN, Channel.FORECAST]
    run.answer(good())  # the forecast's window
    assert run.kinds()[-1] is Channel.TEAM_TODAY
    assert not run.queue.member


def test_a_range_403_in_member_mode_is_the_range_own_failure() -> None:
    run = started()
    run.answer(member())
    run.queue.ask_range(WEEK)
    run.send()
    request = run.queue.in_flight
    assert request is not None
    assert request.channel is Channel.RANGE
    finished = run.queue.finish(request.request_id, bad(ErrorKind.NO_PERMISSION))
    assert finished is not None
    assert not finished.failed
    assert not run.queue.blocked
    assert run.queue.armed_delay == 300


def test_a_range_403_outside_member_mode_still_blocks() -> None:
    run = started()
    run.answer(good())
    run.queue.ask_range(WEEK)
    run.send()
    run.answer(bad(ErrorKind.NO_PERMISSION))
    assert run.queue.blocked


def test_a_reconfigure_ends_member_mode() -> None:
    run = started()
    run.answer(member())
    run.queue.reconfigure()
    assert not run.queue.member
    assert isinstance(run.send(), Request)


# --- today's team summary -------------------------------------------------------------------------
def test_team_today_follows_a_good_admin_poll_after_the_forecast() -> None:
    run = started(forecast=3600)
    run.answer(admin())
    run.answer(good())  # the forecast's window
    assert run.channels == [
        (Channel.MAIN, MAIN),
        (Channel.FORECAST, window_query(T0)),
        (Channel.TEAM_TODAY, today_query(T0)),
    ]
    assert run.queue.in_flight is not None
    finished = run.queue.finish(run.queue.in_flight.request_id, bad())
    assert finished is not None
    # Its failure is never the account's: no backoff, no block.
    assert (finished.channel, finished.failed) == (Channel.TEAM_TODAY, False)
    assert (run.queue.schedule.failures, run.queue.blocked) == (0, False)
    assert run.queue.armed_delay == 300


def test_no_team_today_without_by_email_or_when_off() -> None:
    solo = started()
    solo.answer(good())
    off = started(team_today=False)
    off.answer(admin())
    assert solo.kinds() == off.kinds() == [Channel.MAIN]


@pytest.mark.parametrize(
    ("interval", "polls_every", "expected"),
    [
        (300, 300, 3),  # every poll at the interval: each poll's
        (300, 100, 1),  # polls asked more often ("Refresh now", the menu): once per interval
        (600, 300, 2),
        (None, 300, 3),  # manual polling: after each good poll
    ],
)
def test_team_today_at_most_once_per_poll_interval(
    interval: float | None, polls_every: float, expected: int
) -> None:
    run = started(interval=interval)
    run.answer(admin())
    run.answer(admin())  # today's
    for _ in range(2):
        run.later(polls_every)
        run.poll(admin())
        while run.queue.busy:
            run.answer(admin())
    assert run.kinds().count(Channel.TEAM_TODAY) == expected


def test_team_today_is_held_by_retry_after() -> None:
    run = started()
    run.answer(admin())
    assert run.queue.in_flight is not None
    assert run.queue.in_flight.channel is Channel.TEAM_TODAY
    run.answer(bad(ErrorKind.RATE_LIMITED, retry_after=600))
    # The server's word holds every request of the account, the main poll's included.
    assert run.queue.next_delay == 600
    run.later(300)
    run.queue.ask_main()
    step = run.send()
    assert isinstance(step, Hold)
    run.later(300)
    run.poll(admin())
    assert run.kinds().count(Channel.TEAM_TODAY) == 2  # due again after an interval: sent


def test_team_today_never_while_the_account_backs_off() -> None:
    run = started(forecast=3600)
    run.answer(admin())
    # The main poll fails before today's went (asked again by the user meanwhile)...
    assert run.queue.in_flight is not None
    assert run.queue.in_flight.channel is Channel.FORECAST
    run.queue.ask_main()
    run.answer(good())  # the forecast; the main poll asked goes next
    run.answer(bad())
    # ...then nothing but main polls until one is good.
    assert run.send() is None
    assert run.kinds().count(Channel.TEAM_TODAY) == 0
    run.later(30)
    run.poll(bad())
    assert run.kinds()[-1] is Channel.MAIN
    run.later(60)
    run.poll(admin())
    assert run.kinds()[-1] is Channel.TEAM_TODAY


def test_team_today_never_while_blocked() -> None:
    run = started(forecast=3600)
    run.answer(admin())
    run.queue.ask_main()
    run.answer(good())  # the forecast
    run.answer(bad(ErrorKind.AUTH_REJECTED))
    assert run.send() is None
    assert Channel.TEAM_TODAY not in run.kinds()
