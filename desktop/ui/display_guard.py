"""Qt's platform plugin ends the process its own way: an abort (SIGABRT) when it cannot open the
display, `exit(1)` when the X server goes away. The guard routes both through the app: one
sentence and exit 2 at start-up, a clean end (exit 0) when the display is lost.

It is Qt's message handler: both cases reach the app only as Qt messages, on the UI thread, just
before Qt ends the process (`QXcbConnection::processXcbEvents` warns, then calls `exit(1)`).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

from PySide6.QtCore import QMessageLogContext, QtMsgType, qFormatLogMessage, qInstallMessageHandler

from desktop.core.errors import EXIT_USAGE
from desktop.core.i18n import _
from desktop.core.sinks import terminal_text

log = logging.getLogger(__name__)

#: What Qt's xcb plugin says when the X connection breaks (the same words in Qt 5 and 6).
X11_CONNECTION_BROKE = "The X11 connection broke"


def end_process(code: int) -> None:
    """End now with `code`, the log and the output flushed: for a process whose Qt would abort
    or whose threads cannot be stopped (Python's own ending would wait for them or crash)."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def named_displays() -> str:
    """The display variables as set, e.g. "DISPLAY=:0"; for the sentence."""
    named = [
        f"{name}={os.environ[name]}"
        for name in ("WAYLAND_DISPLAY", "DISPLAY")
        if name in os.environ
    ]
    return terminal_text(", ".join(named) or "?")


class DisplayGuard:
    """Installed before the QApplication is made, for the whole life of the tray.

    `opened()` marks the display as open (from then on a fatal message is Qt's own and aborts
    as it would); `on_display_lost` runs when the X server goes away and must not return.
    """

    def __init__(self, on_display_lost: Callable[[], None] | None = None) -> None:
        self.on_display_lost = on_display_lost
        self._opening = True
        self._opening_messages: list[str] = []

    def install(self) -> None:
        qInstallMessageHandler(self._handle)

    def opened(self) -> None:
        self._opening = False
        self._opening_messages.clear()

    def _handle(self, kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if self._opening:
            # Qt's several lines (one misleadingly about xcb-cursor) go to the log; the user
            # gets one sentence.
            self._opening_messages.append(message)
            log.info("Qt: %s", message)
            if kind == QtMsgType.QtFatalMsg:
                self._cannot_open()
            return
        if message.startswith(X11_CONNECTION_BROKE):
            log.info("Qt: %s", message)
            if self.on_display_lost is not None:
                self.on_display_lost()
            end_process(0)  # never back into Qt, which would exit(1)
        # Qt's words can quote what the app does not control (a file name, a window title).
        print(terminal_text(qFormatLogMessage(kind, context, message)), file=sys.stderr, flush=True)

    def _cannot_open(self) -> None:
        try:
            reason = _("Qt could not open the display ({display})").format(display=named_displays())
            message = _("cannot start the tray: {reason}; `neo-tray --once` works without one.")
            print(f"neo-tray: {message.format(reason=reason)}", file=sys.stderr)
        finally:  # whatever happened above, never back into Qt, which would abort
            end_process(EXIT_USAGE)
