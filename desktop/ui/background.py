"""Run one blocking call (a keyring write) on Qt's thread pool; hear back on the UI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    done = Signal(object, object)  # result, exception


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result: Any = self._work()
            error: Exception | None = None
        except Exception as exc:
            result, error = None, exc
        try:
            self._relay.done.emit(result, error)
        except RuntimeError:  # the relay is gone (the app quit meanwhile): nobody to tell
            log.debug("A background job finished after its asker was gone")


_running: set[_Relay] = set()


def run_in_background(
    work: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None]
) -> None:
    """`on_done(result, error)` runs on the thread that called this (the UI thread)."""
    relay = _Relay()
    _running.add(relay)

    def finish(result: Any, error: BaseException | None) -> None:
        _running.discard(relay)
        on_done(result, error)

    relay.done.connect(finish)
    QThreadPool.globalInstance().start(_Job(work, relay))
