"""Snoozed notifications: the tray menu says until when (issue 24)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.core import fmt
from desktop.core.rules.memory import SnoozeChoice
from desktop.core.rules.messages import Notification
from desktop.core.settings import Settings
from desktop.ui.alerts import AlertCenter
from desktop.ui.state import AccountState
from desktop.ui.tray import TrayView
from tests.helpers.views import closed_after_test

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class Silent:
    def notify(self, note: Notification) -> None:
        del note


def test_the_menu_says_until_when_notifications_are_snoozed(qtbot: QtBot, tmp_path: Path) -> None:
    clock = [NOW]
    state = AccountState()
    alerts = AlertCenter(
        Silent(), Settings(), "http://127.0.0.1:9", tmp_path / "memory.json", clock=lambda: clock[0]
    )
    alerts.snoozed_changed.connect(state.set_snoozed_until)
    view = closed_after_test(qtbot, TrayView(state, lambda: clock[0]))
    view.build_menu()
    view.menu.aboutToShow.emit()
    assert view.snooze_menu.title() == "S&nooze notifications"
    assert not view.snooze_actions[SnoozeChoice.RESUME].isEnabled()

    with qtbot.waitSignal(alerts.snoozed_changed) as blocker:
        alerts.snooze(SnoozeChoice.HOUR)
    until = blocker.args[0]
    assert until == NOW + timedelta(hours=1)
    view.menu.aboutToShow.emit()
    when = fmt.clock_time(until, NOW)
    assert view.snooze_menu.title() == f"Notifications s&noozed until {when}"
    assert view.snooze_actions[SnoozeChoice.RESUME].isEnabled()

    clock[0] = NOW + timedelta(hours=1, seconds=1)  # the snooze has ended
    view.menu.aboutToShow.emit()
    assert view.snooze_menu.title() == "S&nooze notifications"

    alerts.snooze(SnoozeChoice.TOMORROW)
    view.menu.aboutToShow.emit()
    assert "until" in view.snooze_menu.title()
    with qtbot.waitSignal(alerts.snoozed_changed) as blocker:
        alerts.snooze(SnoozeChoice.RESUME)
    assert blocker.args[0] is None
    view.menu.aboutToShow.emit()
    assert view.snooze_menu.title() == "S&nooze notifications"
    view.hide()
