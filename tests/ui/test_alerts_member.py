"""The alert center's member and radar wiring (issue 28): a member's cap (`on_member`) and an
admin's radar (`on_radar`) reach the notifier (a real `Notifier` on a recording daemon), the
memory file keeps a restart from repeating them, and a 403 while a cap is known says nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.core import radar
from desktop.core.account_rules import token_tag
from desktop.core.errors import ErrorKind
from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
from desktop.core.radar import MemberRadar, Radar
from desktop.core.rules.catalogue import Rule, Urgency
from desktop.core.rules.memory import SnoozeChoice
from desktop.core.settings import Settings
from desktop.core.snapshot import PollError
from desktop.ui.alerts import AlertCenter
from desktop.ui.notifier import Notifier, category
from tests.conftest import RecordingBackend
from tests.helpers.notifications import wait_for_deliveries

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
ADDRESS = "http://127.0.0.1:9"
TAG = token_tag("member-token")


def member(remaining: float, limit: float = 75.0, at: datetime = NOW) -> MemberSnapshot:
    cap = MemberCap(limit, limit - remaining, remaining)
    return MemberSnapshot(MemberProfile("ana@acme.test", "Acme Sec", cap, True), at, TAG)


def spike_radar(at: datetime = NOW, *members: MemberRadar) -> Radar:
    start, _end = radar.today_window(at)
    bo = MemberRadar("bo@example.com", 30.0, 2.0, 15.0, 0.1, True, 28.0)
    return Radar("ok", radar.WINDOW_DAYS, start, members or (bo,))


class Center:
    """An alert center on `path`'s memory with its own notifier and clock, as a session has."""

    def __init__(
        self, make_notifier: Callable[[], Notifier], backends: list[RecordingBackend], path: Path
    ) -> None:
        self.clock = [NOW]
        self.notifier = make_notifier()
        self.backend_index = len(backends)
        self.backends = backends
        self.alerts = AlertCenter(
            self.notifier,
            Settings(),
            ADDRESS,
            path,
            clock=lambda: self.clock[0],
            account_id="a1b2c3d4",
        )

    def sent(self) -> list[tuple[str, str, Urgency, int]]:
        """(title, body, urgency, replaced id) of every notification delivered so far."""
        wait_for_deliveries(self.notifier)
        if len(self.backends) <= self.backend_index:
            return []  # nothing delivered: no backend was made
        backend = self.backends[self.backend_index]
        return [(n.title, n.body, n.urgency, replaces) for n, replaces in backend.sent]

    def close(self) -> None:
        self.notifier.close()


def test_a_members_cap_is_warned_once_per_crossing_and_not_after_a_restart(
    qtbot: QtBot,
    make_notifier: Callable[[], Notifier],
    recording_backends: list[RecordingBackend],
    tmp_path: Path,
) -> None:
    path = tmp_path / "notifications.json"
    center = Center(make_notifier, recording_backends, path)
    for remaining in (40, 18, 17, 5, 0, 0):
        center.clock[0] += timedelta(minutes=5)
        center.alerts.on_member(member(remaining, at=center.clock[0]))
    sent = center.sent()
    assert [(title, urgency) for title, _body, urgency, _r in sent] == [
        ("Neo spending cap running low", Urgency.NORMAL),
        ("Neo spending cap almost reached", Urgency.NORMAL),
        ("Neo spending cap reached", Urgency.CRITICAL),
    ]
    assert sent[0][1] == "You have $18 of $75 cap left (24%)."
    assert sent[2][1] == (
        "You have used $75 of your $75 cap: tasks are blocked until an admin raises it."
    )
    # One group: each replaces the one before on screen.
    assert [replaces for *_rest, replaces in sent] == [0, 101, 102]
    backend = recording_backends[center.backend_index]
    assert {category(note) for note, _ in backend.sent} == {
        "x-neo-usage-tray.cap.cap_low",
        "x-neo-usage-tray.cap.cap_critical",
        "x-neo-usage-tray.cap.cap_reached",
    }
    # While the cap is known, the summary's 403 (when /user failed once) is no news.
    center.alerts.on_error(
        PollError(ErrorKind.NO_PERMISSION, "No permission.", center.clock[0], token_tag=TAG)
    )
    assert len(center.sent()) == 3
    center.close()

    restarted = Center(make_notifier, recording_backends, path)
    restarted.clock[0] = NOW + timedelta(hours=1)
    restarted.alerts.on_member(member(0, at=restarted.clock[0]))
    restarted.alerts.on_error(
        PollError(ErrorKind.NO_PERMISSION, "No permission.", restarted.clock[0], token_tag=TAG)
    )
    assert restarted.sent() == []
    # The admin raises the limit, and it is used up again: said again.
    restarted.alerts.on_member(member(0, limit=100, at=restarted.clock[0]))
    assert [title for title, *_rest in restarted.sent()] == ["Neo spending cap reached"]
    restarted.close()


def test_an_unusual_member_is_said_once_a_day_across_a_restart(
    qtbot: QtBot,
    make_notifier: Callable[[], Notifier],
    recording_backends: list[RecordingBackend],
    tmp_path: Path,
) -> None:
    path = tmp_path / "notifications.json"
    center = Center(make_notifier, recording_backends, path)
    center.alerts.on_radar(None)  # not an admin's summary: nothing
    center.alerts.on_radar(Radar("unavailable", radar.WINDOW_DAYS, NOW, ()), NOW)
    assert center.sent() == []
    center.alerts.account_name = "Work"  # the tray shows several accounts
    center.alerts.on_radar(spike_radar())  # `now` from the clock
    center.alerts.on_radar(spike_radar(), NOW + timedelta(minutes=5))
    assert center.sent() == [
        (
            "Work: Unusual team usage: bo@example.com",
            "bo@example.com used 15× their usual today (30 credits)",
            Urgency.NORMAL,
            0,
        )
    ]
    center.close()

    restarted = Center(make_notifier, recording_backends, path)
    restarted.alerts.on_radar(spike_radar(), NOW + timedelta(hours=2))
    assert restarted.sent() == []
    tomorrow = NOW + timedelta(days=1)
    restarted.alerts.on_radar(spike_radar(tomorrow), tomorrow)
    assert [title for title, *_rest in restarted.sent()] == ["Unusual team usage: bo@example.com"]
    # Snoozed: held back, and said when the snooze has ended.
    restarted.alerts.snooze(SnoozeChoice.HOUR)
    restarted.clock[0] = tomorrow
    later = tomorrow + timedelta(days=1)
    restarted.alerts.snooze(SnoozeChoice.RESUME)
    restarted.clock[0] = later
    restarted.alerts.snooze(SnoozeChoice.HOUR)
    restarted.alerts.on_radar(spike_radar(later), later + timedelta(minutes=10))
    assert len(restarted.sent()) == 1
    restarted.alerts.on_radar(spike_radar(later), later + timedelta(minutes=70))
    assert len(restarted.sent()) == 2
    restarted.close()


def test_the_radar_joins_the_memory_of_the_token_that_fetched_it(
    qtbot: QtBot,
    make_notifier: Callable[[], Notifier],
    recording_backends: list[RecordingBackend],
    tmp_path: Path,
) -> None:
    center = Center(make_notifier, recording_backends, tmp_path / "notifications.json")
    center.alerts.on_error(PollError(ErrorKind.OFFLINE, "Offline.", NOW, token_tag=TAG))
    center.alerts.on_radar(spike_radar())
    keys = [key for key in center.alerts.memory.sent if key.rule is Rule.MEMBER_SPIKE]
    assert [(key.cache_key, key.token_tag) for key in keys] == [(ADDRESS, TAG)]
    # Another token (the user signed in as someone else): its own memory, said again.
    other = token_tag("admin-token")
    center.alerts.on_error(PollError(ErrorKind.OFFLINE, "Offline.", NOW, token_tag=other))
    center.alerts.on_radar(spike_radar(), NOW + timedelta(minutes=5))
    assert len(center.sent()) == 2
    center.close()
