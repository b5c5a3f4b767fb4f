"""Views built by hand in a test, closed when the test ends."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.ui.tray import TrayView


def closed_after_test(qtbot: QtBot, view: TrayView) -> TrayView:
    """`view`, closed (its menu and itself deleted) by pytest-qt when the test ends."""
    qtbot.addWidget(view.menu, before_close_func=lambda _menu: view.close())
    return view
