"""The tray view offscreen (no tray host): the fallback to the window, menu labels and intents,
many accounts, and the icon's tint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from desktop.core.errors import ErrorKind
from desktop.core.models import parse_summary
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.tasks import TaskListing, TaskRow, TasksStatus, today_window
from desktop.ui.state import AccountState
from desktop.ui.tray import TrayView
from desktop.ui.tray_menu import STATUS_LINES, TrayAccount
from tests.helpers.constants import shared_example
from tests.helpers.views import block_texts, closed_after_test, status_actions, waiting_for_tray

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def realistic_snapshot(minutes_ago: float = 2) -> Snapshot:
    return Snapshot(
        parse_summary(shared_example("example-realistic.json")),
        NOW - timedelta(minutes=minutes_ago),
    )


def make_view(qtbot: QtBot, state: AccountState) -> TrayView:
    return closed_after_test(qtbot, TrayView(state, lambda: NOW))


def test_without_a_tray_host_it_asks_for_the_window_and_keeps_trying(qtbot: QtBot) -> None:
    state = AccountState()
    view = make_view(qtbot, state)
    with qtbot.waitSignal(view.availability_changed) as blocker:
        shown = view.start()
    assert shown is False
    assert blocker.args == [False]
    assert waiting_for_tray(view)
    view.hide()


def test_menu_labels_follow_the_state(qtbot: QtBot) -> None:
    state = AccountState()
    view = make_view(qtbot, state)
    view.build_menu()
    state.on_snapshot(realistic_snapshot())
    view.menu.aboutToShow.emit()
    texts = [action.text() for action in status_actions(view)]
    assert texts[0] == "Available: 1,400 of 2,000 credits (70%)"
    assert texts[1].startswith("Expires in ")
    assert texts[2] == ""  # no forecast yet
    assert not status_actions(view)[2].isVisible()
    assert texts[3] == "Used since last reset: 600.4 credits"
    assert texts[4] == ""  # today's tasks not fetched yet
    assert not status_actions(view)[4].isVisible()
    assert texts[5] == "Updated 2 min ago"
    start, end = today_window(NOW)
    top = TaskRow("t1", NOW, neo_credits=18.2, task_title="R&D scan")
    state.on_tasks_today(TaskListing(TasksStatus.OK, start, end, (top,), 1))
    view.menu.aboutToShow.emit()
    assert status_actions(view)[4].isVisible()
    assert status_actions(view)[4].text() == "Today: 18.2 credits · 1 task · top: R&&D scan (18.2)"
    state.on_error(
        PollError(
            ErrorKind.NO_PERMISSION,
            "No permission to see usage: ask your team admin (long sentence).",
            NOW,
            short_message="No permission — ask your team admin",
        )
    )
    assert (
        status_actions(view)[5].text()
        == "No permission — ask your team admin · data from 2 min ago"
    )
    assert view.icon is None  # offscreen: no tray host
    labels = [action.text() for action in view.menu.actions() if action.text()]
    assert {"&Refresh now", "Open &details…", "Set &token…", "&Pause polling", "&Quit"} <= set(
        labels
    )


def test_menu_actions_emit_intents(qtbot: QtBot) -> None:
    view = make_view(qtbot, AccountState())
    view.build_menu()
    with qtbot.waitSignal(view.refresh_requested):
        view.refresh_action.trigger()
    with qtbot.waitSignal(view.details_requested):
        view.details_action.trigger()
    with qtbot.waitSignal(view.pause_toggled) as blocker:
        view.pause_action.trigger()
    assert blocker.args == [True]
    with qtbot.waitSignal(view.quit_requested):
        view.quit_action.trigger()


# --- menu text and many accounts ---------------------------------------------------------------


def test_an_account_name_with_an_ampersand_is_shown_as_typed(qtbot: QtBot) -> None:
    view = make_view(qtbot, AccountState())
    view.set_accounts(
        [
            TrayAccount("a", "R&D", AccountState()),
            TrayAccount("b", "ops_team\u001b[2J", AccountState()),
        ]
    )
    first, second = block_texts(view)
    assert first[0] == "R&&D"  # a Qt menu shows "R&D"
    assert second[0] == "ops_team"  # the escape sequence is gone, the underscore stays
    details = [action for action in view.menu.actions() if action.text().startswith("Open &d")]
    assert [action.text() for action in details] == [
        "Open &details for R&&D…",  # not R&&&&D: escaped once
        "Open &details for ops_team…",
    ]
    with qtbot.waitSignal(view.details_requested) as blocker:
        details[0].trigger()
    assert blocker.args == ["a"]


def test_two_hundred_accounts_keep_settings_and_quit_in_reach(qtbot: QtBot) -> None:
    states = [AccountState() for _ in range(200)]
    states[150].on_snapshot(realistic_snapshot())
    view = make_view(qtbot, states[0])
    view.set_accounts([TrayAccount(f"id{i}", f"Team {i}", s) for i, s in enumerate(states)])
    view.menu.aboutToShow.emit()
    top = view.menu.actions()
    assert len(top) <= 5 * (1 + STATUS_LINES + 3) + 12  # five blocks and the fixed items
    assert view.settings_action in top
    assert view.quit_action in top
    more = [action for action in top if action.menu() is view.more_menu]
    assert len(more) == 1
    assert more[0].text() == "&More accounts"
    entries = [action.menu() for action in view.more_menu.actions()]
    submenus = [menu for menu in entries if isinstance(menu, QMenu)]
    assert len(submenus) == len(entries) == 195
    assert [menu.title() for menu in submenus] == [f"Team {i}" for i in range(5, 200)]
    team_150 = submenus[145]
    texts = [action.text() for action in team_150.actions() if action.isVisible()]
    assert texts[0] == "Available: 1,400 of 2,000 credits (70%)"
    assert texts[-2:] == ["Open &details for Team 150…", "Open Neo for Team 150"]
    with qtbot.waitSignal(view.details_requested) as blocker:
        team_150.actions()[-2].trigger()
    assert blocker.args == ["id150"]
    # New data relabels that account's entries at once (a dbusmenu host may not ask first).
    states[199].on_snapshot(realistic_snapshot())
    assert submenus[194].actions()[0].text() == "Available: 1,400 of 2,000 credits (70%)"
    # Back to a few accounts: the submenu goes.
    view.set_accounts([TrayAccount("id0", "Team 0", states[0])])
    assert view.more_menu not in [action.menu() for action in view.menu.actions()]


def test_auto_monochrome_follows_the_desktops_scheme_not_the_palette(qtbot: QtBot) -> None:
    """A light palette (black text) under a dark desktop drew a black icon on a dark panel:
    the appearance portal's preference decides where Qt's theme knows none."""
    from PySide6.QtGui import QGuiApplication, QPalette

    from desktop.core.looks import IconStyle, IconTone
    from desktop.core.presentation import ViewState

    assert QGuiApplication.palette().color(QPalette.ColorRole.WindowText).lightness() < 60
    view = make_view(qtbot, AccountState())
    auto = ViewState(icon_style=IconStyle.MONOCHROME, icon_tone=IconTone.AUTO)
    tint = view.tint(auto)
    assert tint is not None
    assert tint.lightness() < 60
    view.set_portal_scheme(True)  # the portal says: prefers dark
    tint = view.tint(auto)
    assert tint is not None
    assert tint.lightness() > 200
    forced = ViewState(icon_style=IconStyle.MONOCHROME, icon_tone=IconTone.DARK)
    forced_tint = view.tint(forced)
    assert forced_tint is not None
    assert forced_tint.lightness() < 60
    assert view.tint(ViewState()) is None  # the colour style


def test_a_palette_change_repaints_the_icon(qtbot: QtBot) -> None:
    """Monochrome's AUTO tone follows the palette where no scheme is known: a palette change
    reaches the view through its menu (no filter on every event of the application)."""
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    view = make_view(qtbot, AccountState())
    renders: list[bool] = []
    view.render = lambda: renders.append(True)  # type: ignore[method-assign]
    original = QApplication.palette()
    QApplication.setPalette(QPalette(QColor("#202020")))
    try:
        qtbot.waitUntil(lambda: bool(renders), timeout=2_000)
    finally:
        QApplication.setPalette(original)
