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
            result = self._work()
        except Exception as exc:
            self._relay.done.emit(None, exc)
        else:
            self._relay.done.emit(result, None)


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
