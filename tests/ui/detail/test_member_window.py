"""The detail window in member mode and in the no-permission state (issue 28's tester: the
Overview said `…` for ever, the Team tab was blank, Models said "No usage in this range", the
range controls stayed active, and the range row's sentence widened the window to 1170 px):
every tab says why, once, in its place; the Overview shows the member's figures; the controls
are disabled with the reason; nothing is asked for a range; a 200 brings it all back."""

from __future__ import annotations

import gettext
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.app import TrayApp
from desktop.core import detail_text, i18n
from desktop.core.errors import ErrorKind
from desktop.core.i18n import Language
from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
from desktop.core.models import summary_from_json
from desktop.core.snapshot import PollError, Snapshot
from desktop.fakeapi import FakeNeoApi
from desktop.fakeapi.world import UsageWorld
from desktop.ui.detail.explained import ExplainedPage
from desktop.ui.detail.window import DetailWindow
from desktop.ui.state import AccountState
from tests.helpers.app import start_and_wait_until_idle, wait_until_idle
from tests.ui.test_languages import PseudoTranslations

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WIDTH = 900  # the window's own width (`DetailWindow`): it must keep it in every language


def member(team: str | None = "Acme Sec") -> MemberSnapshot:
    profile = MemberProfile("maya@acme.test", team, MemberCap(75.0, 43.0, 32.0), True)
    return MemberSnapshot(profile, NOW)


def no_cap() -> PollError:
    return PollError(
        ErrorKind.NO_PERMISSION,
        "No permission to see usage: ask your team admin; your team has no spending cap.",
        NOW,
        short_message="No permission, no team cap — ask your team admin",
    )


def pages(window: DetailWindow) -> list[ExplainedPage]:
    tabs = window.tabs
    found = [tabs.widget(index) for index in range(tabs.count())]
    assert all(isinstance(page, ExplainedPage) for page in found)
    return found  # type: ignore[return-value]


def said(window: DetailWindow) -> list[str | None]:
    """What each tab says in its content's place (None: it shows its content)."""
    return [page.note.text() if page.explaining else None for page in pages(window)]


@pytest.fixture
def window(qtbot: QtBot) -> tuple[DetailWindow, AccountState, list[object]]:
    state = AccountState()
    made = DetailWindow(state, lambda: NOW)
    qtbot.addWidget(made)
    asked: list[object] = []
    made.range_requested.connect(lambda _account, query: asked.append(query))
    made.tasks_requested.connect(lambda _account, start, end: asked.append((start, end)))
    return made, state, asked


def visit_every_tab(qtbot: QtBot, window: DetailWindow) -> None:
    window.show_and_raise()
    qtbot.waitExposed(window)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
    window.tabs.setCurrentIndex(0)


def test_member_mode_says_why_in_every_tab_and_asks_nothing(
    qtbot: QtBot, window: tuple[DetailWindow, AccountState, list[object]]
) -> None:
    detail, state, asked = window
    state.on_member(member())
    visit_every_tab(qtbot, detail)
    why = detail_text.member_range_text()
    assert said(detail) == [why] * detail.tabs.count()
    assert asked == []  # no range, no year, no task listing: each would be a 403
    overview = detail.tabs.overview_page
    assert overview.shown_rows == (
        ("Cap left", "$32 (43%)"),
        ("Cap used", "$43"),
        ("Spending cap", "$75"),
        ("Team", "Acme Sec"),
        ("Email", "maya@acme.test"),
    )
    assert "…" not in [value for _title, value in overview.shown_rows]
    bar = detail.range_bar
    for control in (bar.range_combo, bar.group_combo, bar.from_edit, bar.to_edit):
        assert not control.isEnabled()
        assert control.toolTip() == why
    assert bar.range_status.text() == ""  # said in the tabs, not again on the range's row
    assert not bar.busy.isVisibleTo(detail)


def test_the_no_permission_state_says_its_sentence_in_every_tab(
    qtbot: QtBot, window: tuple[DetailWindow, AccountState, list[object]]
) -> None:
    detail, state, asked = window
    state.on_error(no_cap())
    visit_every_tab(qtbot, detail)
    why = detail_text.no_permission_text()
    assert said(detail) == [why] * detail.tabs.count()
    assert detail.tabs.overview_page.shown_rows == ()  # no figures of anyone's
    assert not detail.range_bar.range_combo.isEnabled()
    assert detail.range_bar.range_combo.toolTip() == why
    header = detail.header
    assert header.banner.isVisibleTo(detail)  # the full sentence and Retry, above
    # No credits to draw: no empty bar, "Expiry: —" or "Forecast: —".
    for widget in (header.credit_bar, header.expiry_label, header.forecast_label):
        assert not widget.isVisibleTo(detail)
    # The window asks nothing (a range, the year, the tasks: each would be a 403).
    assert asked == []
    assert detail.range_bar.pending is None


def test_a_200_brings_everything_back(
    qtbot: QtBot, window: tuple[DetailWindow, AccountState, list[object]]
) -> None:
    detail, state, asked = window
    state.on_member(member())
    visit_every_tab(qtbot, detail)
    assert asked == []
    summary = summary_from_json(UsageWorld(NOW).summary(NOW))
    state.on_snapshot(Snapshot(summary, NOW))  # promoted to admin
    assert said(detail) == [None] * detail.tabs.count()
    assert detail.tabs.overview_page.shown_rows == ()
    assert detail.range_bar.range_combo.isEnabled()
    assert detail.range_bar.range_combo.toolTip() == ""
    assert detail.range_bar.pending is not None  # the chosen range is asked again
    assert detail.range_bar.pending in asked
    assert detail.header.credit_bar.isVisibleTo(detail)
    assert detail.header.forecast_label.isVisibleTo(detail)


@pytest.fixture(params=["de", "fr", "pseudo"])
def speaking(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "pseudo":
        translation: gettext.NullTranslations = PseudoTranslations()
        i18n.use(Language("en", "en"), translation)
    else:
        i18n.use(Language(request.param, request.param))
    yield request.param
    i18n.use(Language())


@pytest.mark.parametrize("mode", ["member", "no_cap"])
def test_the_window_keeps_its_width_in_every_language(
    qtbot: QtBot, speaking: str, mode: str
) -> None:
    state = AccountState()
    detail = DetailWindow(state, lambda: NOW)
    qtbot.addWidget(detail)
    # A long team name (the server's, up to 200 characters) wraps too.
    if mode == "member":
        state.on_member(member("Acme Security Research " * 8))
    else:
        state.on_error(no_cap())
    visit_every_tab(qtbot, detail)
    for index in range(detail.tabs.count()):
        detail.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        assert detail.minimumSizeHint().width() <= WIDTH, (speaking, index)
        assert detail.width() == WIDTH, (speaking, index)


def range_requests(fake_api: FakeNeoApi) -> list[dict[str, object]]:
    """Summary requests with a window: the ranges (the main poll asks without one)."""
    return [
        r
        for r in fake_api.requests
        if r["path"] == "/api/v1/usage/summary" and "from" in r["query"]
    ]


def test_through_the_tray_no_range_is_asked_and_a_promotion_asks_again(
    qtbot: QtBot, tray_app: TrayApp, fake_api: FakeNeoApi, caplog: pytest.LogCaptureFixture
) -> None:
    """With no tray host the window opens at start and asks for its range before the first
    answer: member mode drops it, so no 403 is fetched or logged for a range."""
    caplog.set_level(logging.INFO)
    fake_api.scenario = "member_cap"
    start_and_wait_until_idle(qtbot, tray_app)
    detail = tray_app.windows.detail()
    qtbot.addWidget(detail)
    detail.show_and_raise()
    for index in range(detail.tabs.count()):
        detail.tabs.setCurrentIndex(index)
    session = tray_app.sessions[0]
    wait_until_idle(qtbot, tray_app)
    assert range_requests(fake_api) == []
    assert not [r for r in fake_api.requests if r["path"].startswith("/api/v1/tasks")]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [text for text in warnings if "Fetch failed" in text], warnings
    assert said(detail) == [detail_text.member_range_text()] * detail.tabs.count()
    # Promoted: the next poll's summary answers; the tabs, the controls and the range return.
    fake_api.scenario = "ok"
    with qtbot.waitSignal(session.poller.snapshot_ready, timeout=10_000):
        assert session.poller.refresh_now()
    wait_until_idle(qtbot, tray_app)
    assert said(detail) == [None] * detail.tabs.count()
    assert detail.range_bar.range_combo.isEnabled()
    assert len(range_requests(fake_api)) >= 1
    assert detail.range_bar.pending is None
    assert detail.tabs.summary is not None  # the range's figures, not "…"


def visible_tabs(window: DetailWindow) -> list[str]:
    tabs = window.tabs
    return [tabs.tabText(index) for index in range(tabs.count()) if tabs.isTabVisible(index)]


@pytest.mark.parametrize("mode", ["member", "no_cap"])
def test_only_the_overview_is_in_the_tab_bar_and_the_range_row_is_hidden(
    qtbot: QtBot, window: tuple[DetailWindow, AccountState, list[object]], mode: str
) -> None:
    """Issue 28's tester: seven tabs that all said one sentence, and a greyed range row."""
    detail, state, _asked = window
    detail.show_and_raise()
    qtbot.waitExposed(detail)
    detail.tabs.setCurrentIndex(detail.tabs.models_index)  # where a user may have left it
    if mode == "member":
        state.on_member(member())
    else:
        state.on_error(no_cap())
    assert visible_tabs(detail) == ["&Overview"]
    assert detail.tabs.currentIndex() == detail.tabs.overview_index
    assert not detail.range_bar.isVisibleTo(detail)
    assert detail.tabs.tabBar().isVisibleTo(detail)  # the Overview's title stays
    # A tab reached anyway (a shortcut, an accessibility tool) still says why.
    assert said(detail)[detail.tabs.models_index] is not None
    summary = summary_from_json(UsageWorld(NOW).summary(NOW))
    state.on_snapshot(Snapshot(summary, NOW))  # a 200: every tab and the range row come back
    assert len(visible_tabs(detail)) == detail.tabs.count() == 8
    assert detail.range_bar.isVisibleTo(detail)
