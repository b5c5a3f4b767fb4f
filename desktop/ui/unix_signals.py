"""Deliver SIGINT, SIGTERM and SIGHUP into the Qt event loop without a polling timer (a
wake-up fd)."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier

#: The signals that end the tray: Ctrl+C, `kill`, and the terminal or session hanging up.
QUIT_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class SignalWatcher(QObject):
    """Delivers QUIT_SIGNALS to the Qt event loop (Python handlers cannot run while Qt waits).
    A signal the process was started ignoring (`nohup` ignores SIGHUP) stays ignored; `close`
    puts back the handlers and the wake-up fd it found."""

    def __init__(self, on_signal: Callable[[int], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._on_signal = on_signal
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self._previous_wakeup_fd = signal.set_wakeup_fd(self._writer.fileno())
        #: The handlers replaced, by signal number, to put back on `close`.
        self._replaced: dict[int, signal.Handlers | Callable[..., object] | int | None] = {}
        for signum in QUIT_SIGNALS:
            previous = signal.getsignal(signum)
            if previous is not signal.SIG_IGN:
                self._replaced[signum] = previous
                signal.signal(signum, lambda *_: None)  # the wake-up fd carries the number

    def _drain(self) -> None:
        try:
            data = self._reader.recv(64)
        except BlockingIOError:
            return
        for signum in data:
            self._on_signal(signum)

    def close(self) -> None:
        """Stop watching: the replaced handlers and the previous wake-up fd are back (a signal
        after this acts as it did before, e.g. Ctrl+C raises KeyboardInterrupt again)."""
        for signum, previous in self._replaced.items():
            # None: a handler not set from Python, which Python cannot put back; the default
            # is the nearest.
            signal.signal(signum, signal.SIG_DFL if previous is None else previous)
        self._replaced.clear()
        signal.set_wakeup_fd(self._previous_wakeup_fd)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()


def end_event_loop() -> None:
    """Quit the tray: the menu's Quit and every quit signal end here. `exit`, not `quit`: Qt 6's
    `quit()` first asks every window to close and is cancelled when one refuses, and the detail
    window refuses (it hides instead), so with the settings open too SIGTERM was ignored."""
    QCoreApplication.exit(0)
