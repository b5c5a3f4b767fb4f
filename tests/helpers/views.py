"""Views built by hand in a test, closed when the test ends, and what a test reads off them."""

from __future__ import annotations

from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from desktop.core import settings_form
from desktop.core.settings import Settings
from desktop.core.settings_form import Refused
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.tray import TrayView


def closed_after_test(qtbot: QtBot, view: TrayView) -> TrayView:
    """`view`, closed (its menu and itself deleted) by pytest-qt when the test ends."""
    qtbot.addWidget(view.menu, before_close_func=lambda _menu: view.close())
    return view


def status_actions(view: TrayView) -> list[QAction]:
    """The menu's status lines of `view`'s first account (the only one with one account)."""
    return view._blocks[0].lines


def block_texts(view: TrayView) -> list[list[str]]:
    """Each account's menu block as shown: its name (with several), visible lines, details."""
    return [
        [
            action.text()
            for action in ([block.title] if view.several else []) + block.lines
            if action.isVisible()
        ]
        for block in view._blocks
    ]


def waiting_for_tray(view: TrayView) -> bool:
    """Whether `view` found no tray host yet and checks again on a timer."""
    return view._retry.isActive()


def form_settings(dialog: SettingsDialog) -> Settings:
    """The settings `dialog`'s form shows, merged the way the dialog merges them before it sends
    them; raises ValueError with the reason the dialog would show instead."""
    result = settings_form.merged(dialog._settings, dialog.form())
    if isinstance(result, Refused):
        raise ValueError(result.reason)
    return result
