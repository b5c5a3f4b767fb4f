"""The tray menu's integrations (issue 30): "Open Neo" per account, and the event hook's
failure line until a success or a settings change."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from desktop.core.accounts import DEFAULT_WEB_URL
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


def test_a_hook_failure_is_one_line_until_cleared(qtbot: QtBot) -> None:
    view = make_view(qtbot)
    view.set_accounts([TrayAccount("a", "Work", AccountState())])
    failure = "Event hook failed (low): The event hook failed with exit status 3."
    view.set_hook_failure(failure)
    view.menu.aboutToShow.emit()
    lines = [action.text() for action in view.hook_failure_actions]
    assert " ".join(lines) == failure
    assert all(not action.isEnabled() for action in view.hook_failure_actions)
    assert view.menu.actions()[: len(lines)] == view.hook_failure_actions
    # Another failure replaces it: said once, never piled up.
    view.set_hook_failure(failure)
    assert sum(text.startswith("Event hook failed") for text in shown(view)) == 1
    view.set_hook_failure(None)
    assert not view.hook_failure_actions
    assert not any(text.startswith("Event hook") for text in shown(view))
