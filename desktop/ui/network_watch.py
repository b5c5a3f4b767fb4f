"""Tells when the network comes back (QNetworkInformation), once per process.

Qt's reachability backends are process-wide (on Linux the GLib one runs its own threads), so the
composition root owns one watcher and hands "online" to the poller.
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

    def start(self) -> bool:
        """Load a reachability backend; False where the platform has none (then nothing fires)."""
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
        info.reachabilityChanged.connect(self.on_reachability)
        return True

    @Slot(object)
    def on_reachability(self, reachability: object) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability == QNetworkInformation.Reachability.Online:
            self.online.emit()
