"""One tray per user: a QLockFile guards the instance, a QLocalServer lets a second launch reach it.

A second `neo-tray` sends "show" to the first and exits 0. A lock left by a crashed process, or
held by an unrelated process that reused its PID (it does not answer on the socket), is taken
over. A lock that cannot be written at all is reported, and the tray runs without the guard.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sys
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from desktop.system import paths

log = logging.getLogger(__name__)
SHOW_MESSAGE = b"show\n"


def server_name(directory: Path, key: str) -> str:
    """A socket path in the user's own state dir on Unix; a per-user pipe name on Windows."""
    if sys.platform == "win32":
        digest = hashlib.sha256(str(directory).encode()).hexdigest()[:16]
        return f"{key}-{digest}"
    return str(directory / f"{key}.sock")


class Claim(Enum):
    """How a claim of the single instance ended."""

    CLAIMED = "claimed"  # this process is the instance
    RUNNING = "running"  # a live instance answered on its socket and was asked to show itself
    UNAVAILABLE = "unavailable"  # no lock could be taken and nobody answered (disk, permissions)


class SingleInstance(QObject):
    """One tray per user and mode.

    Signals:
        activation_requested(): a second launch asked this instance to show its window.
    """

    activation_requested = Signal()

    def __init__(self, directory: Path, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._directory = directory
        self._lock_path = directory / f"{key}.lock"
        self._lock = QLockFile(str(self._lock_path))
        self._lock.setStaleLockTime(0)  # held for the app's life: only a dead PID makes it stale
        self._name = server_name(directory, key)
        self._server: QLocalServer | None = None
        self.problem = ""  # why the claim was unavailable, for the user

    def claim(self) -> Claim:
        """Take the instance; only a live instance answering on its socket means "running"."""
        try:
            paths.private_dir(self._directory)
        except OSError as exc:
            self.problem = f"cannot create {self._directory}: {exc.strerror}"
            return Claim.UNAVAILABLE
        if self._try_lock():
            return Claim.CLAIMED
        if self._lock.error() is not QLockFile.LockError.LockFailedError:
            self.problem = f"cannot write the lock file {self._lock_path}"
            return Claim.UNAVAILABLE
        if self._notify_running_instance():
            return Claim.RUNNING
        # The lock's PID is alive but is not a tray (a reused PID): the lock is stale.
        log.warning("The instance lock is held by a process that does not answer; taking it")
        with contextlib.suppress(OSError):
            self._lock_path.unlink()
        if self._try_lock():
            return Claim.CLAIMED
        self.problem = f"the lock file {self._lock_path} is held and cannot be taken over"
        return Claim.UNAVAILABLE

    def _try_lock(self) -> bool:
        if not self._lock.tryLock(200):
            return False
        with contextlib.suppress(OSError):
            os.chmod(self._lock_path, 0o600)
        QLocalServer.removeServer(self._name)  # a socket file left by a crash
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self._server.listen(self._name):
            log.warning("Single-instance server failed: %s", self._server.errorString())
        self._server.newConnection.connect(self._on_connection)
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
        self._lock.unlock()

    def _notify_running_instance(self) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(self._name)
        if not socket.waitForConnected(2000):
            return False
        socket.write(SHOW_MESSAGE)
        socket.waitForBytesWritten(2000)
        socket.disconnectFromServer()
        return True

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
