"""Runs one blocking call (a keyring write, a D-Bus call, a portal query) on Qt's thread pool
and hands its outcome back on the UI thread: the app's one way to have a short job done off
the UI thread (see "House rules" in docs/architecture.md)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

#: The pool's jobs wait on daemons and prompts, not on the CPU: a few slow ones (a keyring
#: waiting for its unlock prompt) must not hold back the rest on a two-core machine.
MIN_THREADS = 8


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
    work: Callable[[], Any],
    on_done: Callable[[Any, BaseException | None], None],
    *,
    owner: QObject | None = None,
) -> None:
    """Run `work()` on the pool; then `on_done(result, error)` on the thread that called this
    (the UI thread): `error` is what `work` raised (the result then None). With `owner`,
    `on_done` is never called once the owner is deleted. Jobs run in any order and at once: a
    caller that needs them one after another starts the next from `on_done`."""
    relay = _Relay()
    _running.add(relay)

    def finish(result: Any, error: BaseException | None) -> None:
        _running.discard(relay)
        if owner is not None and not shiboken6.isValid(owner):
            log.debug("A background job finished after its asker was deleted")
            return
        on_done(result, error)

    relay.done.connect(finish)
    pool = QThreadPool.globalInstance()
    if pool.maxThreadCount() < MIN_THREADS:
        pool.setMaxThreadCount(MIN_THREADS)
    pool.start(_Job(work, relay))
