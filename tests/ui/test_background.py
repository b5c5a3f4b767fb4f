"""run_in_background: the outcome on the UI thread, errors handed over, nothing after the asker
is gone, and slow jobs never holding back the rest."""

from __future__ import annotations

import threading
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread
from pytestqt.qtbot import QtBot

from desktop.ui import background
from desktop.ui.background import run_in_background


def test_the_outcome_comes_back_on_the_ui_thread(qtbot: QtBot) -> None:
    answers: list[tuple[Any, BaseException | None, bool]] = []

    def on_done(result: Any, error: BaseException | None) -> None:
        answers.append((result, error, QThread.currentThread() is qtbot_thread))

    qtbot_thread = QThread.currentThread()
    run_in_background(lambda: threading.current_thread() is threading.main_thread(), on_done)
    qtbot.waitUntil(lambda: len(answers) == 1, timeout=5_000)
    assert answers == [(False, None, True)]  # ran elsewhere, answered here


def test_an_error_is_handed_over_not_raised(qtbot: QtBot) -> None:
    answers: list[tuple[Any, BaseException | None]] = []
    run_in_background(lambda: 1 / 0, lambda result, error: answers.append((result, error)))
    qtbot.waitUntil(lambda: bool(answers), timeout=5_000)
    ((result, error),) = answers
    assert result is None
    assert isinstance(error, ZeroDivisionError)


def test_nothing_is_called_once_the_owner_is_deleted(qtbot: QtBot) -> None:
    owner = QObject()
    release = threading.Event()
    answers: list[object] = []
    run_in_background(release.wait, lambda result, _error: answers.append(result), owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(owner), timeout=5_000)
    release.set()
    qtbot.waitUntil(lambda: not background._running, timeout=5_000)
    qtbot.wait(50)
    assert answers == []


def test_slow_jobs_do_not_hold_back_the_rest(qtbot: QtBot) -> None:
    """A keyring waiting on its unlock prompt holds a thread for up to 15 s: on two cores, two
    such waits must not delay a notification."""
    release = threading.Event()
    answers: list[object] = []
    for _ in range(3):
        run_in_background(lambda: release.wait(10), lambda result, _error: None)
    run_in_background(lambda: "quick", lambda result, _error: answers.append(result))
    try:
        qtbot.waitUntil(lambda: answers == ["quick"], timeout=5_000)
    finally:
        release.set()
    qtbot.waitUntil(lambda: not background._running, timeout=5_000)
