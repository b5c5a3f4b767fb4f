"""Member mode and the admin's today request through the whole tray, in-process, against the
fake API over loopback (issue 28): a real Poller, the state, the menu's labels, the tooltip's
text, the cache, the detail window's header, and a restart showing the cached member."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pytestqt.qtbot import QtBot

from desktop.app import TrayApp
from desktop.core import presentation, tray_text
from desktop.core.environment import URL_ENV
from desktop.core.levels import CreditLevel
from desktop.core.looks import LookKind
from desktop.core.radar import OK
from desktop.core.settings import Settings
from desktop.fakeapi import FakeNeoApi
from desktop.system.settings_store import LoadedSettings
from desktop.ui.notifier import Notifier
from tests.conftest import MemoryKeyring
from tests.helpers.app import start_and_wait_until_idle
from tests.helpers.views import status_actions

CAP_LINE = "Neo (member of Acme Sec): $32 of $75 cap left (43%)"


def tooltip(app: TrayApp) -> str:
    """The tooltip as the tray view sets it on its icon (offscreen there is no icon)."""
    accounts = [(session.account.name, session.state.view) for session in app.sessions]
    return tray_text.tray_tooltip(accounts, 0, datetime.now(UTC), sys.platform)


def summary_requests(fake_api: FakeNeoApi) -> list[dict[str, Any]]:
    return [r for r in fake_api.requests if r["path"] == "/api/v1/usage/summary"]


def test_member_cap_through_the_tray(qtbot: QtBot, tray_app: TrayApp, fake_api: FakeNeoApi) -> None:
    fake_api.scenario = "member_cap"
    start_and_wait_until_idle(qtbot, tray_app)
    session = tray_app.sessions[0]
    view = session.state.view
    assert view.member is not None
    assert view.snapshot is None
    assert view.error is None
    # The fake's cap creeps up with its live tasks: $43 of $75 used when it starts.
    assert view.member.profile.cap is not None
    assert view.member.profile.cap.limit == 75
    assert tooltip(tray_app).startswith(CAP_LINE + " · ")
    tray_app.tray.menu.aboutToShow.emit()
    lines = [action.text() for action in status_actions(tray_app.tray)]
    assert lines[0] == CAP_LINE
    assert [action.isVisible() for action in status_actions(tray_app.tray)[1:5]] == [False] * 4
    assert lines[5].startswith("Updated ")
    look = presentation.look(view, datetime.now(UTC))
    assert (look.kind, look.level, look.percent) == (LookKind.GAUGE, CreditLevel.OK, 43)
    # Polling goes on at the interval, never blocked; the summary is asked first each time.
    was_member = session.poller.member
    assert not session.poller.blocked
    assert session.poller.next_delay == 300
    cached = json.loads(session.cache_path.read_text())
    assert cached["mode"] == "member"
    assert cached["member"]["cap"]["limit"] == 75
    assert cached["cache_key"] == fake_api.url
    # The detail window (opened with no tray host) says the member's state.
    window = tray_app.windows.detail()
    qtbot.addWidget(window)
    header = window.header
    assert header.credit_title.text() == "$32 of $75 cap left (43%)"
    assert header.expiry_label.text() == "Team: Acme Sec"
    assert header.used_label.text() == "Used: $43 of the $75 cap"
    assert not header.banner.isVisibleTo(window)
    # A promotion to admin: the next poll's summary answers, member mode ends.
    fake_api.scenario = "ok"
    with qtbot.waitSignal(session.poller.snapshot_ready, timeout=10_000):
        assert session.poller.refresh_now()
    assert session.state.view.member is None
    assert (was_member, session.poller.member) == (True, False)
    assert "cap" not in tooltip(tray_app)


def test_a_restart_shows_the_cached_member(
    qtbot: QtBot,
    tray_app: TrayApp,
    fake_api: FakeNeoApi,
    memory_keyring: MemoryKeyring,
    make_notifier: Callable[[], Notifier],
) -> None:
    fake_api.scenario = "member_cap"
    start_and_wait_until_idle(qtbot, tray_app)
    tray_app.shutdown()
    fake_api.scenario = "server_error"  # the next run's first poll fails: the cache stays shown
    again = TrayApp(
        LoadedSettings(Settings()), environ={URL_ENV: fake_api.url}, notifier=make_notifier()
    )
    try:
        view = again.sessions[0].state.view
        assert view.member is not None
        assert view.member.from_cache
        assert tooltip(again).startswith(
            "Neo (member of Acme Sec, cached): $32 of $75 cap left (43%)"
        )
    finally:
        again.shutdown()


def test_member_no_cap_stays_no_permission(
    qtbot: QtBot, tray_app: TrayApp, fake_api: FakeNeoApi
) -> None:
    fake_api.scenario = "member_no_cap"
    start_and_wait_until_idle(qtbot, tray_app)
    session = tray_app.sessions[0]
    view = session.state.view
    assert view.member is None
    assert view.error is not None
    assert "your team has no spending cap" in view.error.user_message
    assert session.poller.blocked  # stopping as before
    assert tooltip(tray_app) == "Neo Usage: No permission, no team cap — ask your team admin"
    requests = [r["path"] for r in fake_api.requests]
    assert requests[:2] == ["/api/v1/usage/summary", "/api/v1/user"]


def test_an_admin_gets_today_and_the_radar(
    qtbot: QtBot, tray_app: TrayApp, fake_api: FakeNeoApi
) -> None:
    fake_api.scenario = "admin_spike"
    session = tray_app.sessions[0]
    with qtbot.waitSignal(session.poller.team_today_ready, timeout=20_000):
        start_and_wait_until_idle(qtbot, tray_app)
    view = session.state.view
    radar = presentation.radar(view, datetime.now(UTC))
    assert radar is not None
    assert radar.status == OK
    unusual = [item.email for item in radar.items if item.unusual]
    assert unusual[:2] == ["bo@example.com", "new@example.com"]
    # One today request (from local midnight, no grouping) after the poll and the forecast.
    today = [
        r
        for r in summary_requests(fake_api)
        if "from" in r["query"] and "group_by" not in r["query"]
    ]
    assert len(today) == 1
    polls_before = len(summary_requests(fake_api))
    with qtbot.waitSignal(session.poller.snapshot_ready, timeout=10_000):
        session.poller.refresh_now()
    start_and_wait_until_idle(qtbot, tray_app)
    # A poll within the interval brings no second today request.
    after = [
        r
        for r in summary_requests(fake_api)
        if "from" in r["query"] and "group_by" not in r["query"]
    ]
    assert len(after) == 1
    assert len(summary_requests(fake_api)) > polls_before
