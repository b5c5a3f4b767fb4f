"""An outage seen through the running tray's cache (issue 30): the whole tray, built as the
launcher builds it over the fake API, meets a 5xx and backs off; a `--once --format openmetrics
--cached` scrape meanwhile asks the API nothing and says `neo_up{error="offline"} 0` with the
tray's kept figures (before, it said 1 through the whole outage), while `--once --json --cached`
keeps its contract. A good poll brings `neo_up` 1 back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop import cli
from desktop.app import TrayApp
from desktop.core.environment import URL_ENV
from desktop.fakeapi import FakeNeoApi
from tests.helpers.app import IDLE_WAIT_MS, start_and_wait_until_idle, wait_until_idle
from tests.helpers.openmetrics import both_parsers, samples

SCRAPE = ["--once", "--format", "openmetrics", "--cached"]
#: `--once --json --cached`'s keys in summary mode (the README's contract).
JSON_KEYS = {"schema_version", "mode", "source", "stale", "summary", "derived", "forecast"}
JSON_KEYS |= {"fetched_at"}


def scrape(capsys: pytest.CaptureFixture[str]) -> tuple[dict[Any, Any], str]:
    assert cli.main(SCRAPE) == 0
    out = capsys.readouterr()
    return samples(both_parsers(out.out)), out.err


def test_a_cached_scrape_during_a_5xx_says_the_outage_with_the_kept_figures(
    qtbot: QtBot,
    tray_app: TrayApp,
    fake_api: FakeNeoApi,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    start_and_wait_until_idle(qtbot, tray_app)
    session = tray_app.sessions[0]
    name = session.account.name
    snapshot = session.state.view.snapshot
    assert snapshot is not None
    monkeypatch.setenv(URL_ENV, fake_api.url)
    found, err = scrape(capsys)
    assert err == ""
    assert found["neo_up", name] == ({"account": name}, 1)
    fetched = found["neo_last_success_timestamp_seconds", name][1]
    assert fetched == int(snapshot.fetched_at.timestamp())
    available = found["neo_credits_available", name][1]

    fake_api.scenario = "server_error"
    with qtbot.waitSignal(session.poller.failed, timeout=IDLE_WAIT_MS):
        session.poller.poll_now()
    wait_until_idle(qtbot, tray_app)
    assert session.poller.next_delay is not None  # backing off: the scrape must not fetch
    asked = len(fake_api.requests)
    found, err = scrape(capsys)
    assert len(fake_api.requests) == asked
    assert err == ""  # the tray's failure is the metric; this command did not fail
    assert found["neo_up", name] == ({"account": name, "error": "offline"}, 0)
    assert found["neo_credits_available", name][1] == available  # the kept figures
    assert found["neo_last_success_timestamp_seconds", name][1] == fetched
    assert found["neo_stale", name][1] == 0  # within twice the interval

    assert cli.main(["--once", "--json", "--cached"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == JSON_KEYS
    assert (document["source"], document["stale"]) == ("cache", False)
    stored = json.loads(session.cache_path.read_text())
    assert stored["failure"] == "offline"
    assert stored["retry_at"] is not None

    fake_api.scenario = "ok"
    with qtbot.waitSignal(session.poller.snapshot_ready, timeout=IDLE_WAIT_MS):
        session.poller.poll_now()
    wait_until_idle(qtbot, tray_app)
    found, _err = scrape(capsys)
    assert found["neo_up", name] == ({"account": name}, 1)
    assert found["neo_last_success_timestamp_seconds", name][1] >= fetched
    assert json.loads(session.cache_path.read_text())["failure"] is None


def test_a_rejected_token_is_kept_without_a_retry(
    qtbot: QtBot,
    tray_app: TrayApp,
    fake_api: FakeNeoApi,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A failure that stops polling (401) has no retry, but it is the tray's latest poll too."""
    start_and_wait_until_idle(qtbot, tray_app)
    session = tray_app.sessions[0]
    fake_api.scenario = "unauthorized"
    with qtbot.waitSignal(session.poller.failed, timeout=IDLE_WAIT_MS):
        session.poller.poll_now()
    wait_until_idle(qtbot, tray_app)
    monkeypatch.setenv(URL_ENV, fake_api.url)
    asked = len(fake_api.requests)
    found, _err = scrape(capsys)
    assert len(fake_api.requests) == asked
    name = session.account.name
    assert found["neo_up", name] == ({"account": name, "error": "auth_rejected"}, 0)
    assert ("neo_credits_available", name) in found
