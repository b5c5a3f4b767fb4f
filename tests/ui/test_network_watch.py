"""The network watcher: "online" only when reachability turns online."""

from __future__ import annotations

from PySide6.QtNetwork import QNetworkInformation
from pytestqt.qtbot import QtBot

from desktop.ui.network_watch import NetworkWatch


def test_online_only_when_reachable(qtbot: QtBot) -> None:
    watch = NetworkWatch()
    with qtbot.waitSignal(watch.online):
        watch.on_reachability(QNetworkInformation.Reachability.Online)
    for other in (
        QNetworkInformation.Reachability.Disconnected,
        QNetworkInformation.Reachability.Local,
        QNetworkInformation.Reachability.Unknown,
    ):
        with qtbot.assertNotEmitted(watch.online, wait=10):
            watch.on_reachability(other)


def test_start_says_whether_a_backend_exists(qtbot: QtBot) -> None:
    started = NetworkWatch().start()
    assert started is (QNetworkInformation.instance() is not None)


def test_online_only_when_it_changes(qtbot: QtBot) -> None:
    """Started late (after a failed poll), a backend that finds the network up says nothing:
    "back" is a change to online."""
    watch = NetworkWatch()
    online = QNetworkInformation.Reachability.Online
    with qtbot.waitSignal(watch.online):
        watch.on_reachability(online)
    with qtbot.assertNotEmitted(watch.online, wait=10):
        watch.on_reachability(online)
    watch.on_reachability(QNetworkInformation.Reachability.Disconnected)
    with qtbot.waitSignal(watch.online):
        watch.on_reachability(online)
