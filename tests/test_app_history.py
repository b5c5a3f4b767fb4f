"""The History tab in the whole app: the year is fetched through the account's poller when the
tab is shown, kept in the account's own history file under its session's cache key and token
tag (never in the snapshot cache), and not fetched again while it is a day old or less."""

from __future__ import annotations

import json

from pytestqt.qtbot import QtBot

from desktop.app import TrayApp
from desktop.core import history
from desktop.fakeapi import FakeNeoApi
from desktop.system import history_cache
from tests.helpers.app import start_and_wait_until_idle, wait_until_idle


def test_the_year_comes_through_the_accounts_poller_into_its_own_file(
    qtbot: QtBot, tray_app: TrayApp, fake_api: FakeNeoApi
) -> None:
    start_and_wait_until_idle(qtbot, tray_app)
    session = tray_app.sessions[0]
    tray_app.show_window()
    window = tray_app.windows.detail()
    qtbot.addWidget(window)
    page = window.page()
    window.tabs.setCurrentIndex(page.history_index)
    qtbot.waitUntil(lambda: bool(page.history.heatmap.cells), timeout=10_000)
    wait_until_idle(qtbot, tray_app)
    cells = page.history.heatmap.cells
    assert len(cells) in {365, 366}
    path = history_cache.default_path(session.id)
    saved = json.loads(path.read_text())
    assert saved["cache_key"] == session.cache_key
    assert saved["token_tag"] == session.state.view.snapshot.token_tag  # type: ignore[union-attr]
    # The snapshot cache (`--once --cached`'s) holds the main poll's summary only.
    assert json.loads(session.cache_path.read_text())["summary"]["by_period"] is None
    years = [
        entry
        for entry in fake_api.requests
        if entry["query"].get("group_by") == "day"
        and history.first_day(cells[-1].day).isoformat() in entry["query"].get("from", "")
    ]
    assert len(years) == 1
    # Shown again: the year is a minute old, nothing more is asked.
    asked = fake_api.request_count
    window.tabs.setCurrentIndex(0)
    window.tabs.setCurrentIndex(page.history_index)
    wait_until_idle(qtbot, tray_app)
    assert fake_api.request_count == asked
