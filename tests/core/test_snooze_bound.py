"""A snooze dated far ahead is no snooze (hardening, X8 item 5): the memory's `snoozed_until`
is a file another program (or a hand edit) can set; the app's own snooze ends tomorrow at 9:00
at the latest, so a later one would have silenced the notifications for ever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop.core.instants import utc_text
from desktop.core.rules.memory import (
    LONGEST_SNOOZE,
    NotifyMemory,
    SnoozeChoice,
    apply_snooze,
)

NOW = datetime(2026, 11, 29, 19, 0, tzinfo=UTC)


def until(delta: timedelta) -> NotifyMemory:
    return NotifyMemory(snoozed_until=utc_text(NOW + delta, whole_seconds=True))


@pytest.mark.parametrize(
    ("ahead", "snoozed"),
    [
        (timedelta(hours=1), True),
        (timedelta(hours=33), True),  # from just after midnight to tomorrow 9:00
        (LONGEST_SNOOZE, True),
        (LONGEST_SNOOZE + timedelta(seconds=1), False),
        (timedelta(days=365 * 100), False),
        (-timedelta(seconds=1), False),
    ],
)
def test_a_snooze_counts_only_as_far_ahead_as_the_app_could_set_it(
    ahead: timedelta, snoozed: bool
) -> None:
    assert until(ahead).snoozed(NOW) is snoozed


def test_the_far_future_of_a_file_reads_as_no_snooze() -> None:
    memory = NotifyMemory.from_json({"version": 2, "snoozed_until": "2199-12-31T00:00:00Z"})
    assert memory.snoozed_until is not None
    assert not memory.snoozed(NOW)


@pytest.mark.parametrize("choice", [SnoozeChoice.HOUR, SnoozeChoice.TOMORROW])
def test_the_apps_own_snoozes_are_honoured(choice: SnoozeChoice) -> None:
    for hour in range(24):  # every local hour of a day, whatever the zone
        now = NOW.replace(hour=hour, minute=1)
        assert apply_snooze(NotifyMemory(), choice, now).snoozed(now)
