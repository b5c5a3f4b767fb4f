"""The task channel's wiring, in-process: the whole tray built as the launcher builds it, the
fake API over loopback. Today's ledger reaches the account's state; a window asked through the
session set is answered with the account's id, never through the state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from desktop.app import TrayApp
from desktop.core.tasks import TasksStatus
from tests.helpers.app import start_and_wait_until_idle


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
