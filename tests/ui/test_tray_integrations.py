"""The tray menu's integrations (issue 30): "Open Neo" per account, and the event hook's
failure line until a success or a settings change."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from desktop.core.accounts import DEFAULT_WEB_URL
from desktop.core.hooks import HookOutcome, StartFailure
from desktop.ui.state import AccountState
from desktop.ui.tray import TrayView
from desktop.ui.tray_menu import TrayAccount
from tests.helpers.views import closed_after_test

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def make_view(qtbot: QtBot) -> TrayView:
    return closed_after_test(qtbot, TrayView(AccountState(), lambda: NOW))


def shown(view: TrayView) -> list[str]:
    """The menu's top-level texts (submenus included as their titles), as the user sees them."""
    return [action.text() for action in view.menu.actions() if action.isVisible()]


def test_one_account_has_open_neo_beside_its_details(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.set_accounts([TrayAccount("a", "Work", AccountState())])
    view.menu.aboutToShow.emit()
    texts = shown(view)
    assert texts.index("&Open Neo") == texts.index("Open &details…") + 1
    with qtbot.waitSignal(view.web_requested) as blocker:
        view.web_actions[0].trigger()
    assert blocker.args == [DEFAULT_WEB_URL]


def test_each_account_opens_its_own_web_address(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.set_accounts(
        [
            TrayAccount("a", "R&D", AccountState(), "https://neo.example.com/team"),
            TrayAccount("b", "Ops", AccountState()),
        ]
    )
    view.menu.aboutToShow.emit()
    assert [action.text() for action in view.web_actions] == [
        "Open Neo for R&&D",  # a Qt menu shows "R&D"
        "Open Neo for Ops",
    ]
    assert all(action in view.menu.actions() for action in view.web_actions)
    opened = []
    for action in view.web_actions:
        with qtbot.waitSignal(view.web_requested) as blocker:
            action.trigger()
        opened.extend(blocker.args)
    assert opened == ["https://neo.example.com/team", DEFAULT_WEB_URL]


def test_an_account_in_more_accounts_has_open_neo_in_its_submenu(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.set_accounts([TrayAccount(f"id{i}", f"Team {i}", AccountState()) for i in range(7)])
    view.menu.aboutToShow.emit()
    submenu = view._blocks[6].submenu
    assert submenu is not None
    assert view.web_actions[6] in submenu.actions()
    assert view.web_actions[6].text() == "Open Neo for Team 6"


def test_a_hook_failure_is_one_marked_line_until_cleared(qtbot: QtBot) -> None:
    """Issue 30's tester: the line wrapped mid-phrase and, in German, showed Qt's own words
    over four lines in the figures' grey. Now: one short line in the app's words, a warning
    icon, the details (Qt's words included, escaped) as its tooltip; choosing it opens the
    settings."""
    view = make_view(qtbot)
    view.set_accounts([TrayAccount("a", "Work", AccountState())])
    failure = HookOutcome(
        "low",
        None,
        error="Die Einrichtung des Kindprozesses ist fehlgeschlagen: execve: <b>nicht</b>",
        account="Work",
        title="Neo credits running low",
        not_started=StartFailure.NO_PROGRAM,
    )
    view.set_hook_failure(failure)
    view.menu.aboutToShow.emit()
    (action,) = view.hook_failure_actions
    assert action.text() == "Event hook could not start: no such program (low)"
    assert view.menu.actions()[0] is action
    assert action.isEnabled()  # drawn in full colour, unlike the figures' lines
    assert not action.icon().isNull()
    assert view.menu.toolTipsVisible()
    tip = action.toolTip()
    assert "The event hook could not start: there is no such program." in tip
    assert "It ran for Work: Neo credits running low" in tip
    assert "&lt;b&gt;nicht&lt;/b&gt;" in tip  # shown as written, never as markup
    with qtbot.waitSignal(view.settings_requested):
        action.trigger()
    # Another failure replaces it: said once, never piled up.
    view.set_hook_failure(failure._replace(not_started=None, error="", exit_code=3))
    assert [a.text() for a in view.hook_failure_actions] == [
        "Event hook failed: exit status 3 (low)"
    ]
    assert sum(text.startswith("Event hook") for text in shown(view)) == 1
    view.set_hook_failure(None)
    assert not view.hook_failure_actions
    assert not any(text.startswith("Event hook") for text in shown(view))


def test_the_failure_tooltip_never_shows_a_token(qtbot: QtBot) -> None:
    from desktop.system import logs

    token = "neo_sk_live_tooltip0123456789abcdef"
    logs.redactor.add_secret(token)
    view = make_view(qtbot)
    view.set_hook_failure(HookOutcome("low", 2, account="Work", title=f"t {token}", error=token))
    (action,) = view.hook_failure_actions
    assert token not in action.toolTip()
    assert token not in action.text()
