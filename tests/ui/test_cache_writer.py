"""The snapshot cache is written off the UI thread, once per poll (issue 30): the whole tray's
poll with its forecast's window and today's task ledger is one write on Qt's pool, in the
compact unsorted form; the writer runs one write at a time, in order, the latest asked
winning, and a flush (quit) writes what waits at once."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.app import TrayApp
from desktop.system import cache
from desktop.ui.cache_writer import CacheWriter
from tests.helpers.app import IDLE_WAIT_MS, start_and_wait_until_idle, wait_until_idle


class Saves:
    """`cache.save`, counted: the thread of each call and the forecast and today's tasks it
    was given."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[threading.Thread, dict[str, Any]]] = []
        real = cache.save

        def save(*args: Any, **kwargs: Any) -> None:
            self.calls.append((threading.current_thread(), kwargs))
            real(*args, **kwargs)

        monkeypatch.setattr(cache, "save", save)


def test_a_poll_and_what_follows_it_is_one_write_off_the_ui_thread(
    qtbot: QtBot, tray_app: TrayApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    saves = Saves(monkeypatch)
    start_and_wait_until_idle(qtbot, tray_app)
    session = tray_app.sessions[0]
    view = session.state.view
    assert view.tasks_today is not None  # today's ledger followed the poll
    assert view.forecast_window is not None  # and the forecast's daily window
    assert len(saves.calls) == 1
    thread, given = saves.calls[0]
    assert thread is not threading.main_thread()
    assert given["tasks_today"] is not None
    assert given["forecast"] is not None

    with qtbot.waitSignal(session.poller.snapshot_ready, timeout=IDLE_WAIT_MS):
        session.poller.poll_now()
    wait_until_idle(qtbot, tray_app)
    assert len(saves.calls) == 2
    text = session.cache_path.read_text()
    assert "\n" not in text  # compact: the C encoder, no indent
    data = json.loads(text)
    assert next(iter(data)) == "cache_key"  # the values' own order, unsorted
    assert data["tasks_today"]["status"] == "ok"


def test_the_latest_write_asked_wins_and_writes_never_overlap(qtbot: QtBot) -> None:
    settled = [False]
    writer = CacheWriter(lambda: settled[0])
    done: list[str] = []
    gate = threading.Event()
    running = threading.Event()

    def write(name: str, wait: bool = False) -> Callable[[], None]:
        def run() -> None:
            if wait:
                running.set()
                assert gate.wait(IDLE_WAIT_MS / 1000)
            done.append(name)

        return run

    writer.save(write("first"))
    writer.save(write("second", wait=True))  # replaces the first, still waiting
    assert writer.pending
    settled[0] = True
    qtbot.waitUntil(running.is_set, timeout=IDLE_WAIT_MS)
    writer.save(write("third"))  # asked while one runs: waits for it
    writer.save(write("fourth"))
    qtbot.wait(50)
    assert done == []
    gate.set()
    qtbot.waitUntil(lambda: not writer.pending, timeout=IDLE_WAIT_MS)
    assert done == ["second", "fourth"]


def test_a_flush_writes_at_once_what_waits_for_the_poller(qtbot: QtBot) -> None:
    writer = CacheWriter(lambda: False)  # a poller that never settles
    done: list[str] = []
    writer.save(lambda: done.append("kept"))
    writer.flush()
    qtbot.waitUntil(lambda: not writer.pending, timeout=IDLE_WAIT_MS)
    assert done == ["kept"]


def test_a_write_waits_for_the_poller_at_most_a_while(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [100.0]
    monkeypatch.setattr("desktop.ui.cache_writer.SETTLE_MS", 1)
    writer = CacheWriter(lambda: False, monotonic=lambda: now[0])
    done: list[str] = []
    writer.save(lambda: done.append("late"))
    qtbot.wait(20)
    assert done == []
    now[0] += 11.0  # past LONGEST_WAIT_SECONDS on the injected clock
    qtbot.waitUntil(lambda: done == ["late"], timeout=IDLE_WAIT_MS)
