"""Writes one account's snapshot cache off the UI thread, once per burst of answers: a poll's
snapshot, the forecast's window and today's task ledger that follow it, or a failure's retry
all become one write, made when the poller has nothing in flight (house rules:
`run_in_background`; one write at a time, in order, the latest asked winning)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from desktop.ui.background import run_in_background

log = logging.getLogger(__name__)

#: Milliseconds between looks at whether the poller's requests are over (a write waits for
#: them: the snapshot's forecast and today's tasks follow it within seconds).
SETTLE_MS = 250
#: Seconds a write waits for the poller at most: a busy detail window (ranges, task pages)
#: must not keep other processes reading old figures.
LONGEST_WAIT_SECONDS = 10.0

#: A write: builds the file's content and writes it (`system/cache.save`); it runs on a pool
#: thread, so it reads only immutable values it captured.
Write = Callable[[], None]


class CacheWriter(QObject):
    """`save(write)` asks for a write; the latest asked replaces one still waiting. It starts
    once `settled()` (the poller has no request in flight) or `LONGEST_WAIT_SECONDS` after the
    first ask, on Qt's pool, never two at once. `written` is emitted after each write."""

    written = Signal()

    def __init__(
        self,
        settled: Callable[[], bool],
        *,
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settled = settled
        self._monotonic = monotonic
        self._waiting: Write | None = None
        self._asked_at = 0.0  # when the waiting write was first asked (monotonic seconds)
        self._running = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._look)
        app = QCoreApplication.instance()
        if app is not None:  # quitting: what waits is written now (the pool is waited for)
            app.aboutToQuit.connect(self.flush)

    @property
    def pending(self) -> bool:
        """A write is waiting or running."""
        return self._waiting is not None or self._running

    def save(self, write: Write) -> None:
        if self._waiting is None:
            self._asked_at = self._monotonic()
        self._waiting = write
        if not self._running and not self._timer.isActive():
            self._timer.start(0)  # after the poller sent what follows this answer

    @Slot()
    def flush(self) -> None:
        """Start the waiting write now, without waiting for the poller (quit, removal)."""
        self._timer.stop()
        if not self._running:
            self._start()

    @Slot()
    def _look(self) -> None:
        waited = self._monotonic() - self._asked_at
        if not self._settled() and waited < LONGEST_WAIT_SECONDS:
            self._timer.start(SETTLE_MS)
            return
        self._start()

    def _start(self) -> None:
        write, self._waiting = self._waiting, None
        if write is None:
            return
        self._running = True
        run_in_background(write, self._done, owner=self)

    def _done(self, _result: object, error: BaseException | None) -> None:
        self._running = False
        if error is not None:  # `cache.save` logs its own failures; this is a bug of ours
            log.error("Writing the snapshot cache failed", exc_info=error)
        self.written.emit()
        if self._waiting is not None:
            self._timer.start(0)
