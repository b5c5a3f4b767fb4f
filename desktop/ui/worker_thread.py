"""The one QThread every account's fetches (and the settings' Test) run on: made, stopped, and
kept alive when it will not stop, so that Qt never destroys it running."""

from __future__ import annotations

import logging

from PySide6.QtCore import QThread

log = logging.getLogger(__name__)

#: How long quitting waits for the worker thread. Its fetch is cut short (`FetchWorker.cancel`)
#: and its keyring wait abandoned (`secrets.abandon_keyring_waits`), so it ends within
#: milliseconds; a thread stuck anyway is left behind (see `threads_left_behind`).
STOP_WAIT_MS = 1_000
_LEFT_BEHIND: list[QThread] = []


def worker_thread() -> QThread:
    """The thread fetches run on (one for every account, so one request at a time)."""
    thread = QThread()
    thread.setObjectName("neo-poller")
    return thread


def stop_thread(thread: QThread, wait_ms: int = STOP_WAIT_MS) -> None:
    """End a worker thread, cutting short nothing itself: callers cancel their fetches first."""
    thread.quit()
    if not thread.wait(wait_ms):
        # Never destroy a running QThread (Qt aborts): keep it until the process ends.
        log.error("The poller thread did not stop in time; leaving it behind")
        thread.setParent(None)
        _LEFT_BEHIND.append(thread)


def threads_left_behind() -> list[QThread]:
    """Worker threads `stop_thread` could not stop that still run: the process must then end
    without destroying them (`os._exit`), or Qt aborts it."""
    return [thread for thread in _LEFT_BEHIND if thread.isRunning()]
