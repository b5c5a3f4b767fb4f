"""The task channel's wiring, in-process: the whole tray built as the launcher builds it, the
fake API over loopback. Today's ledger reaches the account's state; a window asked through the
session set is answered with the account's id, never through the state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from desktop.app import TrayApp
from desktop.core.environment import URL_ENV
from desktop.core.rules.catalogue import Rule
from desktop.core.settings import Settings
from desktop.core.tasks import TasksStatus
from desktop.fakeapi import FakeNeoApi
from desktop.system.settings_store import LoadedSettings
from desktop.ui.notifier import Notifier
from tests.conftest import MemoryKeyring, RecordingBackend
from tests.helpers.app import start_and_wait_until_idle
from tests.helpers.notifications import wait_for_deliveries


def test_todays_tasks_reach_the_state(qtbot: QtBot, tray_app: TrayApp) -> None:
    start_and_wait_until_idle(qtbot, tray_app)
    session = tray_app.sessions[0]
    qtbot.waitUntil(lambda: session.state.view.tasks_today is not None, timeout=20_000)
    listing = session.state.view.tasks_today
    assert listing is not None
    assert listing.status is TasksStatus.OK
    assert listing.rows  # the demo world ran tasks today


def test_a_window_is_answered_for_its_account(qtbot: QtBot, tray_app: TrayApp) -> None:
    start_and_wait_until_idle(qtbot, tray_app)
    session = tray_app.sessions[0]
    qtbot.waitUntil(lambda: session.state.view.tasks_today is not None, timeout=20_000)
    today = session.state.view.tasks_today
    end = datetime.now(UTC).replace(microsecond=0)
    start = end - timedelta(days=3)
    with qtbot.waitSignal(tray_app.sessions.tasks_answer, timeout=20_000) as blocker:
        tray_app.sessions.request_tasks(session.id, start, end)
    account_id, listing = blocker.args
    assert account_id == session.id
    assert (listing.status, listing.start, listing.end) == (TasksStatus.OK, start, end)
    assert session.state.view.tasks_today is today  # a window never reaches the state


def test_a_big_task_of_today_is_notified_once(
    qtbot: QtBot,
    fake_api: FakeNeoApi,
    memory_keyring: MemoryKeyring,
    make_notifier: Callable[[], Notifier],
    recording_backends: list[RecordingBackend],
) -> None:
    memory_keyring.set_password("neo-usage-tray", "api-token", fake_api.token)
    settings = Settings(big_task_unit="credits", big_task_credits=0.1)  # every real task is over
    app = TrayApp(
        LoadedSettings(settings), environ={URL_ENV: fake_api.url}, notifier=make_notifier()
    )
    try:
        start_and_wait_until_idle(qtbot, app)
        session = app.sessions[0]
        qtbot.waitUntil(lambda: session.state.view.tasks_today is not None, timeout=20_000)
        wait_for_deliveries(app.notifier)
        (backend,) = recording_backends
        big = [note for note, _ in backend.sent if note.rule is Rule.BIG_TASK]
        assert len(big) == 1  # the day's tasks over the limit, said in one notification
        assert "more than 0.1 credits" in big[0].body
        listing = session.state.view.tasks_today
        assert listing is not None
        # The next listing (the same tasks) says nothing again.
        session.alerts.on_tasks(listing, session.state.view.snapshot)
        wait_for_deliveries(app.notifier)
        assert len([n for n, _ in backend.sent if n.rule is Rule.BIG_TASK]) == 1
    finally:
        app.shutdown()
