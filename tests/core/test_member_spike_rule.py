"""The unusual-member notification as tables: (an admin's radars over time) -> notifications.
Each unusual member is said once per local day, across restarts (the memory file's round trip),
several new ones in one notification, never for an unavailable radar, while snoozed or switched
off; the memory lets old days go and stays bounded."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from desktop.core import radar
from desktop.core.models import parse_summary
from desktop.core.radar import MemberRadar, Radar
from desktop.core.rules.catalogue import Rule
from desktop.core.rules.memory import AccountContext, NotifyMemory, snooze_for_an_hour
from desktop.core.rules.spikes import (
    SPIKE_MEMORY_DAYS,
    SPIKE_MEMORY_LIMIT,
    evaluate_radar,
    spike_epoch,
)
from desktop.core.settings import NotificationSwitches, Settings
from desktop.system import notify_store
from tests.core.test_rules import CONTEXT
from tests.zones import local_zone

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def spiking(email: str, today: float, usual: float) -> MemberRadar:
    """A member with `today` credits against `usual` a day, unusual by the radar's own rule."""
    ratio = today / usual if usual > 0 else None
    return MemberRadar(email, today, usual, ratio, None, radar.is_unusual(today, usual), usual * 14)


BO = spiking("bo@example.com", 30.0, 2.0)  # 15 times the usual day
NEW = spiking("new@example.com", 12.0, 0.0)  # no usage in the window
STEADY = spiking("maya@acme.test", 5.0, 4.0)


def radar_of(*members: MemberRadar, at: datetime = NOW, status: str = "ok") -> Radar:
    start, _end = radar.today_window(at)
    items = tuple(sorted(members, key=radar.sort_key)) if status == "ok" else ()
    return Radar(status, radar.WINDOW_DAYS, start, items)


def said(
    radars: list[tuple[datetime, Radar]],
    *,
    settings: Settings | None = None,
    memory: NotifyMemory | None = None,
    context: AccountContext = CONTEXT,
) -> tuple[list[list[tuple[str, str]]], NotifyMemory]:
    """(title, body) said for each radar at its instant (the memory saved and read back between
    them, as a restart would)."""
    memory = memory or NotifyMemory()
    told: list[list[tuple[str, str]]] = []
    for now, seen in radars:
        notes, memory = evaluate_radar(
            memory, context, seen, now=now, settings=settings or Settings()
        )
        assert all(note.rule is Rule.MEMBER_SPIKE for note in notes)
        told.append([(note.title, note.body) for note in notes])
        memory = NotifyMemory.from_json(json.loads(json.dumps(memory.to_json())))
    return told, memory


BO_SAID = (
    "Unusual team usage: bo@example.com",
    "bo@example.com used 15× their usual today (30 credits)",
)


def test_an_unusual_member_is_said_once_a_day() -> None:
    later = NOW + timedelta(minutes=5)
    tomorrow = NOW + timedelta(days=1)
    told, _ = said(
        [
            (NOW, radar_of(BO, STEADY)),
            (later, radar_of(BO, STEADY)),
            (later + timedelta(hours=2), radar_of(BO, STEADY)),
            (tomorrow, radar_of(BO, STEADY, at=tomorrow)),
            (tomorrow + timedelta(minutes=5), radar_of(BO, STEADY, at=tomorrow)),
        ]
    )
    assert told == [[BO_SAID], [], [], [BO_SAID], []]


@pytest.mark.parametrize(
    ("radars", "expected"),
    [
        ([radar_of(STEADY)], [[]]),  # nobody unusual
        ([radar_of(status="unavailable")], [[]]),
        ([radar_of(status="unavailable"), radar_of(BO)], [[], [BO_SAID]]),
        # A member new to the window: "new: … today".
        (
            [radar_of(NEW)],
            [
                [
                    (
                        "Unusual team usage: new@example.com",
                        "new@example.com, new: 12 credits today",
                    )
                ]
            ],
        ),
        # Two at once: one notification naming both, the most unusual first.
        (
            [radar_of(STEADY, NEW, BO)],
            [
                [
                    (
                        "2 team members used far more than usual today",
                        "bo@example.com used 15× their usual today (30 credits)\n"
                        "new@example.com, new: 12 credits today",
                    )
                ]
            ],
        ),
        # A second member later the same day: only the new one.
        (
            [radar_of(BO), radar_of(BO, NEW)],
            [
                [BO_SAID],
                [
                    (
                        "Unusual team usage: new@example.com",
                        "new@example.com, new: 12 credits today",
                    )
                ],
            ],
        ),
        # A member back to usual and unusual again the same day is not said twice.
        ([radar_of(BO), radar_of(STEADY), radar_of(BO)], [[BO_SAID], [], []]),
    ],
)
def test_radar_sequences(radars: list[Radar], expected: list[list[tuple[str, str]]]) -> None:
    told, _ = said([(NOW + timedelta(minutes=5 * i), seen) for i, seen in enumerate(radars)])
    assert told == expected


def test_many_members_at_once_are_counted_beyond_three() -> None:
    members = [spiking(f"m{index}@example.com", 40.0 + index, 1.0) for index in range(5)]
    told, memory = said([(NOW, radar_of(*members))])
    [(title, body)] = told[0]
    assert title == "5 team members used far more than usual today"
    assert body.splitlines() == [
        "m4@example.com used 44× their usual today (44 credits)",
        "m3@example.com used 43× their usual today (43 credits)",
        "m2@example.com used 42× their usual today (42 credits)",
        "and 2 more members",
    ]
    assert len([key for key in memory.sent if key.rule is Rule.MEMBER_SPIKE]) == 5


def test_switch_and_snooze_hold_it_back_without_remembering() -> None:
    off = Settings(notifications=NotificationSwitches(unusual_member=False))
    told, memory = said([(NOW, radar_of(BO))], settings=off)
    assert told == [[]]
    assert memory.sent == {}
    told, _ = said([(NOW + timedelta(minutes=5), radar_of(BO))], memory=memory)
    assert told == [[BO_SAID]]

    snoozed = snooze_for_an_hour(NotifyMemory(), NOW)
    told, memory = said([(NOW + timedelta(minutes=10), radar_of(BO))], memory=snoozed)
    assert told == [[]]
    told, _ = said([(NOW + timedelta(minutes=70), radar_of(BO))], memory=memory)
    assert told == [[BO_SAID]]


def test_the_day_is_the_users_local_day() -> None:
    """In Berlin, 23:30 UTC is already the next day: the same spike is said again after local
    midnight, not after UTC's."""
    with local_zone("Europe/Berlin"):
        evening = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)  # 23:30 local
        after_midnight = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # 00:30 local, same UTC day
        told, memory = said(
            [
                (evening, radar_of(BO, at=evening)),
                (after_midnight, radar_of(BO, at=after_midnight)),
            ]
        )
        assert told == [[BO_SAID], [BO_SAID]]
        days = sorted(key.epoch[0] for key in memory.sent)
        assert days == ["2026-11-25", "2026-11-26"]


def test_a_radar_from_before_midnight_is_not_todays_news() -> None:
    """The radar of yesterday (its today request not yet repeated) says nothing new today."""
    told, _ = said(
        [
            (NOW, radar_of(BO)),
            (NOW + timedelta(days=1), radar_of(BO)),  # yesterday's radar, seen today
        ]
    )
    assert told == [[BO_SAID], []]


def test_old_days_are_forgotten_and_the_memory_stays_bounded(tmp_path: Any) -> None:
    days = [NOW + timedelta(days=index) for index in range(SPIKE_MEMORY_DAYS + 3)]
    _told, memory = said([(day, radar_of(BO, at=day)) for day in days])
    kept = sorted(key.epoch[0] for key in memory.sent)
    today = days[-1].date()
    assert kept == [
        (today - timedelta(days=back)).isoformat() for back in range(SPIKE_MEMORY_DAYS, -1, -1)
    ]

    # A huge team, every member unusual with the longest email: the newest are kept, and the
    # file stays far below what `notify_store` reads at all.
    crowd = [
        spiking(f"{index:04d}" + "x" * 230 + "@example.com", 50.0, 1.0) for index in range(900)
    ]
    _told, memory = said([(NOW, radar_of(*crowd))])
    spikes = [key for key in memory.sent if key.rule is Rule.MEMBER_SPIKE]
    assert len(spikes) == SPIKE_MEMORY_LIMIT
    path = tmp_path / "memory.json"
    notify_store.save(memory, path)
    assert path.stat().st_size < notify_store.STATE_LIMIT // 2
    assert notify_store.load(path) == memory


def test_an_email_that_reads_as_an_instant_survives_the_round_trip() -> None:
    odd = spiking("2026-11-25T00:00:00+00:00", 30.0, 2.0)
    told, memory = said([(NOW, radar_of(odd)), (NOW + timedelta(minutes=5), radar_of(odd))])
    assert [len(notes) for notes in told] == [1, 0]
    assert spike_epoch(date(2026, 11, 25), odd.email) in {key.epoch for key in memory.sent}


def summary(by_email: list[tuple[str, float]]) -> Any:
    body: dict[str, Any] = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": sum(credits for _email, credits in by_email),
        "total_tasks": len(by_email),
        "by_email": [
            {"email": email, "neo_credits": credits, "tasks": 1} for email, credits in by_email
        ],
    }
    return parse_summary(json.dumps(body))


def test_a_radar_computed_from_summaries() -> None:
    """The radar as `core/radar.compute` makes it from the window's and today's answers."""
    window = summary([("bo@example.com", 28.0), ("maya@acme.test", 140.0)])
    today = summary([("bo@example.com", 30.0), ("maya@acme.test", 9.0), ("new@example.com", 15)])
    start, _end = radar.today_window(NOW)
    computed = radar.compute(window, today, start)
    told, _ = said([(NOW, computed)])
    assert told == [
        [
            (
                "2 team members used far more than usual today",
                "bo@example.com used 15× their usual today (30 credits)\n"
                "new@example.com, new: 15 credits today",
            )
        ]
    ]
    unavailable = radar.compute(window, None, start)
    assert said([(NOW, unavailable)])[0] == [[]]
