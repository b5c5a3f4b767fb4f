"""The tray and the settings it loads, in-process against the fake API over loopback: a lost API
address sends nothing for its account until the user sets one, and NEO_API_URL with a query
or a fragment is refused where the tray shows its errors."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from desktop.app import TrayApp
from desktop.core.accounts import DEFAULT_ID, Account
from desktop.core.environment import URL_ENV
from desktop.core.errors import ErrorKind
from desktop.core.settings import Settings
from desktop.fakeapi import FakeNeoApi
from desktop.system import settings_store
from desktop.ui.notifier import Notifier
from tests.conftest import MemoryKeyring

ACME_ID = "e5f6a7b8"


@pytest.fixture(autouse=True)
def nowhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proxies on a closed loopback port: a request meant for the public API (which these tests
    must never send) fails as unreachable here instead of leaving the machine."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{probe.getsockname()[1]}"
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_a_lost_address_sends_nothing_for_its_account_until_the_user_sets_one(
    qtbot: QtBot,
    fake_api: FakeNeoApi,
    memory_keyring: MemoryKeyring,
    make_notifier: Callable[[], Notifier],
) -> None:
    """The report: after the tray repaired a damaged file whose address was lost, the next tray
    sent the token to the public API. Here the repaired file is loaded by the next tray."""
    path = settings_store.default_path()
    path.parent.mkdir(parents=True)
    lost = {"id": DEFAULT_ID, "name": "Work", "base_url": "http://evil.test"}
    acme = {"id": ACME_ID, "name": "Acme", "base_url": fake_api.url}
    path.write_text(json.dumps({"accounts": [lost, acme]}))
    settings_store.repair(settings_store.load())  # the first tray, after telling
    loaded = settings_store.load()
    assert loaded.problem is None  # the file is sound: the loss is its own stored state
    memory_keyring.set_password("neo-usage-tray", "api-token", "work-token-0123456789")
    memory_keyring.set_password("neo-usage-tray", f"api-token-{ACME_ID}", fake_api.token)
    app = TrayApp(loaded, environ={}, notifier=make_notifier())
    try:
        work, acme_session = app.sessions
        with qtbot.waitSignal(acme_session.poller.snapshot_ready, timeout=10_000):
            app.start()
        error = work.state.view.error
        assert error is not None
        assert error.kind is ErrorKind.SETTINGS
        assert error.short_message == "Settings damaged — set the API address"
        assert "Work" in error.user_message
        assert not work.poller.busy
        assert all(r["authorization"] == f"Bearer {fake_api.token}" for r in fake_api.requests)
        dialog = app.settings_controller.dialog
        assert dialog is not None
        assert dialog.selected_id == DEFAULT_ID  # opened where the address is missing
        assert dialog.base_url_edit.placeholderText() != "https://neo.api.projectdiscovery.io"

        # A change elsewhere in the settings does not start it either.
        dialog.interval_combo.setCurrentIndex(dialog.interval_combo.findData(15))
        assert not work.poller.busy  # applied at once: a started poll would be in flight now
        assert work.state.view.error is not None
        assert work.state.view.error.kind is ErrorKind.SETTINGS

        # Setting an address ends the loss: now, and in the file.
        memory_keyring.set_password("neo-usage-tray", "api-token", fake_api.token)
        dialog.base_url_edit.setText(fake_api.url)
        with qtbot.waitSignal(work.poller.snapshot_ready, timeout=10_000):
            dialog.base_url_edit.editingFinished.emit()
        stored = settings_store.load().settings.accounts[0]
        assert (stored.base_url, stored.address_lost) == (fake_api.url, False)
    finally:
        app.shutdown()


def test_the_environment_address_wins_over_a_lost_one(
    qtbot: QtBot,
    fake_api: FakeNeoApi,
    memory_keyring: MemoryKeyring,
    make_notifier: Callable[[], Notifier],
) -> None:
    memory_keyring.set_password("neo-usage-tray", "api-token", fake_api.token)
    settings = Settings(accounts=(Account(id=DEFAULT_ID, name="Work", address_lost=True),))
    app = TrayApp(
        settings_store.LoadedSettings(settings),
        environ={URL_ENV: fake_api.url},
        notifier=make_notifier(),
    )
    try:
        with qtbot.waitSignal(app.sessions[0].poller.snapshot_ready, timeout=10_000):
            app.start()
    finally:
        app.shutdown()


@pytest.mark.parametrize("tail", ["?team=1", "#usage"])
def test_an_api_url_with_a_query_or_fragment_is_shown_and_not_used(
    qtbot: QtBot,
    fake_api: FakeNeoApi,
    memory_keyring: MemoryKeyring,
    make_notifier: Callable[[], Notifier],
    tail: str,
) -> None:
    memory_keyring.set_password("neo-usage-tray", "api-token", fake_api.token)
    app = TrayApp(
        settings_store.LoadedSettings(Settings()),
        environ={URL_ENV: fake_api.url + tail},
        notifier=make_notifier(),
    )
    try:
        with qtbot.waitSignal(app.sessions[0].poller.failed, timeout=10_000):
            app.start()
        error = app.sessions[0].state.view.error
        assert error is not None
        assert error.kind is ErrorKind.SETTINGS
        assert "query" in error.user_message
        assert fake_api.request_count == 0
    finally:
        app.shutdown()
