"""Waiting for the notifier: its deliveries run off the UI thread and report back to it."""

from __future__ import annotations

from PySide6.QtCore import QEventLoop, QTimer

from desktop.ui.notifier import Notifier


def wait_for_deliveries(notifier: Notifier, timeout: float = 10.0) -> None:
    """Run the event loop until every note `notifier` was asked for is delivered (or `timeout`
    seconds have passed)."""
    if not notifier._sending:
        return
    loop = QEventLoop()
    notifier._idle.connect(loop.quit)
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    loop.exec()
    notifier._idle.disconnect(loop.quit)
