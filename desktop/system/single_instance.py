"""One tray per user: a QLockFile guards the instance, a QLocalServer lets a second launch reach it.

A second `neo-tray` sends "show" to the first and exits 0. A lock left by a crashed process is
detected by its PID and taken over.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)
SHOW_MESSAGE = b"show\n"


def server_name(directory: Path, key: str) -> str:
    """A socket path in the user's own state dir on Unix; a per-user pipe name on Windows."""
    if sys.platform == "win32":
        digest = hashlib.sha256(str(directory).encode()).hexdigest()[:16]
        return f"{key}-{digest}"
    return str(directory / f"{key}.sock")


class SingleInstance(QObject):
    """One tray per user and mode.

    Signals:
        activation_requested(): a second launch asked this instance to show its window.
    """

    activation_requested = Signal()

    def __init__(self, directory: Path, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        directory.mkdir(parents=True, exist_ok=True)
        self._lock = QLockFile(str(directory / f"{key}.lock"))
        self._lock.setStaleLockTime(0)  # held for the app's life: only a dead PID makes it stale
        self._name = server_name(directory, key)
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """True when this process is the one instance; False after asking the other to show."""
        if self._lock.tryLock(200):
            QLocalServer.removeServer(self._name)  # a socket file left by a crash
            self._server = QLocalServer(self)
            self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
            if not self._server.listen(self._name):
                log.warning("Single-instance server failed: %s", self._server.errorString())
            self._server.newConnection.connect(self._on_connection)
            return True
        self._notify_running_instance()
        return False

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
        self._lock.unlock()

    def _notify_running_instance(self) -> None:
        socket = QLocalSocket()
        socket.connectToServer(self._name)
        if socket.waitForConnected(2000):
            socket.write(SHOW_MESSAGE)
            socket.waitForBytesWritten(2000)
            socket.disconnectFromServer()
        else:
            log.warning("Another instance holds the lock but did not answer")

    @Slot()
    def _on_connection(self) -> None:
        if self._server is None:
            return
        while (client := self._server.nextPendingConnection()) is not None:
            client.readyRead.connect(self._on_ready_read)
            client.disconnected.connect(client.deleteLater)

    @Slot()
    def _on_ready_read(self) -> None:
        client = self.sender()
        if isinstance(client, QLocalSocket) and bytes(client.readAll().data()).startswith(
            SHOW_MESSAGE.strip()
        ):
            self.activation_requested.emit()
