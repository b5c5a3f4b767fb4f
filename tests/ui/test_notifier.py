"""The notifier: delivery off the UI thread, replacement within a group, actions, fallbacks."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from desktop.core.rules.catalogue import Rule, Urgency
from desktop.core.rules.messages import Notification
from desktop.ui.notifier import Notifier
from tests.conftest import RecordingBackend
from tests.helpers.notifications import wait_for_deliveries

LOW = Notification(Rule.LOW, "Neo credits running low", "Left: 1 of 5 credits (20%).")
CRITICAL = Notification(Rule.CRITICAL, "Neo credits almost gone", "…", Urgency.NORMAL)
EXPIRY = Notification(Rule.EXPIRY_7D, "Neo credits expire soon", "…")


class SlowBackend(RecordingBackend):
    """A notification daemon that takes its time to answer."""

    def __init__(self, on_action: Callable[[int, str], None]) -> None:
        super().__init__(on_action)
        self.started = threading.Event()
        self.release = threading.Event()
        self.closed = False

    def send(self, note: Notification, replaces_id: int, icon_path: str) -> int:
        self.started.set()
        self.release.wait(10)
        return super().send(note, replaces_id, icon_path)

    def close(self) -> None:
        self.closed = True


def test_a_slow_daemon_never_blocks_the_caller(qtbot: QtBot) -> None:
    made: list[SlowBackend] = []

    def factory(on_action: Callable[[int, str], None]) -> SlowBackend:
        made.append(SlowBackend(on_action))
        return made[0]

    notifier = Notifier(lambda: None, lambda _n: "", "test.app", backend_factory=factory)
    notifier.notify(LOW)  # returns while the daemon is still busy
    qtbot.waitUntil(lambda: bool(made) and made[0].started.is_set(), timeout=5_000)
    assert not made[0].release.is_set()
    made[0].release.set()
    wait_for_deliveries(notifier)
    assert [note for note, _ in made[0].sent] == [LOW]
    notifier.close()


def test_a_group_replaces_its_earlier_notification(
    qtbot: QtBot, make_notifier: Callable[[], Notifier], recording_backends: list[RecordingBackend]
) -> None:
    notifier = make_notifier()
    for note in (LOW, EXPIRY, CRITICAL):
        notifier.notify(note)
    wait_for_deliveries(notifier)
    (backend,) = recording_backends
    assert [replaces for _, replaces in backend.sent] == [0, 0, 101]  # CRITICAL replaces LOW
    notifier.close()


def test_actions_of_our_notifications_only(
    qtbot: QtBot, make_notifier: Callable[[], Notifier], recording_backends: list[RecordingBackend]
) -> None:
    notifier = make_notifier()
    notifier.notify(LOW)
    wait_for_deliveries(notifier)
    (backend,) = recording_backends
    QCoreApplication.processEvents()  # the delivered id reaches the UI thread
    with qtbot.waitSignal(notifier.action_invoked) as blocker:
        backend.on_action(101, "default")
    assert blocker.args == ["details", ""]
    with qtbot.waitSignal(notifier.action_invoked) as blocker:
        backend.on_action(101, "snooze")
    assert blocker.args == ["snooze", ""]
    with qtbot.assertNotEmitted(notifier.action_invoked, wait=100):
        backend.on_action(555, "default")
    notifier.close()


class FailingBackend(RecordingBackend):
    def send(self, note: Notification, replaces_id: int, icon_path: str) -> int:
        raise OSError("the daemon went away")


@pytest.mark.parametrize("broken", ["factory", "send"])
def test_a_broken_daemon_falls_back_to_the_tray(
    qtbot: QtBot, broken: str, caplog: pytest.LogCaptureFixture
) -> None:
    def factory(on_action: Callable[[int, str], None]) -> RecordingBackend:
        if broken == "factory":
            raise RuntimeError("no notification daemon on the session bus")
        return FailingBackend(on_action)

    notifier = Notifier(lambda: None, lambda _n: "", "test.app", backend_factory=factory)
    notifier.notify(LOW)
    wait_for_deliveries(notifier)
    # The tray has no icon here either: the failure is logged, nothing is raised.
    qtbot.waitUntil(lambda: "Tray message failed" in caplog.text, timeout=5_000)
    notifier.close()


def test_a_body_is_never_read_as_markup() -> None:
    from desktop.core.sinks import notification_body

    hostile = '<img src="file:///etc/passwd"><font size=6>suspended</font> & more'
    safe = notification_body(hostile)
    assert "<" not in safe
    assert ">" not in safe
    assert safe == (
        '&lt;img src="file:///etc/passwd"&gt;&lt;font size=6&gt;suspended&lt;/font&gt; &amp; more'
    )


def test_a_delivery_on_its_way_at_close_reports_nothing(qtbot: QtBot) -> None:
    """Quitting while the daemon is slow: the answer that comes later shows no tray message,
    reports no action, and the backend it built is closed; notes asked for after close are
    never sent."""
    made: list[SlowBackend] = []
    shown: list[Notification] = []

    def factory(on_action: Callable[[int, str], None]) -> SlowBackend:
        made.append(SlowBackend(on_action))
        return made[0]

    notifier = Notifier(lambda: None, lambda _n: "", "test.app", backend_factory=factory)
    notifier._show_in_tray = shown.append  # type: ignore[method-assign,assignment]
    notifier.notify(LOW)
    notifier.notify(CRITICAL)  # waits its turn: one delivery at a time
    qtbot.waitUntil(lambda: bool(made) and made[0].started.is_set(), timeout=5_000)
    notifier.close()
    notifier.notify(EXPIRY)
    made[0].release.set()
    wait_for_deliveries(notifier)
    assert [note for note, _ in made[0].sent] == [LOW]
    assert made[0].closed
    with qtbot.assertNotEmitted(notifier.action_invoked, wait=100):
        made[0].on_action(101, "default")
    assert shown == []
