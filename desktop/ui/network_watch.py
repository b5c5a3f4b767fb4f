"""Tells when the network comes back (QNetworkInformation), once per process.

Qt's reachability backends are process-wide (on Linux the GLib one runs its own threads and
brings GIO: about 3 MB), so the composition root owns one watcher, starts it only once a poll
has failed (the return of the network matters only then) and hands "online" to the poller.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


class NetworkWatch(QObject):
    """Watches the system's network reachability.

    Signals:
        online(): the network became reachable again.
    """

    online = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reachability: object = None  # the last one seen; None before any

    def start(self) -> bool:
        """Load a reachability backend; False where the platform has none (then nothing fires).
        What it reports now is where "back" starts from: a backend loaded while the network is
        up says nothing until the network goes and returns."""
        from PySide6.QtNetwork import QNetworkInformation

        try:
            loaded = QNetworkInformation.loadBackendByFeatures(
                QNetworkInformation.Feature.Reachability
            )
        except RuntimeError:
            return False
        info = QNetworkInformation.instance() if loaded else None
        if info is None:
            return False
        self._reachability = info.reachability()
        info.reachabilityChanged.connect(self.on_reachability)
        return True

    @Slot(object)
    def on_reachability(self, reachability: object) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        online = QNetworkInformation.Reachability.Online
        previous, self._reachability = self._reachability, reachability
        if reachability == online and previous != online:
            self.online.emit()
