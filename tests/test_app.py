"""The composition root's wiring, in-process: the whole tray built as the launcher builds it,
talking to the fake API over loopback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from desktop.app import TrayApp
from desktop.core.errors import ErrorKind
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.rules.catalogue import Rule
from desktop.core.rules.memory import SnoozeChoice
from desktop.core.settings import Settings
from desktop.fakeapi import FakeNeoApi
from desktop.ui.notifier import Notifier
from tests.conftest import MemoryKeyring, RecordingBackend
from tests.helpers.app import start_and_wait_until_idle
from tests.helpers.notifications import wait_for_deliveries
from tests.helpers.views import status_actions


def start(qtbot: QtBot, app: TrayApp) -> None:
    """Start, and wait for the first poll (and, with no tray host here, the window's range)."""
    start_and_wait_until_idle(qtbot, app)
    assert app.sessions[0].state.view.snapshot is not None


def test_the_first_poll_reaches_the_state_and_the_cache(
    qtbot: QtBot, tray_app: TrayApp, fake_api: FakeNeoApi
) -> None:
    start(qtbot, tray_app)
    assert fake_api.requests[-1]["authorization"] == f"Bearer {fake_api.token}"
    cached = json.loads(tray_app.sessions[0].cache_path.read_text())
    assert cached["cache_key"] == fake_api.url
    assert cached["summary"]["total_issued_neo_credits"] == 5000
    assert "token" not in tray_app.sessions[0].cache_path.read_text().replace('"token_tag"', "")


def test_refresh_from_the_tray_fetches_again(
    qtbot: QtBot, tray_app: TrayApp, fake_api: FakeNeoApi
) -> None:
    start(qtbot, tray_app)
    main_polls = [r for r in fake_api.requests if "group_by" not in r["query"]]
    with qtbot.waitSignal(tray_app.sessions[0].poller.snapshot_ready, timeout=10_000):
        tray_app.tray.refresh_action.trigger()
    after = [r for r in fake_api.requests if "group_by" not in r["query"]]
    assert len(after) == len(main_polls) + 1


def test_pause_has_one_home(qtbot: QtBot, tray_app: TrayApp) -> None:
    start(qtbot, tray_app)
    assert tray_app.sessions[0].poller.next_delay == 300
    tray_app.tray.pause_action.trigger()
    assert tray_app.sessions[0].state.view.paused
    assert tray_app.tray.pause_action.isChecked()
    assert not tray_app.sessions[0].poller.armed
    with qtbot.waitSignal(tray_app.sessions[0].poller.snapshot_ready, timeout=10_000):
        tray_app.tray.pause_action.trigger()  # resuming polls at once
    assert not tray_app.sessions[0].state.view.paused


def test_applying_settings_is_one_state_change(qtbot: QtBot, tray_app: TrayApp) -> None:
    start(qtbot, tray_app)
    level_before = tray_app.sessions[0].state.view.thresholds
    changes: list[None] = []
    tray_app.sessions[0].state.changed.connect(lambda: changes.append(None))
    tray_app.settings_controller.apply(
        Settings(low_threshold=0.9, critical_threshold=0.85, poll_interval_minutes=0)
    )
    assert changes == [None]
    assert tray_app.sessions[0].state.view.thresholds != level_before
    assert tray_app.sessions[0].state.view.thresholds.low == 0.9
    assert tray_app.sessions[0].poller.next_delay is None  # manual polling
    assert not tray_app.sessions[0].poller.armed


def test_range_fetches_reach_the_window_and_never_the_cache(
    qtbot: QtBot, tray_app: TrayApp
) -> None:
    with qtbot.waitSignal(tray_app.sessions[0].poller.range_ready, timeout=10_000) as blocker:
        start(qtbot, tray_app)  # no tray host here: the window opens and asks for its range
    window = tray_app.windows.detail()
    qtbot.addWidget(window)
    assert window.isVisible()
    main_snapshot = tray_app.sessions[0].state.view.snapshot
    ranged = blocker.args[0]
    assert ranged.query.group_by is GroupBy.DAY
    assert ranged.summary.by_period
    assert tray_app.sessions[0].state.view.snapshot is main_snapshot
    assert window.tabs.summary is not None
    assert window.tabs.summary.by_period  # the range, not the main poll's summary
    cached = json.loads(tray_app.sessions[0].cache_path.read_text())
    assert cached["summary"]["by_period"] is None


def test_first_run_without_a_token_opens_the_settings_once(
    qtbot: QtBot, tray_app: TrayApp, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.store.clear()
    with qtbot.waitSignal(tray_app.sessions[0].poller.failed, timeout=10_000) as blocker:
        tray_app.start()
    assert blocker.args[0].kind is ErrorKind.NO_TOKEN
    dialog = tray_app.settings_controller.dialog
    assert dialog is not None
    assert dialog.isVisible()
    dialog.hide()
    with qtbot.waitSignal(tray_app.sessions[0].poller.failed, timeout=10_000):
        tray_app.sessions[0].poller.refresh_now()
    assert not dialog.isVisible()  # once


def test_a_crossing_is_notified_once_and_snooze_holds_it(
    qtbot: QtBot,
    tray_app: TrayApp,
    fake_api: FakeNeoApi,
    recording_backends: list[RecordingBackend],
) -> None:
    fake_api.scenario = "low"
    start(qtbot, tray_app)
    wait_for_deliveries(tray_app.notifier)
    (backend,) = recording_backends
    assert [note.rule for note, _ in backend.sent] == [Rule.LOW]
    with qtbot.waitSignal(tray_app.sessions[0].poller.snapshot_ready, timeout=10_000):
        tray_app.sessions[0].poller.poll_now()  # the next scheduled poll
    wait_for_deliveries(tray_app.notifier)
    assert len(backend.sent) == 1  # not again
    tray_app.tray.snooze_actions[SnoozeChoice.HOUR].trigger()
    assert tray_app.sessions[0].alerts.memory.snoozed_until is not None
    tray_app.tray.snooze_actions[SnoozeChoice.RESUME].trigger()
    assert tray_app.sessions[0].alerts.memory.snoozed_until is None


def test_a_notification_action_opens_the_window(
    qtbot: QtBot,
    tray_app: TrayApp,
    fake_api: FakeNeoApi,
    recording_backends: list[RecordingBackend],
) -> None:
    fake_api.scenario = "low"
    start(qtbot, tray_app)
    wait_for_deliveries(tray_app.notifier)
    (backend,) = recording_backends
    window = tray_app.windows.detail()
    qtbot.addWidget(window)
    window.hide()
    with qtbot.waitSignal(tray_app.sessions[0].alerts.details_requested, timeout=5_000):
        backend.on_action(101, "default")  # the daemon reports a click, from its thread
    assert window.isVisible()
    with qtbot.assertNotEmitted(tray_app.sessions[0].alerts.details_requested, wait=100):
        backend.on_action(999, "default")  # another app's notification


def test_a_range_query_never_changes_the_tray(qtbot: QtBot, tray_app: TrayApp) -> None:
    start(qtbot, tray_app)
    tooltip = tray_app.tray.menu.actions()[0].text() if tray_app.tray.menu.actions() else ""
    with qtbot.assertNotEmitted(tray_app.sessions[0].state.changed):
        with qtbot.waitSignal(tray_app.sessions[0].poller.range_ready, timeout=10_000):
            tray_app.sessions[0].poller.request_range(UsageQuery(None, None, GroupBy.MONTH))
    after = tray_app.tray.menu.actions()[0].text() if tray_app.tray.menu.actions() else ""
    assert after == tooltip


def test_a_damaged_settings_file_sends_nothing_until_told_and_repaired(
    qtbot: QtBot,
    fake_api: FakeNeoApi,
    memory_keyring: MemoryKeyring,
    make_notifier: Callable[[], Notifier],
    isolated_home: Path,
) -> None:
    from desktop.system import settings_store

    path = settings_store.default_path()
    path.parent.mkdir(parents=True)
    path.write_text("{damaged")
    memory_keyring.set_password("neo-usage-tray", "api-token", fake_api.token)
    loaded = settings_store.load()
    assert loaded.address_lost
    app = TrayApp(loaded, environ={}, notifier=make_notifier())
    try:
        app.start()
        assert app.sessions[0].state.view.error is not None
        assert app.sessions[0].state.view.error.kind is ErrorKind.SETTINGS
        assert "settings.json" in app.sessions[0].state.view.error.user_message
        assert not app.sessions[0].poller.busy  # the public API is not guessed with the token
        assert fake_api.request_count == 0
        assert list(path.parent.glob("settings.json.corrupt-*"))  # repaired after telling
        assert app.settings_controller.dialog is not None
    finally:
        app.shutdown()


def test_every_file_the_tray_writes_is_owner_only(
    qtbot: QtBot, tray_app: TrayApp, isolated_home: Path
) -> None:
    start(qtbot, tray_app)  # no tray host here: the window opens and keeps its geometry
    window = tray_app.windows.detail()
    qtbot.addWidget(window)
    window.hide()
    written = [path for path in isolated_home.rglob("*") if path.is_file()]
    assert any(path.name == "window-state.ini" for path in written)
    assert any(path.name == "last-snapshot.json" for path in written)
    for path in written:
        assert path.stat().st_mode & 0o777 == 0o600, path
        assert path.parent.stat().st_mode & 0o777 == 0o700, path.parent


def test_forecast_refreshes_reach_the_view_and_notify_once_they_agree(
    qtbot: QtBot,
    tray_app: TrayApp,
    fake_api: FakeNeoApi,
    recording_backends: list[RecordingBackend],
) -> None:
    fake_api.scenario = "steady_burn"
    with qtbot.waitSignal(tray_app.sessions[0].poller.forecast_ready, timeout=10_000) as blocker:
        start(qtbot, tray_app)
    qtbot.waitUntil(lambda: not tray_app.sessions[0].poller.busy, timeout=10_000)
    window = blocker.args[0]
    assert tray_app.sessions[0].state.view.forecast_window is window
    # A day (`Runs out ~Dec 4`) or the range's days (`Runs out Dec 3 - 6`): issue 29's words.
    assert status_actions(tray_app.tray)[2].text().startswith("Runs out ")
    assert status_actions(tray_app.tray)[2].isVisible()
    wait_for_deliveries(tray_app.notifier)
    sent = [note.rule for backend in recording_backends for note, _ in backend.sent]
    assert Rule.RUNS_OUT_SOON not in sent  # one refresh is not yet a sound forecast
    tray_app.sessions[0].poller.forecast_ready.emit(window)  # the next hourly refresh agrees
    wait_for_deliveries(tray_app.notifier)
    QCoreApplication.processEvents()
    sent = [note.rule for backend in recording_backends for note, _ in backend.sent]
    assert sent.count(Rule.RUNS_OUT_SOON) == 1
    tray_app.sessions[0].poller.forecast_ready.emit(window)
    wait_for_deliveries(tray_app.notifier)
    sent = [note.rule for backend in recording_backends for note, _ in backend.sent]
    assert sent.count(Rule.RUNS_OUT_SOON) == 1  # once per credit epoch


def test_status_bars_read_the_trays_snapshot_at_no_cost_to_the_api(
    qtbot: QtBot, tray_app: TrayApp, fake_api: FakeNeoApi
) -> None:
    from tests.helpers.processes import run_app

    start(qtbot, tray_app)
    qtbot.waitUntil(lambda: not tray_app.sessions[0].poller.busy, timeout=10_000)
    seen = fake_api.request_count
    env = {"NEO_API_URL": fake_api.url, "NEO_API_TOKEN": fake_api.token}
    for output in ("waybar", "i3blocks", "text", "json", "waybar"):
        result = run_app("--once", "--cached", "--format", output, env=env)
        assert result.returncode == 0, result.stderr
    assert fake_api.request_count == seen  # one poller for every view
    report = json.loads(run_app("--once", "--cached", "--json", env=env).stdout)
    assert report["source"] == "cache"
    assert report["forecast"]["status"] in {"ok", "insufficient_data", "no_recent_use"}


def test_the_first_releases_setup_becomes_default_with_nothing_to_do(
    qtbot: QtBot,
    fake_api: FakeNeoApi,
    memory_keyring: MemoryKeyring,
    make_notifier: Callable[[], Notifier],
    recording_backends: list[RecordingBackend],
    isolated_home: Path,
) -> None:
    """A settings file (written by the first release) and its keyring entry: the tray starts on
    them as the account "Default", rewrites the file once, copies no secret, and keeps its
    notification memory where it was (the memory's own format migration is tested in
    tests/core), so a restart says nothing twice."""
    from desktop.core.rules.memory import NotifyMemory
    from desktop.system import notify_store, settings_store

    old = json.loads((Path(__file__).parent / "fixtures" / "settings-v0.1.json").read_text())
    old["base_url"] = fake_api.url
    old["auth_scheme"] = "bearer"
    path = settings_store.default_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(old))
    memory_keyring.set_password("neo-usage-tray", "api-token", fake_api.token)
    fake_api.scenario = "low"
    first = TrayApp(settings_store.load(), environ={}, notifier=make_notifier())
    try:
        start(qtbot, first)
        wait_for_deliveries(first.notifier)
    finally:
        first.shutdown()
    said = [n for backend in recording_backends for n, _ in backend.sent]
    assert [n.rule for n in said] == [Rule.LOW]
    assert notify_store.load(notify_store.default_path()) != NotifyMemory()

    written = json.loads(path.read_text())
    assert "base_url" not in written
    assert written["accounts"] == [
        {"id": "default", "name": "Default", "base_url": fake_api.url, "auth_scheme": "bearer"}
    ]
    assert written["poll_interval_minutes"] == 15  # everything else kept
    assert dict(memory_keyring.store) == {("neo-usage-tray", "api-token"): fake_api.token}

    again = TrayApp(settings_store.load(), environ={}, notifier=make_notifier())
    try:
        start(qtbot, again)
        wait_for_deliveries(again.notifier)
        assert [s.account.name for s in again.sessions] == ["Default"]
        assert fake_api.requests[-1]["authorization"] == f"Bearer {fake_api.token}"
    finally:
        again.shutdown()
    assert len([n for backend in recording_backends for n, _ in backend.sent]) == 1


def test_the_network_is_watched_from_the_first_failed_poll(
    qtbot: QtBot, tray_app: TrayApp, fake_api: FakeNeoApi
) -> None:
    """Qt's reachability backend (GIO and its threads, ~3 MB) loads only once a poll failed:
    before that, the network's return would trigger nothing."""
    started: list[bool] = []

    def record_start() -> bool:
        started.append(True)
        return True

    tray_app.network.start = record_start  # type: ignore[method-assign]
    start(qtbot, tray_app)
    assert started == []
    fake_api.scenario = "server_error"
    with qtbot.waitSignal(tray_app.sessions[0].poller.failed, timeout=10_000):
        tray_app.sessions[0].poller.refresh_now()
    assert started == [True]
