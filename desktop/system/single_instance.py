"""One tray per user and mode: an exclusive lock on a file decides which process is the tray; a
local socket only carries a second launch's "show the window".

The lock (`flock` on Unix, `msvcrt.locking` on Windows) is taken in one atomic step, held for
the app's life and released by the kernel when the process ends, however it ends: a lock is
never stale, so it is never taken over and its file is never deleted. Whoever fails to take it
is a second launch, whether or not the tray answers on its socket (it may be busy or still
starting), and exits 0 after asking it to show its window.

The socket answers or drops every connection without dying: at most `MAX_CLIENTS` are open at
once (a new one closes the oldest, so a flood cannot keep a launch out), each for at most
`CLIENT_MS`, and running out of file descriptors (EMFILE) drops the waiting connection instead
of closing the socket (Qt's QLocalServer closes itself for good then).

QtNetwork is imported only where it is used (Windows' pipe, a second launch's message): the
tray on Unix starts without it (about 3 MB and 5 ms).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
import stat
import sys
import time
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal, Slot

from desktop.system import paths

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)
SHOW_MESSAGE = b"show\n"
MAX_CLIENTS = 8  # connections open at once; a new one closes the oldest
CLIENT_MS = 1_000  # a connection that has not said "show" by then is closed
LISTEN_BACKLOG = 16
NOTIFY_MS = 1_500  # how long a second launch tries to reach the tray (it may be starting)
OUT_OF_DESCRIPTORS = (errno.EMFILE, errno.ENFILE)


def server_name(directory: Path, key: str) -> str:
    """A socket path in the user's own state dir on Unix; a per-user pipe name on Windows."""
    if sys.platform == "win32":
        import hashlib

        digest = hashlib.sha256(str(directory).encode()).hexdigest()[:16]
        return f"{key}-{digest}"
    return str(directory / f"{key}.sock")


def _lock_exclusive(fd: int) -> bool:
    """Take the lock on `fd` without waiting; False when another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EDEADLK):
                return False
            raise
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class Claim(Enum):
    """How a claim of the single instance ended."""

    CLAIMED = "claimed"  # this process is the instance
    RUNNING = "running"  # another process holds the lock; it was asked to show itself
    UNAVAILABLE = "unavailable"  # the lock file cannot be used at all (disk, permissions)


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
        self._lock_fd: int | None = None
        self._name = server_name(directory, key)
        self._listener: socket.socket | None = None  # Unix
        self._listen_notifier: QSocketNotifier | None = None
        self._spare_fd: int | None = None  # given up to accept (and drop) when out of fds
        self._clients: dict[socket.socket, QSocketNotifier] = {}
        self._pipe_server: QLocalServer | None = None  # Windows
        self._pipe_clients: dict[QLocalSocket, None] = {}  # oldest first
        self.problem = ""  # why the claim was unavailable, for the user

    # --- the lock -------------------------------------------------------------------------------
    def claim(self) -> Claim:
        """Take the instance, or ask the one that has it to show its window."""
        try:
            paths.private_dir(self._directory)
        except OSError as exc:
            self.problem = f"cannot create {self._directory}: {exc.strerror}"
            return Claim.UNAVAILABLE
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self._lock_path, flags, 0o600)
        except OSError as exc:
            self.problem = f"cannot open the lock file {self._lock_path}: {exc.strerror}"
            return Claim.UNAVAILABLE
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(errno.EINVAL, "not a regular file")
            locked = _lock_exclusive(fd)
        except OSError as exc:
            os.close(fd)
            self.problem = f"cannot lock {self._lock_path}: {exc.strerror}"
            return Claim.UNAVAILABLE
        if not locked:
            os.close(fd)
            if not self._notify_running_instance():
                log.warning("The running tray did not answer on its socket; not starting another")
            return Claim.RUNNING
        self._lock_fd = fd
        with contextlib.suppress(OSError):  # the PID, for people; the lock is the descriptor
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)  # a file left by an older version
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        self._listen()
        return Claim.CLAIMED

    def release(self) -> None:
        """Stop answering and let the next tray start (the lock file itself stays)."""
        for client in list(self._clients):
            self._drop(client)
        if self._listen_notifier is not None:
            self._listen_notifier.setEnabled(False)
            self._listen_notifier = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
            with contextlib.suppress(OSError):
                os.unlink(self._name)  # still ours: the lock is held until the next line
        if self._spare_fd is not None:
            os.close(self._spare_fd)
            self._spare_fd = None
        if self._pipe_server is not None:
            self._pipe_server.close()
            self._pipe_server = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the lock
            self._lock_fd = None

    # --- a second launch ------------------------------------------------------------------------
    def _notify_running_instance(self) -> bool:
        """Send "show" to the tray; it may be starting (not listening yet) or busy."""
        from PySide6.QtNetwork import QLocalSocket

        deadline = time.monotonic() + NOTIFY_MS / 1000
        while True:
            sender = QLocalSocket()
            left_ms = max(1, round((deadline - time.monotonic()) * 1000))
            sender.connectToServer(self._name)
            if sender.waitForConnected(left_ms):
                sender.write(SHOW_MESSAGE)
                sent = sender.waitForBytesWritten(left_ms)
                sender.disconnectFromServer()
                return sent
            sender.abort()
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    # --- the socket: Unix -----------------------------------------------------------------------
    def _listen(self) -> None:
        if sys.platform == "win32":
            self._listen_pipe()
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._name)  # left by a crash: nobody serves it, since we hold the lock
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(self._name)
            os.chmod(self._name, 0o600)
            listener.listen(LISTEN_BACKLOG)
            listener.setblocking(False)
        except OSError as exc:
            listener.close()
            log.warning("Single-instance socket failed (%s): a second launch cannot reach us", exc)
            return
        self._listener = listener
        self._spare_fd = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        self._listen_notifier = QSocketNotifier(listener.fileno(), QSocketNotifier.Type.Read, self)
        self._listen_notifier.activated.connect(self._accept)

    @Slot()
    def _accept(self) -> None:
        while self._listener is not None:
            try:
                client, _address = self._listener.accept()
            except BlockingIOError:
                return
            except OSError as exc:
                # Linux reports EMFILE before it looks for a connection: drop one if any waits.
                if exc.errno in OUT_OF_DESCRIPTORS and self._spare_fd is not None:
                    if self._drop_waiting_connection():
                        continue
                    return
                self._pause_accepting(exc)
                return
            if len(self._clients) >= MAX_CLIENTS:
                self._drop(next(iter(self._clients)))  # a flood: the oldest goes
            self._adopt(client)

    def _drop_waiting_connection(self) -> bool:
        """Out of descriptors: free the spare one, accept the waiting connection into it and
        close it, so the socket neither closes nor wakes us for it again. False when no
        connection was waiting."""
        assert self._listener is not None
        assert self._spare_fd is not None
        os.close(self._spare_fd)
        dropped = False
        try:
            self._listener.accept()[0].close()
            dropped = True
            log.warning("Out of file descriptors: dropped a connection to the instance socket")
        except OSError:
            pass  # none waiting (BlockingIOError), or the spare went elsewhere meanwhile
        try:
            self._spare_fd = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self._spare_fd = None
            self._pause_accepting(OSError(errno.EMFILE, "no spare descriptor"))
            return False
        return dropped

    def _pause_accepting(self, exc: OSError) -> None:
        """An accept that keeps failing must not spin: listen again a moment later."""
        log.warning("Single-instance socket: %s; pausing it for a moment", exc)
        if self._listen_notifier is not None:
            self._listen_notifier.setEnabled(False)
            QTimer.singleShot(CLIENT_MS, self._resume_accepting)

    @Slot()
    def _resume_accepting(self) -> None:
        if self._spare_fd is None:
            with contextlib.suppress(OSError):
                self._spare_fd = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        if self._listen_notifier is not None:
            self._listen_notifier.setEnabled(True)

    def _adopt(self, client: socket.socket) -> None:
        client.setblocking(False)
        notifier = QSocketNotifier(client.fileno(), QSocketNotifier.Type.Read, self)
        notifier.activated.connect(lambda: self._read(client))
        self._clients[client] = notifier
        QTimer.singleShot(CLIENT_MS, self, lambda: self._drop(client))
        self._read(client)  # a launch writes as soon as it is connected: often already here

    def _read(self, client: socket.socket) -> None:
        try:
            data = client.recv(len(SHOW_MESSAGE))
        except BlockingIOError:
            return
        except OSError:
            data = b""
        self._drop(client)
        if data.startswith(SHOW_MESSAGE.strip()):
            self.activation_requested.emit()

    def _drop(self, client: socket.socket) -> None:
        notifier = self._clients.pop(client, None)
        if notifier is None:
            return
        notifier.setEnabled(False)
        notifier.deleteLater()
        client.close()

    # --- the socket: Windows (a named pipe; no descriptors to run out of) -----------------------
    def _listen_pipe(self) -> None:
        from PySide6.QtNetwork import QLocalServer

        QLocalServer.removeServer(self._name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.setMaxPendingConnections(LISTEN_BACKLOG)
        if not server.listen(self._name):
            log.warning("Single-instance server failed: %s", server.errorString())
            return
        server.newConnection.connect(self._on_pipe_connection)
        self._pipe_server = server

    @Slot()
    def _on_pipe_connection(self) -> None:
        server = self._pipe_server
        while server is not None and (client := server.nextPendingConnection()) is not None:
            if len(self._pipe_clients) >= MAX_CLIENTS:
                self._drop_pipe(next(iter(self._pipe_clients)))  # a flood: the oldest goes
            self._pipe_clients[client] = None
            client.readyRead.connect(lambda c=client: self._read_pipe(c))
            QTimer.singleShot(CLIENT_MS, client, lambda c=client: self._drop_pipe(c))

    def _read_pipe(self, client: QLocalSocket) -> None:
        data = bytes(client.read(len(SHOW_MESSAGE)).data())
        self._drop_pipe(client)
        if data.startswith(SHOW_MESSAGE.strip()):
            self.activation_requested.emit()

    def _drop_pipe(self, client: QLocalSocket) -> None:
        if client in self._pipe_clients:
            del self._pipe_clients[client]
            client.abort()
            client.deleteLater()
