"""A simulated day against a faulty API, on a fast clock.

The real poller thread, AppState and notification rules run against the fake Neo API over
loopback HTTP; the timer is simulated: whenever the poller arms its next poll we jump the virtual
clock by that delay and fire it. The API cycles through every fault: 401, 403, 429 with
Retry-After, 500, 502, slow, malformed, truncated, unreachable (connection dropped).
"""

from __future__ import annotations

import logging
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from desktop.core import trayview
from desktop.core.derive import Thresholds
from desktop.core.rules import Notification, Rule
from desktop.core.settings import Settings
from desktop.core.snapshot import ErrorKind, PollError, Snapshot
from desktop.fakeapi import FakeNeoApi
from desktop.ui.alerts import AlertCenter
from desktop.ui.poller import ClientConfig, Poller
from desktop.ui.state import AppState

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
)
BLOCKING = {"unauthorized", "forbidden"}
RETRY_AFTER = 600
INTERVAL = 300.0


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
    outcome: Snapshot | PollError
    next_delay: float | None


def test_a_simulated_day_of_faults(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="desktop")
    clock = VirtualClock()
    api = FakeNeoApi(
        token=TOKEN,
        clock=clock.now,
        live_task_interval=60,
        retry_after=str(RETRY_AFTER),
        slow_seconds=0.2,
    ).start()
    poller = Poller(
        ClientConfig(api.url, token=TOKEN),
        INTERVAL,
        clock=clock.now,
        random_unit=lambda: 0.5,
        cooldown_seconds=0,
    )
    state = AppState()
    notifier = RecordingNotifier()
    alerts = AlertCenter(
        notifier,
        Settings,
        api.url,
        tmp_path / "memory.json",  # type: ignore[arg-type]
        clock=clock.now,
    )
    poller.snapshot_ready.connect(state.on_snapshot)
    poller.snapshot_ready.connect(alerts.on_snapshot)
    poller.failed.connect(state.on_error)
    poller.failed.connect(alerts.on_error)
    results: list[Snapshot | PollError] = []
    poller.snapshot_ready.connect(results.append)
    poller.failed.connect(results.append)

    requests: list[Request] = []
    memory_at: dict[str, int] = {}
    tracemalloc.start()

    def fire(action: object) -> None:
        api.scenario = scenario_at(clock.at)
        count = len(results)
        with qtbot.waitSignal(
            poller.busy_changed, timeout=30_000, check_params_cb=lambda busy: not busy
        ):
            action()  # type: ignore[operator]
        assert len(results) == count + 1, "every request gives exactly one result"
        requests.append(Request(clock.at, api.scenario, results[-1], poller.next_delay))
        check_view(results[-1])

    def check_view(outcome: Snapshot | PollError) -> None:
        view = state.view
        if isinstance(outcome, PollError):
            assert view.snapshot is not None, "the last good snapshot is always kept"
            look = trayview.look(view, clock.at, Thresholds())
            if outcome.kind in {ErrorKind.AUTH_REJECTED, ErrorKind.NO_PERMISSION}:
                assert look.kind.value in {"auth_rejected", "no_permission"}
            else:
                assert view.stale
                assert look.dimmed, "shown as stale while failing"

    try:
        fire(poller.start)
        end = T0 + timedelta(days=1)
        while clock.at < end:
            delay = poller.next_delay
            if delay is None:  # 401/403: the user fixes it when the fault is over
                clock.at = window_end(clock.at)
                fire(poller.refresh_now)
                continue
            clock.at += timedelta(seconds=delay)
            fire(poller.poll_now)
            if clock.at >= T0 + timedelta(hours=6) and "six" not in memory_at:
                memory_at["six"] = tracemalloc.get_traced_memory()[0]
        memory_at["day"] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        poller.stop()
        api.stop()

    assert api.request_count == len(requests), "no request the poller did not account for"
    by_scenario: dict[str, list[Request]] = {}
    for request in requests:
        by_scenario.setdefault(request.scenario, []).append(request)

    for fault in FAULTS:
        seen = by_scenario.get(fault, [])
        assert seen, f"{fault} was never met"
        if fault in BLOCKING:
            assert len(seen) == 1, f"{fault} is not retried in a loop"
            assert seen[0].next_delay is None
        elif fault == "slow":
            assert all(isinstance(r.outcome, Snapshot) for r in seen)
        else:
            assert all(isinstance(r.outcome, PollError) for r in seen)
            gaps = [(b.at - a.at).total_seconds() for a, b in zip(seen, seen[1:], strict=False)]
            if fault == "rate_limited":
                assert all(gap >= RETRY_AFTER for gap in gaps), gaps
            else:
                assert gaps == sorted(gaps), f"{fault}: backoff never shrinks while failing: {gaps}"
                assert all(gap <= 1800 for gap in gaps)
                assert len(seen) <= 8, f"{fault}: {len(seen)} requests in an hour"

    # Recovery: after each fault hour the next success comes within the longest backoff.
    for index in range(len(FAULTS)):
        fault_end = T0 + timedelta(hours=2 * index + 2)
        later = [r for r in requests if r.at >= fault_end and isinstance(r.outcome, Snapshot)]
        assert later, f"never recovered after {FAULTS[index]}"
        assert (later[0].at - fault_end).total_seconds() <= 1800 + INTERVAL

    rules_sent = Counter(note.rule for note in notifier.sent)
    assert all(count == 1 for count in rules_sent.values()), rules_sent
    assert Rule.LOW in rules_sent, "the account drains past the low line during the day"
    assert Rule.AUTH_FAILED in rules_sent
    assert Rule.NO_PERMISSION in rules_sent

    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "no unhandled exception"
    assert "Traceback" not in caplog.text
    growth = memory_at["day"] - memory_at["six"]
    assert growth < 2_000_000, f"memory grew by {growth} bytes over 18 simulated hours"
    assert len(requests) > 200  # 288 at the interval, fewer while backing off
