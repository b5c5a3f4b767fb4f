"""A simulated day against a faulty API, on a fast clock.

One account's session, built as the app builds it (its poller thread, state, notification rules
and cache), runs against the fake Neo API over loopback HTTP; the timer is simulated: whenever the
poller arms its next poll we jump the virtual clock by that delay and fire it. The API cycles
through every fault: 401, 403, 429 with Retry-After, 500, 502, slow, malformed, truncated,
unreachable (connection dropped).
"""

from __future__ import annotations

import gc
import itertools
import logging
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Signal

from desktop.core import presentation
from desktop.core.accounts import cache_key
from desktop.core.errors import ErrorKind
from desktop.core.redaction import MIN_FRAGMENT
from desktop.core.rules.catalogue import Rule
from desktop.core.rules.messages import Notification
from desktop.core.settings import Settings
from desktop.core.snapshot import PollError, Snapshot
from desktop.fakeapi import FakeNeoApi
from desktop.ui.fetch_worker import ClientConfig, open_client
from desktop.ui.session import AccountSession
from desktop.ui.state import AccountState

TOKEN = "soak-token-123456"
T0 = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
FAULTS = (
    "unauthorized",
    "forbidden",
    "rate_limited",
    "server_error",
    "bad_gateway",
    "slow",
    "malformed",
    "truncated",
    "disconnect",
    # Hostile answers (issue: hardening), mixed into the same day.
    "gzip_bomb",
    "encodings",
    "huge_values",
    "echo_token",
    "retry_month",
)
BLOCKING = {"unauthorized", "forbidden"}
RETRY_AFTER = 600
INTERVAL = 300.0
DAY_END = T0 + timedelta(hours=2 * len(FAULTS) + 2)  # every fault, then good service


def scenario_at(at: datetime) -> str:
    """An hour of good service, then an hour of one fault, for each fault; then good service."""
    hours = (at - T0).total_seconds() / 3600
    index, within = divmod(hours, 2)
    if index < len(FAULTS) and within >= 1:
        return FAULTS[int(index)]
    return "ok"


def window_end(at: datetime) -> datetime:
    hours = (at - T0).total_seconds() // 3600
    return T0 + timedelta(hours=hours + 1)


class VirtualClock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at

    def monotonic(self) -> float:
        """The day's seconds: the poller's holds (Retry-After) and cooldowns run on it too."""
        return (self.at - T0).total_seconds()


class RecordingNotifier(QObject):
    action_invoked = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Notification] = []

    def notify(self, note: Notification) -> None:
        self.sent.append(note)


@dataclass
class Request:
    at: datetime
    scenario: str
    ok: bool  # a snapshot came back
    kind: ErrorKind | None  # what failed, otherwise
    next_delay: float | None


@dataclass
class Day:
    requests: list[Request]
    fake_request_count: int
    notes: list[Notification]
    log_records: list[logging.LogRecord]
    memory_growth: int  # live Python blocks, 6 h to the day's end
    hourly_growth: list[int]  # live Python blocks each simulated hour after the sixth
    view_problems: list[str]


class Latest:
    """Keeps only the latest poll outcome and a count, so what the day retains is the app's."""

    def __init__(self) -> None:
        self.outcome: Snapshot | PollError | None = None
        self.count = 0

    def __call__(self, outcome: Snapshot | PollError) -> None:
        self.outcome = outcome
        self.count += 1


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def allocated_blocks() -> int:
    """Live Python memory blocks. (Not tracemalloc: its allocator hook crashes CPython 3.11 when
    Qt's poller thread takes the GIL, as seen in CI: traceback_new under PyGILState_Ensure.)"""
    gc.collect()
    return sys.getallocatedblocks()


def _view_problem(state: AccountState, outcome: Snapshot | PollError, at: datetime) -> str | None:
    if isinstance(outcome, Snapshot):
        return None
    view = state.view
    if view.snapshot is None:
        return f"{at}: the last good snapshot was lost"
    look = presentation.look(view, at)
    if outcome.kind in {ErrorKind.AUTH_REJECTED, ErrorKind.NO_PERMISSION}:
        return None if look.kind.value in {"auth_rejected", "no_permission"} else f"{at}: {look}"
    return None if view.stale and look.dimmed else f"{at}: not shown as stale: {look}"


def account_session(
    api: FakeNeoApi, clock: VirtualClock, notifier: RecordingNotifier
) -> AccountSession:
    """One account's session as the app builds it (poller, state, alerts, cache) on the day's
    clock, with a steady interval (no jitter)."""
    account = Settings().accounts[0].model_copy(update={"base_url": api.url})
    return AccountSession(
        account,
        ClientConfig(api.url, token=TOKEN),
        Settings(),
        cache_key=cache_key(account, {}, demo=False),
        interval_seconds=INTERVAL,
        forecast_seconds=None,  # one result per request: the forecast's window has its own tests
        today_tasks=False,  # and the task channel its own (tests/ui/test_poller_tasks.py)
        team_today=False,  # and today's team summary its own (test_poll_queue_member.py)
        notifier=notifier,
        clock=clock.now,
        client_factory=open_client,
        thread=None,
        monotonic=clock.monotonic,
        random_unit=lambda: 0.5,
    )


@pytest.fixture(scope="module")
def soak_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's files in a home of their own: the per-test home (tests/conftest.py) is
    not set up yet for a module's fixture."""
    home = tmp_path_factory.mktemp("soak")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
            patch.setenv(name, str(home / name.lower()))
        yield home


def summary_requests(api: FakeNeoApi, requests: list[Request]) -> int:
    """The requests the fake API had for the usage summary: a main poll's 403 asks
    `/api/v1/user` too (member mode), once, as part of that poll's one result."""
    user_requests = sum(1 for request in api.requests if request["path"] == "/api/v1/user")
    forbidden = sum(1 for request in requests if request.scenario == "forbidden")
    assert user_requests == forbidden, (user_requests, forbidden)
    return api.request_count - user_requests


@pytest.fixture(scope="module")
def day(qapp: object, soak_home: Path) -> Day:
    """Run the simulated day once; the tests below each check one property of it."""
    collector = _Collect()
    logging.getLogger("desktop").addHandler(collector)
    clock = VirtualClock()
    api = FakeNeoApi(
        token=TOKEN,
        clock=clock.now,
        live_task_interval=60,
        retry_after=str(RETRY_AFTER),
        slow_seconds=0.2,
    ).start()
    notifier = RecordingNotifier()
    session = account_session(api, clock, notifier)
    poller, state = session.poller, session.state
    latest = Latest()
    poller.snapshot_ready.connect(latest)
    poller.failed.connect(latest)
    requests: list[Request] = []
    problems: list[str] = []
    hourly: dict[int, int] = {}  # blocks at each simulated hour from the sixth

    def fire(action: object) -> None:
        api.scenario = scenario_at(clock.at)
        count = latest.count
        action()  # type: ignore[operator]
        deadline = time.monotonic() + 30
        while poller.busy and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if latest.count != count + 1:
            problems.append(f"{clock.at}: {latest.count - count} results for one request")
        outcome = latest.outcome
        assert outcome is not None
        kind = outcome.kind if isinstance(outcome, PollError) else None
        requests.append(Request(clock.at, api.scenario, kind is None, kind, poller.next_delay))
        problem = _view_problem(state, outcome, clock.at)
        if problem:
            problems.append(problem)

    try:
        fire(poller.start)
        while clock.at < DAY_END:
            delay = poller.next_delay
            if delay is None:  # 401/403: the user fixes it when the fault is over
                clock.at = window_end(clock.at)
                fire(poller.refresh_now)
                continue
            clock.at += timedelta(seconds=delay)
            fire(poller.poll_now)
            if clock.at >= T0 + timedelta(hours=6):
                hour = int((clock.at - T0).total_seconds() // 3600)
                if hour not in hourly:
                    hourly[hour] = allocated_blocks()
        hourly[-1] = allocated_blocks()  # the day's end, last in the dict's order
    finally:
        poller.stop()
        api.stop()
        logging.getLogger("desktop").removeHandler(collector)
    return Day(
        requests,
        summary_requests(api, requests),
        notifier.sent,
        collector.records,
        hourly[-1] - next(iter(hourly.values())),
        [later - earlier for earlier, later in itertools.pairwise(hourly.values())],
        problems,
    )


def _by_scenario(day: Day) -> dict[str, list[Request]]:
    found: dict[str, list[Request]] = {}
    for request in day.requests:
        found.setdefault(request.scenario, []).append(request)
    return found


def test_every_request_has_one_result_and_the_view_stays_right(day: Day) -> None:
    assert day.view_problems == []
    assert day.fake_request_count == len(day.requests)
    assert len(day.requests) > 200  # 288 at the interval, fewer while backing off


@pytest.mark.parametrize("fault", sorted(BLOCKING))
def test_auth_faults_are_not_retried_in_a_loop(day: Day, fault: str) -> None:
    seen = _by_scenario(day)[fault]
    assert len(seen) == 1
    assert seen[0].next_delay is None


def test_retry_after_is_obeyed(day: Day) -> None:
    seen = _by_scenario(day)["rate_limited"]
    gaps = [(b.at - a.at).total_seconds() for a, b in itertools.pairwise(seen)]
    assert gaps
    assert all(gap >= RETRY_AFTER for gap in gaps), gaps


@pytest.mark.parametrize(
    "fault",
    [
        "server_error",
        "bad_gateway",
        "malformed",
        "truncated",
        "disconnect",
        "gzip_bomb",
        "encodings",
        "echo_token",
    ],
)
def test_transient_faults_back_off(day: Day, fault: str) -> None:
    seen = _by_scenario(day)[fault]
    assert not any(r.ok for r in seen)
    gaps = [(b.at - a.at).total_seconds() for a, b in itertools.pairwise(seen)]
    assert gaps == sorted(gaps), f"backoff never shrinks while failing: {gaps}"
    assert all(gap <= 1800 for gap in gaps)
    assert len(seen) <= 8, f"{len(seen)} requests in an hour of {fault}"


def test_slow_answers_still_count(day: Day) -> None:
    assert all(r.ok for r in _by_scenario(day)["slow"])


def test_values_out_of_range_are_dropped_not_fatal(day: Day) -> None:
    assert all(r.ok for r in _by_scenario(day)["huge_values"])


def test_a_month_long_retry_after_waits_the_ceiling(day: Day) -> None:
    seen = _by_scenario(day)["retry_month"]
    assert seen
    assert all(r.next_delay == 1800 for r in seen)


def test_the_log_holds_no_piece_of_the_token(day: Day) -> None:
    pieces = {TOKEN[i : i + MIN_FRAGMENT] for i in range(len(TOKEN) - MIN_FRAGMENT + 1)}
    for record in day.log_records:
        text = record.getMessage()
        assert not [piece for piece in pieces if piece in text], text


@pytest.mark.parametrize("index", range(len(FAULTS)))
def test_recovers_by_itself_after_each_fault(day: Day, index: int) -> None:
    fault_end = T0 + timedelta(hours=2 * index + 2)
    later = [r for r in day.requests if r.at >= fault_end and r.ok]
    assert later, f"never recovered after {FAULTS[index]}"
    assert (later[0].at - fault_end).total_seconds() <= 1800 + INTERVAL


def test_notifications_are_never_repeated(day: Day) -> None:
    sent = Counter(note.rule for note in day.notes)
    assert all(count == 1 for count in sent.values()), sent
    assert {Rule.LOW, Rule.AUTH_FAILED, Rule.NO_PERMISSION} <= set(sent)


def test_no_unhandled_exception_and_flat_memory(day: Day) -> None:
    assert not [r for r in day.log_records if r.levelno >= logging.ERROR]
    assert not [r for r in day.log_records if r.exc_info]
    # Measured: ~660 blocks an hour, the fake server's own request log, the log records this
    # test collects and new tasks. Keeping one snapshot per poll adds ~800 an hour on top, so a
    # leak of that size fails here.
    # A leak grows every hour; a first use (a fault's error path importing a module or loading
    # locale data, measured at ~67,000 blocks once) grows one hour: the median hour tells them
    # apart, and a day-long total of several such first uses stays bounded.
    per_hour = statistics.median(day.hourly_growth)
    assert per_hour < 900, f"grew {per_hour} blocks in a median hour: {day.hourly_growth}"
    assert day.memory_growth < 200_000, f"grew {day.memory_growth} blocks in the day"
