"""The poller against the fake Neo API over loopback HTTP, driven through Qt signals."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.api.client import NeoClient
from desktop.core.errors import ErrorKind
from desktop.core.presentation import RefreshNote, RefreshRefusal
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.snapshot import PollError, Snapshot
from desktop.fakeapi import FakeNeoApi
from desktop.ui.fetch_worker import ClientConfig
from desktop.ui.poller import Poller
from desktop.ui.prober import Prober
from desktop.ui.worker_thread import stop_thread, worker_thread
from tests.conftest import MemoryKeyring

TOKEN = "test-token-123456"
MakePoller = Callable[..., Poller]


@pytest.fixture
def make_poller(fake_api: FakeNeoApi) -> Iterator[MakePoller]:
    made: list[Poller] = []

    def make(
        interval: float | None = 300,
        token: str | None = TOKEN,
        cooldown: float = 10,
        **kwargs: Any,
    ) -> Poller:
        poller = Poller(
            ClientConfig(fake_api.url, token=token),
            interval,
            random_unit=lambda: 0.5,
            cooldown_seconds=cooldown,
            **{"forecast_seconds": None, **kwargs},
        )
        made.append(poller)
        return poller

    yield make
    for poller in made:
        poller.stop()


def start_and_wait(qtbot: QtBot, poller: Poller, signal: str = "snapshot_ready") -> Any:
    with qtbot.waitSignal(getattr(poller, signal), timeout=10_000) as blocker:
        poller.start()
    return blocker.args[0]


def test_success_arms_the_interval(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    poller = make_poller(300)
    snapshot = start_and_wait(qtbot, poller)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.summary.total_issued_neo_credits == 5000
    assert poller.next_delay == 300
    assert fake_api.request_count == 1


@pytest.mark.parametrize(
    ("scenario", "kind"),
    [("unauthorized", ErrorKind.AUTH_REJECTED), ("forbidden", ErrorKind.NO_PERMISSION)],
)
def test_auth_errors_stop_polling_until_asked(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi, scenario: str, kind: ErrorKind
) -> None:
    fake_api.scenario = scenario
    poller = make_poller(interval=0.2, cooldown=0)
    error = start_and_wait(qtbot, poller, "failed")
    assert isinstance(error, PollError)
    assert error.kind is kind
    assert poller.next_delay is None
    assert poller.blocked
    assert not poller.armed  # no next poll: a loop would have one
    # One summary; after its 403 the member's /api/v1/user (no cap there: the 403 stands).
    assert fake_api.request_count == (2 if scenario == "forbidden" else 1)
    fake_api.scenario = "ok"
    with qtbot.waitSignal(poller.snapshot_ready, timeout=10_000):
        assert poller.refresh_now()
    assert not poller.blocked


def test_new_token_unblocks(qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi) -> None:
    poller = make_poller(token="wrong-token-000")
    start_and_wait(qtbot, poller, "failed")
    with qtbot.waitSignal(poller.snapshot_ready, timeout=10_000):
        poller.reconfigure(ClientConfig(fake_api.url, token=TOKEN))


def test_retry_after_is_obeyed(qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi) -> None:
    fake_api.scenario = "rate_limited"
    fake_api.retry_after = "120"
    poller = make_poller(300)
    error = start_and_wait(qtbot, poller, "failed")
    assert error.kind is ErrorKind.RATE_LIMITED
    assert poller.next_delay == 120


def test_server_errors_back_off(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    fake_api.scenario = "server_error"
    poller = make_poller(300, cooldown=0)
    start_and_wait(qtbot, poller, "failed")
    assert poller.next_delay == 30
    with qtbot.waitSignal(poller.failed, timeout=10_000):
        poller.refresh_now()
    assert poller.next_delay == 60


def test_no_overlapping_fetches(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    fake_api.scenario = "slow"
    fake_api.slow_seconds = 1.0
    poller = make_poller(300, cooldown=0)
    with qtbot.waitSignal(poller.snapshot_ready, timeout=10_000):
        poller.start()
        for _ in range(5):
            poller.poll_now()
            assert poller.busy
            assert not poller.refresh_now()  # busy: refused
    assert fake_api.request_count == 1
    assert not poller.busy


def test_refresh_has_a_cooldown(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    monotonic = [1000.0]
    poller = make_poller(300, cooldown=60, monotonic=lambda: monotonic[0])
    start_and_wait(qtbot, poller)
    with qtbot.waitSignal(poller.snapshot_ready, timeout=10_000):
        assert poller.refresh_now()
    monotonic[0] += 59
    assert not poller.refresh_now()
    assert fake_api.request_count == 2
    monotonic[0] += 2
    with qtbot.waitSignal(poller.snapshot_ready, timeout=10_000):
        assert poller.refresh_now()
    assert fake_api.request_count == 3


def test_next_poll_is_armed_after_the_result(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    fake_api.scenario = "slow"
    fake_api.slow_seconds = 0.3
    poller = make_poller(interval=0.2)
    start_and_wait(qtbot, poller)
    qtbot.waitUntil(lambda: fake_api.request_count >= 3, timeout=10_000)
    times = [request["at"] for request in fake_api.requests]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # slow answer (0.3 s) + interval (0.2 s, which a coarse Qt timer may shorten by 5 %)
    assert all(gap >= 0.45 for gap in gaps), gaps


def test_range_request_carries_its_query(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    poller = make_poller(300)
    start_and_wait(qtbot, poller)
    query = UsageQuery(datetime(2026, 11, 1, tzinfo=UTC), None, GroupBy.WEEK)
    main: list[object] = []
    poller.snapshot_ready.connect(main.append)
    with qtbot.waitSignal(poller.range_ready, timeout=10_000) as blocker:
        poller.request_range(query)
    assert main == []  # a range never reaches the main channel
    assert blocker.args[0].query == query
    assert blocker.args[0].summary.by_period
    assert poller.next_delay == 300  # the main schedule is untouched


def test_paused_poller_does_not_poll(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    poller = make_poller(interval=0.2)
    start_and_wait(qtbot, poller)
    poller.set_paused(True)
    assert not poller.armed
    poller.poll_now()  # the timer firing anyway
    assert not poller.busy
    with qtbot.waitSignal(poller.snapshot_ready, timeout=10_000):
        poller.set_paused(False)


def test_missing_token_reads_the_keyring_off_the_ui_thread(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi, memory_keyring: MemoryKeyring
) -> None:
    poller = make_poller(token=None)
    error = start_and_wait(qtbot, poller, "failed")
    assert error.kind is ErrorKind.NO_TOKEN
    memory_keyring.set_password("neo-usage-tray", "api-token", TOKEN)
    with qtbot.waitSignal(poller.snapshot_ready, timeout=10_000):
        poller.reconfigure(ClientConfig(fake_api.url, token=None))


def test_stop_waits_for_the_thread(qtbot: QtBot, make_poller: MakePoller) -> None:
    poller = make_poller(300)
    start_and_wait(qtbot, poller)
    poller.stop()
    assert not poller._thread.isRunning()
    poller.stop()  # twice is fine


def test_network_back_retries_only_after_failures(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    poller = make_poller(300, cooldown=0)
    start_and_wait(qtbot, poller)
    poller.on_network_online()
    assert not poller.busy  # all was well: nothing to retry
    fake_api.scenario = "disconnect"
    with qtbot.waitSignal(poller.failed, timeout=10_000):
        poller.refresh_now()
    assert poller.next_delay == 30
    fake_api.scenario = "ok"
    with qtbot.waitSignal(poller.snapshot_ready, timeout=10_000):
        poller.on_network_online()


def test_probe_tests_other_settings_and_leaves_polling_alone(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    """The settings' Test: its own prober on the pollers' thread, with a client of its own."""
    thread = worker_thread()
    poller = make_poller(300, cooldown=0, thread=thread)
    start_and_wait(qtbot, poller)
    prober = Prober(thread)
    with qtbot.waitSignal(prober.probe_finished, timeout=10_000) as blocker:
        prober.probe(ClientConfig(fake_api.url, token="wrong-token-000"))
    assert blocker.args[0].kind is ErrorKind.AUTH_REJECTED
    with qtbot.waitSignal(prober.probe_finished, timeout=10_000) as blocker:
        prober.probe(ClientConfig(fake_api.url, token=TOKEN))
    assert isinstance(blocker.args[0], Snapshot)
    prober.stop()  # (the shared thread is its owner's to stop)
    with qtbot.waitSignal(poller.snapshot_ready, timeout=10_000):
        assert poller.refresh_now()  # the poll client still uses its own token
    assert fake_api.requests[-1]["authorization"] == f"Bearer {TOKEN}"
    assert not poller.blocked
    poller.stop()
    stop_thread(thread)


def test_a_poll_asked_for_during_a_range_fetch_follows_it(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    poller = make_poller(300, cooldown=0)
    start_and_wait(qtbot, poller)
    fake_api.scenario = "slow"
    fake_api.slow_seconds = 0.3
    with qtbot.waitSignals([poller.range_ready, poller.snapshot_ready], timeout=10_000):
        poller.request_range(UsageQuery(None, None, GroupBy.DAY))
        poller.poll_now()
    assert fake_api.request_count == 3


def test_a_range_refused_for_the_token_blocks_the_main_poll(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    poller = make_poller(300)
    start_and_wait(qtbot, poller)
    fake_api.scenario = "unauthorized"
    with qtbot.waitSignals([poller.range_failed, poller.failed], timeout=10_000):
        poller.request_range(UsageQuery(None, None, GroupBy.DAY))
    assert poller.blocked


def test_the_client_comes_from_the_factory(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    made: list[ClientConfig] = []

    def factory(config: ClientConfig) -> tuple[NeoClient, str]:
        made.append(config)
        return NeoClient(fake_api.url, TOKEN), "account-tag"

    poller = make_poller(300, token="never-used", client_factory=factory)
    snapshot = start_and_wait(qtbot, poller)
    assert made == [ClientConfig(fake_api.url, token="never-used")]
    assert snapshot.token_tag == "account-tag"


def test_a_clock_jump_refreshes(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    wall = [datetime(2026, 11, 25, 12, 0, tzinfo=UTC)]
    monotonic = [500.0]
    poller = make_poller(300, clock=lambda: wall[0], monotonic=lambda: monotonic[0])
    start_and_wait(qtbot, poller)
    monotonic[0] += 60
    wall[0] += timedelta(seconds=60)
    poller.check_clock_jump()
    assert not poller.busy  # time moved evenly: nothing to do
    wall[0] += timedelta(hours=8)  # suspended overnight: only the wall clock moved
    with qtbot.waitSignal(poller.snapshot_ready, timeout=10_000):
        poller.check_clock_jump()


def test_the_forecast_window_is_fetched_once_an_interval_on_its_own_channel(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    monotonic = [100.0]
    poller = make_poller(300, cooldown=0, forecast_seconds=3600, monotonic=lambda: monotonic[0])
    main: list[object] = []
    poller.snapshot_ready.connect(main.append)
    with qtbot.waitSignal(poller.forecast_ready, timeout=10_000) as blocker:
        poller.start()
    window = blocker.args[0]
    assert window.query.group_by is GroupBy.DAY
    assert len(window.summary.by_period) == 14
    assert len(main) == 1  # the window never reaches the main channel
    with qtbot.waitSignal(poller.snapshot_ready, timeout=10_000):
        poller.poll_now()
    qtbot.waitUntil(lambda: not poller.busy)
    assert sum("group_by" in r["query"] for r in fake_api.requests) == 1  # not on every poll
    monotonic[0] += 3601
    with qtbot.waitSignal(poller.forecast_ready, timeout=10_000):
        poller.poll_now()


def test_a_failed_forecast_never_disturbs_the_gauge(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    poller = make_poller(300, cooldown=0, forecast_seconds=3600)

    def fail_what_follows(_snapshot: Snapshot) -> None:
        # Runs before the poller sends the window: setting it after the wait raced the fetch.
        fake_api.scenario = "server_error"

    poller.snapshot_ready.connect(fail_what_follows)
    with qtbot.waitSignals([poller.snapshot_ready, poller.forecast_failed], timeout=10_000):
        poller.start()
    assert poller.next_delay == 300  # no backoff
    assert not poller.blocked
    assert poller.schedule.failures == 0


def test_retry_after_holds_every_request_of_the_account(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    """Opening the window (its range, the balance history), the forecast and "Refresh now"
    during a 429's Retry-After send nothing; what waits goes when it ends."""
    fake_api.scenario = "rate_limited"
    fake_api.retry_after = "120"
    monotonic = [1000.0]
    poller = make_poller(None, cooldown=0, monotonic=lambda: monotonic[0])
    start_and_wait(qtbot, poller, "failed")
    assert fake_api.request_count == 1
    fake_api.scenario = "ok"
    notes: list[RefreshNote] = []
    poller.refresh_refused.connect(notes.append)
    query = UsageQuery(datetime(2026, 11, 1, tzinfo=UTC), None, GroupBy.DAY)
    poller.request_range(query)
    assert not poller.busy
    assert not poller.refresh_now()
    poller.poll_now()
    monotonic[0] += 119
    assert not poller.refresh_now()
    assert not poller.busy
    assert fake_api.request_count == 1
    assert [note.reason for note in notes] == [RefreshRefusal.RATE_LIMITED] * 2
    held = poller.held_until
    assert held is not None
    assert notes[0].until == held
    monotonic[0] += 1
    assert not poller.held_until
    with qtbot.waitSignal(poller.range_ready, timeout=10_000) as blocker:
        assert poller.refresh_now()
    assert blocker.args[0].query == query
    assert fake_api.request_count == 3


def test_a_range_answered_with_retry_after_holds_the_main_poll(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    monotonic = [1000.0]
    poller = make_poller(300, cooldown=0, monotonic=lambda: monotonic[0])
    start_and_wait(qtbot, poller)
    fake_api.scenario = "rate_limited"
    fake_api.retry_after = "600"
    with qtbot.waitSignal(poller.range_failed, timeout=10_000):
        poller.request_range(UsageQuery(None, None, GroupBy.WEEK))
    fake_api.scenario = "ok"
    assert poller.next_delay == 600  # the main poll waits past the server's word
    poller.poll_now()
    assert not poller.busy
    assert fake_api.request_count == 2


def test_refresh_in_the_cooldown_says_just_refreshed(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    monotonic = [1000.0]
    poller = make_poller(300, cooldown=10, monotonic=lambda: monotonic[0])
    start_and_wait(qtbot, poller)
    with qtbot.waitSignal(poller.snapshot_ready, timeout=10_000):
        assert poller.refresh_now()
    monotonic[0] += 3
    with qtbot.waitSignal(poller.refresh_refused, timeout=1_000) as blocker:
        assert not poller.refresh_now()
    note = blocker.args[0]
    assert note.reason is RefreshRefusal.JUST_REFRESHED
    left = (note.until - datetime.now(UTC)).total_seconds()
    assert 5 < left <= 7
