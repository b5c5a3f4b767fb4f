"""Today's task ledger reaches other processes (issue 30): the whole tray, built as the launcher
builds it over the fake API, writes today's ledger's figures into its cache, and `--once
--format openmetrics --cached` says them as the tray's menu line counts them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from desktop import cli
from desktop.app import TrayApp
from desktop.core.environment import URL_ENV
from desktop.core.tasks import TasksStatus
from desktop.fakeapi import FakeNeoApi
from desktop.system import cache
from tests.helpers.app import start_and_wait_until_idle
from tests.helpers.openmetrics import both_parsers, samples


def test_the_trays_tasks_of_today_reach_a_cached_scrape(
    qtbot: QtBot,
    tray_app: TrayApp,
    fake_api: FakeNeoApi,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    start_and_wait_until_idle(qtbot, tray_app)
    session = tray_app.sessions[0]
    qtbot.waitUntil(lambda: session.state.view.tasks_today is not None, timeout=20_000)
    listing = session.state.view.tasks_today
    assert listing is not None
    assert listing.status is TasksStatus.OK
    assert listing.rows  # the demo world ran tasks today
    stored = json.loads(session.cache_path.read_text())["tasks_today"]
    assert (stored["status"], stored["count"]) == ("ok", listing.count)
    assert stored["neo_credits"] == listing.neo_credits
    entry = cache.load_entry(session.cache_key, session.cache_path, datetime.now(UTC))
    assert isinstance(entry, cache.CacheEntry)
    assert entry.tasks_today is not None
    assert (entry.tasks_today.start, entry.tasks_today.end) == (listing.start, listing.end)

    monkeypatch.setenv(URL_ENV, fake_api.url)
    asked = len(fake_api.requests)
    assert cli.main(["--once", "--format", "openmetrics", "--cached"]) == 0
    out = capsys.readouterr().out
    assert len(fake_api.requests) == asked  # the tray's figures: nothing asked
    found = samples(both_parsers(out))
    name = session.account.name
    assert found["neo_tasks_today", name][1] == listing.count
    assert found["neo_tasks_today_credits", name][1] == pytest.approx(listing.neo_credits)


def test_each_snapshot_keeps_the_figures_in_the_cache(qtbot: QtBot, tray_app: TrayApp) -> None:
    """A poll after today's listing writes the cache again: the figures stay in it."""
    start_and_wait_until_idle(qtbot, tray_app)
    session = tray_app.sessions[0]
    qtbot.waitUntil(lambda: session.state.view.tasks_today is not None, timeout=20_000)
    before = json.loads(session.cache_path.read_text())
    with qtbot.waitSignal(session.poller.snapshot_ready, timeout=20_000):
        session.poller.refresh_now()
    after = json.loads(session.cache_path.read_text())
    assert after["fetched_at"] >= before["fetched_at"]
    assert after["tasks_today"] == before["tasks_today"]
    assert after["tasks_today"]["status"] == "ok"
