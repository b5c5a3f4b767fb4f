"""A click on the tray icon: the window comes up (shown, restored, raised, activated) unless it
already is the active window, which a click hides (KStatusNotifierItem's rule)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSystemTrayIcon, QWidget
from pytestqt.qtbot import QtBot

from desktop.app import TrayApp

# Offscreen has no tray window for Qt's X11 tray code to follow; said once the icon is made.
pytestmark = pytest.mark.qt_log_ignore("systemTrayWindowChanged")
TRIGGER = QSystemTrayIcon.ActivationReason.Trigger
DOUBLE_CLICK = QSystemTrayIcon.ActivationReason.DoubleClick


@pytest.fixture
def tray_icon(qtbot: QtBot, tray_app: TrayApp, monkeypatch: pytest.MonkeyPatch) -> QSystemTrayIcon:
    """The tray's real icon, as if a tray host were there (offscreen has none)."""
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    assert tray_app.tray.start()
    icon = tray_app.tray.icon
    assert icon is not None
    return icon


def click(icon: QSystemTrayIcon, reason: QSystemTrayIcon.ActivationReason = TRIGGER) -> None:
    icon.activated.emit(reason)


def other_window(qtbot: QtBot) -> QWidget:
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow)
    return other


def test_a_click_opens_the_window_and_a_click_on_the_active_window_hides_it(
    qtbot: QtBot, tray_app: TrayApp, tray_icon: QSystemTrayIcon
) -> None:
    click(tray_icon)
    window = tray_app.windows.detail()
    qtbot.addWidget(window)
    qtbot.waitUntil(window.isActiveWindow)
    click(tray_icon)
    assert not window.isVisible()
    click(tray_icon)
    assert window.isVisible()


def test_a_click_raises_an_open_window_that_is_not_active(
    qtbot: QtBot, tray_app: TrayApp, tray_icon: QSystemTrayIcon
) -> None:
    """The window open behind another: a click brings it to the front, it never hides it."""
    window = tray_app.windows.detail()
    qtbot.addWidget(window)
    window.show()
    other_window(qtbot)
    assert window.isVisible()
    assert not window.isActiveWindow()
    click(tray_icon)
    assert window.isVisible()
    qtbot.waitUntil(window.isActiveWindow)


def test_a_click_restores_a_minimised_window(
    qtbot: QtBot, tray_app: TrayApp, tray_icon: QSystemTrayIcon
) -> None:
    window = tray_app.windows.detail()
    qtbot.addWidget(window)
    window.show()
    window.setWindowState(Qt.WindowState.WindowMinimized)
    other_window(qtbot)
    click(tray_icon)
    assert window.isVisible()
    assert not window.isMinimized()
    qtbot.waitUntil(window.isActiveWindow)


def test_a_double_click_never_ends_hidden(
    qtbot: QtBot, tray_app: TrayApp, tray_icon: QSystemTrayIcon
) -> None:
    """X11 reports a double click as a click, then a double click."""
    window = tray_app.windows.detail()
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    click(tray_icon, TRIGGER)
    click(tray_icon, DOUBLE_CLICK)
    assert window.isVisible()
