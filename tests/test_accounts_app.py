"""Several accounts in one tray, in-process, each against its own fake API over loopback: one
healthy, one failing in each way; what the menu, tooltip, icon and notifications say of each,
and that the healthy one keeps polling on time."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop.app import TrayApp
from desktop.core.accounts import DEFAULT_ID, Account
from desktop.core.errors import ErrorKind
from desktop.core.rules.catalogue import Rule
from desktop.core.settings import Settings
from desktop.fakeapi import FakeNeoApi
from desktop.system.settings_store import LoadedSettings
from desktop.ui.notifier import Notifier
from tests.conftest import MemoryKeyring, RecordingBackend
from tests.helpers.app import start_and_wait_until_idle, wait_until_idle
from tests.helpers.notifications import wait_for_deliveries
from tests.helpers.views import block_texts

ACME_ID = "e5f6a7b8"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def personal_api() -> Iterator[FakeNeoApi]:
    with FakeNeoApi(token="personal-token-0123456", scenario="low") as api:
        yield api


@pytest.fixture
def acme_api() -> Iterator[FakeNeoApi]:
    with FakeNeoApi(token="acme-token-0123456789") as api:
        yield api


MakeApp = Callable[..., TrayApp]


@pytest.fixture
def make_app(
    isolated_home: object,
    memory_keyring: MemoryKeyring,
    make_notifier: Callable[[], Notifier],
    personal_api: FakeNeoApi,
) -> Iterator[MakeApp]:
    """Builds the tray with two accounts, Personal (its fake API) and Acme (at `acme_url`), each
    token in the in-memory keyring under its account's entry; shuts each one down at the end."""
    made: list[TrayApp] = []

    def make(acme_url: str, environ: dict[str, str] | None = None, **settings: object) -> TrayApp:
        memory_keyring.set_password("neo-usage-tray", "api-token", personal_api.token)
        memory_keyring.set_password(
            "neo-usage-tray", f"api-token-{ACME_ID}", "acme-token-0123456789"
        )
        accounts = (
            Account(id=DEFAULT_ID, name="Personal", base_url=personal_api.url),
            Account(id=ACME_ID, name="Acme", base_url=acme_url),
        )
        app = TrayApp(
            LoadedSettings(Settings.model_validate({"accounts": accounts, **settings})),
            environ=environ or {},
            notifier=make_notifier(),
        )
        made.append(app)
        return app

    yield make
    for app in made:
        app.shutdown()


FAILURES = {
    "unauthorized": ErrorKind.AUTH_REJECTED,
    "forbidden": ErrorKind.NO_PERMISSION,
    "not_found": ErrorKind.OFFLINE,
    "rate_limited": ErrorKind.RATE_LIMITED,
    "server_error": ErrorKind.OFFLINE,
    "malformed": ErrorKind.OFFLINE,
    "unreachable": ErrorKind.OFFLINE,
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_one_failing_account_never_blanks_the_other(
    qtbot: QtBot,
    make_app: MakeApp,
    recording_backends: list[RecordingBackend],
    personal_api: FakeNeoApi,
    acme_api: FakeNeoApi,
    failure: str,
) -> None:
    if failure == "unreachable":
        acme_url = f"http://127.0.0.1:{closed_port()}"
    else:
        acme_api.scenario = failure
        acme_url = acme_api.url
    app = make_app(acme_url)
    start_and_wait_until_idle(qtbot, app)
    personal, acme = app.sessions
    assert personal.state.view.snapshot is not None
    assert personal.state.view.error is None
    assert acme.state.view.snapshot is None
    assert acme.state.view.error is not None
    assert acme.state.view.error.kind is FAILURES[failure]
    # Each token went only to its own account's server.
    assert {r["authorization"] for r in personal_api.requests} == {f"Bearer {personal_api.token}"}
    assert all(personal_api.token not in str(r) for r in acme_api.requests)

    # The menu: a block per account, named, each with its own state.
    personal_block, acme_block = block_texts(app.tray)
    assert personal_block[0] == "Personal"
    assert personal_block[1].startswith("Available: ")
    assert acme_block[0] == "Acme"
    # Nothing to show but the error: its sentence only, no "Available: —" (issue 28's tester).
    assert acme_block == ["Acme", acme_block[-1]]
    assert acme.state.view.error.short_message in acme_block[-1]
    details = [a.text() for a in app.tray.menu.actions() if "details" in a.text()]
    assert details == ["Open &details for Personal…", "Open &details for Acme…"]

    # The icon shows the account that needs attention most, and the tooltip names it.
    lost_access = FAILURES[failure] in {ErrorKind.AUTH_REJECTED, ErrorKind.NO_PERMISSION}
    shown = app.tray.shown_account()
    assert shown.name == ("Acme" if lost_access else "Personal")  # else: Personal is low
    tip = app.tray._shown_tooltip or ""
    if app.tray.icon is not None:
        assert shown.name in tip

    # Notifications name their account; Personal's low credit is said once, as Personal's.
    wait_for_deliveries(app.notifier)
    titles = [note.title for backend in recording_backends for note, _ in backend.sent]
    assert any(t.startswith("Personal: ") and "low" in t.casefold() for t in titles), titles
    if lost_access:
        assert any(t.startswith("Acme: ") for t in titles), titles
    assert all(t.startswith(("Personal: ", "Acme: ")) for t in titles)
    groups = {note.group for backend in recording_backends for note, _ in backend.sent}
    assert all(group.endswith((f"@{DEFAULT_ID}", f"@{ACME_ID}")) for group in groups)


def test_the_healthy_account_keeps_polling_on_time(
    qtbot: QtBot,
    make_app: MakeApp,
    personal_api: FakeNeoApi,
    acme_api: FakeNeoApi,
) -> None:
    acme_api.scenario = "server_error"
    app = make_app(
        acme_api.url, {"NEO_TRAY_POLL_SECONDS": "1", "NEO_TRAY_FORECAST_SECONDS": "3600"}
    )
    start_and_wait_until_idle(qtbot, app)
    personal, acme = app.sessions
    polls = personal_api.request_count
    # Polled every second or so, still, while Acme backs off on its own schedule.
    qtbot.waitUntil(
        lambda: personal_api.request_count - polls >= 2 and acme.poller.schedule.failures >= 1,
        timeout=10_000,
    )
    assert personal.poller.schedule.failures == 0
    assert personal.state.view.error is None


def test_a_chosen_account_rename_and_removal(
    qtbot: QtBot,
    make_app: MakeApp,
    recording_backends: list[RecordingBackend],
    personal_api: FakeNeoApi,
    acme_api: FakeNeoApi,
) -> None:
    acme_api.scenario = "critical"
    app = make_app(acme_api.url, tray_account=DEFAULT_ID)
    start_and_wait_until_idle(qtbot, app)
    assert app.tray.shown_account().name == "Personal"  # chosen, though Acme is lower
    wait_for_deliveries(app.notifier)
    said = [n for b in recording_backends for n, _ in b.sent if n.account_id == ACME_ID]
    assert [n.rule for n in said] == [Rule.CRITICAL]

    # A rename changes the name shown, nothing else: no alert is said again.
    settings = app.settings_controller.settings
    renamed = tuple(
        a.model_copy(update={"name": "Acme Corp"}) if a.id == ACME_ID else a
        for a in settings.accounts
    )
    acme = app.sessions[1]
    app.settings_controller.apply(settings.model_copy(update={"accounts": renamed}))
    assert app.sessions[1] is acme  # the same session: its poller, memory and cache
    assert block_texts(app.tray)[1][0] == "Acme Corp"
    wait_until_idle(qtbot, app)
    with qtbot.waitSignal(acme.poller.snapshot_ready, timeout=10_000):
        app.tray.refresh_action.trigger()
    wait_for_deliveries(app.notifier)
    said = [n for b in recording_backends for n, _ in b.sent if n.account_id == ACME_ID]
    assert len(said) == 1

    # Removed: its block leaves the menu, its poller stops, the other keeps going.
    settings = app.settings_controller.settings
    app.settings_controller.apply(settings.model_copy(update={"accounts": settings.accounts[:1]}))
    assert [s.account.name for s in app.sessions] == ["Personal"]
    assert len(block_texts(app.tray)) == 1
    assert "Open &details…" in [a.text() for a in app.tray.menu.actions()]
    assert not acme.poller.armed
    before = acme_api.request_count
    wait_until_idle(qtbot, app)
    with qtbot.waitSignal(app.sessions[0].poller.snapshot_ready, timeout=10_000):
        app.sessions[0].poller.poll_now()  # (the menu's refresh has a cooldown)
    assert acme_api.request_count == before


def test_the_detail_window_switches_accounts_and_keeps_each_range(
    qtbot: QtBot,
    make_app: MakeApp,
    personal_api: FakeNeoApi,
    acme_api: FakeNeoApi,
) -> None:
    from desktop.core.query import GroupBy

    app = make_app(acme_api.url)
    start_and_wait_until_idle(qtbot, app)
    window = app.windows.detail()
    app.show_window(ACME_ID)
    assert window.account_combo.isVisible()
    assert window.shown_account_id == ACME_ID
    qtbot.waitUntil(lambda: window.range_bar.pending is None, timeout=10_000)
    acme_range = [r for r in acme_api.requests if "group_by" in r["query"]]
    assert acme_range  # the Acme page asked Acme's server
    combo = window.range_bar.group_combo
    combo.setCurrentIndex(combo.findData(GroupBy.MONTH))
    window.account_combo.setCurrentIndex(0)
    assert window.shown_account_id == DEFAULT_ID
    qtbot.waitUntil(lambda: window.range_bar.pending is None, timeout=10_000)
    assert window.range_bar.group_combo.currentData() == GroupBy.DAY  # Personal's own
    window.account_combo.setCurrentIndex(1)
    assert window.range_bar.group_combo.currentData() == GroupBy.MONTH  # Acme's, kept
    assert window.header.isVisible()


def test_set_token_opens_the_account_that_lost_access(
    qtbot: QtBot,
    make_app: MakeApp,
    personal_api: FakeNeoApi,
    acme_api: FakeNeoApi,
) -> None:
    acme_api.scenario = "unauthorized"
    app = make_app(acme_api.url)
    start_and_wait_until_idle(qtbot, app)
    app.tray.token_action.trigger()
    dialog = app.settings_controller.dialog
    assert dialog is not None
    assert dialog.selected_id == ACME_ID  # its token field, ready for a new token
    assert dialog.token_group.title() == "Neo API token of Acme"
