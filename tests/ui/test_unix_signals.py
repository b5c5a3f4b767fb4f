"""SignalWatcher: quit signals reach the Qt event loop, and closing it puts the process back."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from types import FrameType

import pytest
from pytestqt.qtbot import QtBot

from desktop.ui.unix_signals import QUIT_SIGNALS, SignalWatcher


@pytest.fixture
def own_handlers() -> Iterator[dict[int, object]]:
    """Each quit signal gets a handler of the test's own; the original ones come back after."""
    saved = {signum: signal.getsignal(signum) for signum in QUIT_SIGNALS}
    heard: list[int] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        heard.append(signum)

    for signum in QUIT_SIGNALS:
        signal.signal(signum, handler)
    yield dict.fromkeys(QUIT_SIGNALS, handler)
    for signum, previous in saved.items():
        signal.signal(signum, previous)


def test_a_quit_signal_reaches_the_event_loop(qtbot: QtBot, own_handlers: object) -> None:
    received: list[int] = []
    watcher = SignalWatcher(received.append)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        qtbot.waitUntil(lambda: received == [signal.SIGTERM], timeout=5_000)
    finally:
        watcher.close()


def test_close_restores_the_handlers_and_the_wakeup_fd(
    qtbot: QtBot, own_handlers: dict[int, object]
) -> None:
    before_fd = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(before_fd)
    watcher = SignalWatcher(lambda _signum: None)
    assert all(signal.getsignal(s) is not own_handlers[s] for s in QUIT_SIGNALS)
    watcher.close()
    assert {s: signal.getsignal(s) for s in QUIT_SIGNALS} == own_handlers
    assert signal.set_wakeup_fd(before_fd) == before_fd


def test_an_ignored_signal_stays_ignored_and_is_not_touched_by_close(qtbot: QtBot) -> None:
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        watcher = SignalWatcher(lambda _signum: None)
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        watcher.close()
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)
