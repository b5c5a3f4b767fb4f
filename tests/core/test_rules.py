"""Notification rules as tables: (sequence of poll outcomes over time) -> notifications."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desktop.core.account_rules import token_tag
from desktop.core.errors import ErrorKind
from desktop.core.forecast import Forecast, ForecastStatus
from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
from desktop.core.models import parse_summary
from desktop.core.rules.catalogue import Rule, Urgency
from desktop.core.rules.decisions import evaluate, evaluate_forecast
from desktop.core.rules.memory import (
    AccountContext,
    NotifyMemory,
    snooze_for_an_hour,
    snooze_until_tomorrow,
)
from desktop.core.settings import NotificationSwitches, Settings
from desktop.core.snapshot import PollError, Snapshot

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CONTEXT = AccountContext("https://neo.example.test", token_tag("secret-token"))
SETTINGS = Settings()


def snap(
    available: float | None, issued: float | None = 1000, at: datetime = T0, **fields: Any
) -> Snapshot:
    body: dict[str, Any] = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 0,
        "total_tasks": 0,
        "last_credit_reset": "2026-11-01T00:00:00Z",
        "neo_credits_expires_at": "2027-03-01T00:00:00Z",
    }
    if available is not None:
        body["total_available_neo_credits"] = available
    if issued is not None:
        body["total_issued_neo_credits"] = issued
    body.update(fields)
    return Snapshot(parse_summary(json.dumps(body)), at)


def fail(kind: ErrorKind, at: datetime = T0, token: str = "secret-token") -> PollError:
    return PollError(kind, "Cannot reach the Neo API.", at, token_tag=token_tag(token))


def member(
    remaining: float | None,
    limit: float = 75.0,
    at: datetime = T0,
    token: str = "secret-token",
) -> MemberSnapshot:
    """The main poll's answer in member mode (`/api/v1/user`): a cap of `limit` dollars with
    `remaining` left (None: the team has no cap)."""
    cap = None if remaining is None else MemberCap(limit, limit - remaining, remaining)
    profile = MemberProfile("ana@acme.test", "Acme Sec", cap, True)
    return MemberSnapshot(profile, at, token_tag=token_tag(token))


Outcome = Snapshot | MemberSnapshot | PollError


def run(
    outcomes: Sequence[Outcome],
    memory: NotifyMemory | None = None,
    settings: Settings = SETTINGS,
    context: AccountContext = CONTEXT,
) -> tuple[list[list[Rule]], NotifyMemory]:
    memory = memory or NotifyMemory()
    fired: list[list[Rule]] = []
    for index, outcome in enumerate(outcomes):
        now = outcome.at if isinstance(outcome, PollError) else outcome.fetched_at
        notes, memory = evaluate(memory, context, outcome, now + timedelta(seconds=index), settings)
        fired.append([note.rule for note in notes])
    return fired, memory


@pytest.mark.parametrize(
    ("availabilities", "expected"),
    [
        ([800, 600, 400], [[], [], []]),
        ([300, 240, 230, 220], [[], [Rule.LOW], [], []]),  # once per crossing
        ([300, 240, 90], [[], [Rule.LOW], [Rule.CRITICAL]]),
        ([300, 50], [[], [Rule.CRITICAL]]),  # two lines in one poll: only the severe one
        ([300, 0], [[], [Rule.EMPTY]]),
        ([240, 260, 240], [[Rule.LOW], [], []]),  # 26 % is inside the margin: no re-arm
        ([240, 310, 240], [[Rule.LOW], [], [Rule.LOW]]),  # above 30 %: re-armed
        ([200], [[Rule.LOW]]),  # already low at the first look: said once
        ([-5], [[Rule.EMPTY]]),
    ],
)
def test_credit_thresholds(availabilities: list[float], expected: list[list[Rule]]) -> None:
    fired, _ = run(
        [snap(a, at=T0 + timedelta(minutes=5 * i)) for i, a in enumerate(availabilities)]
    )
    assert fired == expected


@pytest.mark.parametrize(
    ("remaining", "expected"),
    [
        # A $75 cap; the settings' thresholds are 25 % ($18.75) and 10 % ($7.50).
        ([60, 40, 30], [[], [], []]),
        ([30, 18, 17, 16], [[], [Rule.CAP_LOW], [], []]),  # once per crossing
        ([30, 18, 6], [[], [Rule.CAP_LOW], [Rule.CAP_CRITICAL]]),
        ([30, 5], [[], [Rule.CAP_CRITICAL]]),  # two lines in one poll: only the severe one
        ([30, 0], [[], [Rule.CAP_REACHED]]),
        ([30, -2], [[], [Rule.CAP_REACHED]]),  # used past the limit
        ([0, 0, 0], [[Rule.CAP_REACHED], [], []]),
        ([5, 0], [[Rule.CAP_CRITICAL], [Rule.CAP_REACHED]]),
        ([18, 20, 18], [[Rule.CAP_LOW], [], []]),  # 26.7 % is inside the margin: no re-arm
        ([18, 23, 18], [[Rule.CAP_LOW], [], [Rule.CAP_LOW]]),  # above 30 %: re-armed
        ([5, 11, 5], [[Rule.CAP_CRITICAL], [], []]),  # 14.7 %: inside the margin
        ([5, 12, 5], [[Rule.CAP_CRITICAL], [], [Rule.CAP_CRITICAL]]),  # 16 %: re-armed
        ([5, 18, 17], [[Rule.CAP_CRITICAL], [], []]),  # low was said with critical
        ([5, 60, 5], [[Rule.CAP_CRITICAL], [], [Rule.CAP_CRITICAL]]),
        ([None, None], [[], []]),  # no cap: nothing to warn of
    ],
)
def test_member_cap_thresholds(remaining: list[float | None], expected: list[list[Rule]]) -> None:
    fired, _ = run([member(r, at=T0 + timedelta(minutes=5 * i)) for i, r in enumerate(remaining)])
    assert fired == expected


@pytest.mark.parametrize(
    ("caps", "expected"),
    [
        # (remaining, limit): an admin who changes the limit re-arms every cap warning.
        ([(18, 75), (18, 75), (24, 100)], [[Rule.CAP_LOW], [], [Rule.CAP_LOW]]),
        ([(0, 75), (0, 75), (5, 80)], [[Rule.CAP_REACHED], [], [Rule.CAP_CRITICAL]]),
        ([(0, 75), (100, 200), (0, 75)], [[Rule.CAP_REACHED], [], [Rule.CAP_REACHED]]),
        ([(18, 75), (18.5, 75.0)], [[Rule.CAP_LOW], []]),  # the same limit, as a float
    ],
)
def test_a_new_limit_rearms_the_cap_warnings(
    caps: list[tuple[float, float]], expected: list[list[Rule]]
) -> None:
    fired, memory = run([member(r, limit) for r, limit in caps])
    assert fired == expected
    # The memory keeps only the last limit's keys.
    assert {key.epoch for key in memory.sent} <= {(repr(float(caps[-1][1])),)}


def test_member_cap_texts_and_switches() -> None:
    notes, _ = evaluate(NotifyMemory(), CONTEXT, member(0, at=T0), T0, SETTINGS)
    assert [(n.title, n.urgency) for n in notes] == [("Neo spending cap reached", Urgency.CRITICAL)]
    assert notes[0].body == (
        "You have used $75 of your $75 cap: tasks are blocked until an admin raises it."
    )
    notes, _ = evaluate(NotifyMemory(), CONTEXT, member(32.5, 140), T0, SETTINGS)
    assert [(n.title, n.body) for n in notes] == [
        ("Neo spending cap running low", "You have $32.50 of $140 cap left (23%).")
    ]
    notes, _ = evaluate(NotifyMemory(), CONTEXT, member(5), T0, SETTINGS)
    assert [n.title for n in notes] == ["Neo spending cap almost reached"]
    # The credits' switches: low, critical, empty.
    quiet = Settings(notifications=NotificationSwitches(low_credit=False, empty=False))
    fired, _ = run([member(18), member(5), member(0)], settings=quiet)
    assert fired == [[], [Rule.CAP_CRITICAL], []]
    snoozed = snooze_for_an_hour(NotifyMemory(), T0)
    fired, memory = run([member(18, at=T0 + timedelta(minutes=10))], snoozed)
    assert fired == [[]]
    fired, _ = run([member(17, at=T0 + timedelta(minutes=70))], memory)
    assert fired == [[Rule.CAP_LOW]]


def test_member_cap_memory_survives_a_restart_and_is_per_token() -> None:
    _, memory = run([member(18)])
    restored = NotifyMemory.from_json(json.loads(json.dumps(memory.to_json())))
    assert restored == memory
    fired, _ = run([member(17), member(16)], restored)
    assert fired == [[], []]
    other = AccountContext(CONTEXT.cache_key, token_tag("another-token"))
    fired, _ = run([member(17, token="another-token")], restored, context=other)
    assert fired == [[Rule.CAP_LOW]]


def run_tokens(outcomes: list[Outcome]) -> list[list[Rule]]:
    """`outcomes` of one address, each evaluated under its own token's tag (the AlertCenter's
    context), the memory written to disk and read back between them (a restart each time)."""
    memory = NotifyMemory()
    fired: list[list[Rule]] = []
    for index, outcome in enumerate(outcomes):
        now = (outcome.at if isinstance(outcome, PollError) else outcome.fetched_at) + timedelta(
            seconds=index
        )
        context = AccountContext(CONTEXT.cache_key, outcome.token_tag or "none")
        notes, memory = evaluate(memory, context, outcome, now, SETTINGS)
        memory = NotifyMemory.from_json(json.loads(json.dumps(memory.to_json())))
        fired.append([note.rule for note in notes])
    return fired


FORBIDDEN = fail(ErrorKind.NO_PERMISSION)
NP = Rule.NO_PERMISSION


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ([FORBIDDEN, FORBIDDEN], [[NP], []]),  # no cap ever known: said once per episode
        # While a cap is known for this token, a 403 (when /user failed once) is no news.
        ([member(40), FORBIDDEN, FORBIDDEN, member(40)], [[], [], [], []]),
        ([member(None), FORBIDDEN], [[], []]),  # a member even without a cap figure
        ([FORBIDDEN, member(40), FORBIDDEN], [[NP], [], []]),
        # A summary's 200 ends member mode: a later 403 is news again.
        ([member(40), snap(900), FORBIDDEN], [[], [], [NP]]),
        # A token change forgets the cap: the new token's 403, and the old one's afterwards.
        (
            [member(40), fail(ErrorKind.NO_PERMISSION, token="new-token"), FORBIDDEN],
            [[], [NP], [NP]],
        ),
        ([member(40), fail(ErrorKind.NO_TOKEN, token=""), FORBIDDEN], [[], [], [NP]]),
        # A cap known for another token of the same address says nothing of this one.
        ([member(40, token="new-token"), FORBIDDEN], [[], [NP]]),
        # Other failures are told as ever.
        ([member(40), fail(ErrorKind.AUTH_REJECTED)], [[], [Rule.AUTH_FAILED]]),
    ],
)
def test_no_permission_is_quiet_while_a_cap_is_known(
    outcomes: list[Outcome], expected: list[list[Rule]]
) -> None:
    assert run_tokens(outcomes) == expected


def test_flaky_fetches_neither_cross_nor_clear() -> None:
    outcomes: list[Snapshot | PollError] = [
        snap(240),
        fail(ErrorKind.OFFLINE),
        fail(ErrorKind.RATE_LIMITED),
        snap(None, None),  # partial: no figures
        snap(230),
        fail(ErrorKind.OFFLINE),
        snap(220),
    ]
    fired, _ = run(outcomes)
    assert fired == [[Rule.LOW], [], [], [], [], [], []]


def test_restart_with_persisted_memory_does_not_repeat() -> None:
    _, memory = run([snap(240)])
    restored = NotifyMemory.from_json(json.loads(json.dumps(memory.to_json())))
    fired, _ = run([snap(235), snap(230)], restored)
    assert fired == [[], []]


def test_reset_rearms_thresholds_and_is_announced() -> None:
    fired, memory = run([snap(240), snap(80)])
    assert fired == [[Rule.LOW], [Rule.CRITICAL]]
    after_reset = snap(950, last_credit_reset="2026-11-25T00:00:00Z", at=T0 + timedelta(hours=1))
    fired, memory = run([after_reset], memory)
    assert fired == [[Rule.RESET]]
    fired, _ = run(
        [snap(240, last_credit_reset="2026-11-25T00:00:00Z", at=T0 + timedelta(hours=2))], memory
    )
    assert fired == [[Rule.LOW]]


def test_top_up_is_told_apart_from_a_reset() -> None:
    _, memory = run([snap(240)])
    notes, _ = evaluate(memory, CONTEXT, snap(1240, issued=2000), T0 + timedelta(hours=1), SETTINGS)
    assert [n.title for n in notes] == ["Neo credits topped up"]


@pytest.mark.parametrize(
    ("expires_in", "expected"),
    [
        (timedelta(days=30), []),
        (timedelta(days=6), [Rule.EXPIRY_7D]),
        (timedelta(hours=20), [Rule.EXPIRY_1D]),
    ],
)
def test_expiry_warnings(expires_in: timedelta, expected: list[Rule]) -> None:
    at = T0
    expires = (at + expires_in).isoformat()
    fired, memory = run([snap(900, neo_credits_expires_at=expires, at=at)])
    assert fired == [expected]
    again, _ = run(
        [snap(900, neo_credits_expires_at=expires, at=at + timedelta(minutes=5))], memory
    )
    assert again == [[]]


def test_expiry_sequence_and_expired_is_critical() -> None:
    expires = "2026-12-01T00:00:00Z"
    days = [
        T0,
        T0 + timedelta(days=1),
        datetime(2026, 11, 30, 6, tzinfo=UTC),
        datetime(2026, 12, 1, 1, tzinfo=UTC),
    ]
    outcomes = [snap(900, neo_credits_expires_at=expires, at=day) for day in days[:3]]
    outcomes.append(
        snap(0, neo_credits_expires_at=expires, neo_credits_is_expired=True, at=days[3])
    )
    memory = NotifyMemory()
    fired: list[list[Rule]] = []
    for outcome in outcomes:
        notes, memory = evaluate(memory, CONTEXT, outcome, outcome.fetched_at, SETTINGS)
        fired.append([n.rule for n in notes])
        if notes and notes[0].rule is Rule.EXPIRED:
            assert notes[0].urgency is Urgency.CRITICAL
    assert fired == [
        [Rule.EXPIRY_7D],
        [],
        [Rule.EXPIRY_1D],
        [Rule.EXPIRED],
    ]  # no "empty" for expiry


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        # Each of four warning days is said once, in order, then expiry itself.
        (
            [40, 29, 28, 13, 12, 6, 5, 0.5, 0.4],
            [
                [],
                [Rule.EXPIRY_7D],
                [],
                [Rule.EXPIRY_7D],
                [],
                [Rule.EXPIRY_7D],
                [],
                [Rule.EXPIRY_1D],
                [],
            ],
        ),
        # A jump past several days says only the one reached, and the milder ones stay said.
        ([40, 6, 5, 0.5], [[], [Rule.EXPIRY_7D], [], [Rule.EXPIRY_1D]]),
        ([40, 0.5, 6], [[], [Rule.EXPIRY_1D], []]),
    ],
)
def test_every_expiry_warning_day_is_said_once(
    days_left: list[float], expected: list[list[Rule]]
) -> None:
    settings = Settings(expiry_warning_days=(30, 14, 7, 1))
    expires = datetime(2027, 3, 1, tzinfo=UTC)
    outcomes: list[Snapshot | PollError] = [
        snap(900, neo_credits_expires_at=expires.isoformat(), at=expires - timedelta(days=days))
        for days in days_left
    ]
    fired, _memory = run(outcomes, settings=settings)
    assert fired == expected


def test_sign_in_failures_once_per_episode() -> None:
    outcomes: list[Snapshot | PollError] = [
        fail(ErrorKind.AUTH_REJECTED),
        fail(ErrorKind.AUTH_REJECTED),
        fail(ErrorKind.OFFLINE),
        fail(ErrorKind.AUTH_REJECTED),
        snap(900),
        fail(ErrorKind.AUTH_REJECTED),
        fail(ErrorKind.NO_PERMISSION),
    ]
    fired, _ = run(outcomes)
    assert fired == [[Rule.AUTH_FAILED], [], [], [], [], [Rule.AUTH_FAILED], [Rule.NO_PERMISSION]]


def test_snooze_holds_back_and_then_tells_once() -> None:
    memory = snooze_for_an_hour(NotifyMemory(), T0)
    fired, memory = run([snap(240, at=T0 + timedelta(minutes=10))], memory)
    assert fired == [[]]
    fired, _ = run([snap(239, at=T0 + timedelta(minutes=70))], memory)
    assert fired == [[Rule.LOW]]


def test_snooze_until_tomorrow_is_next_morning() -> None:
    memory = snooze_until_tomorrow(NotifyMemory(), T0)
    assert memory.snoozed(T0 + timedelta(hours=10))
    assert not memory.snoozed(T0 + timedelta(days=2))


def test_switches_per_rule() -> None:
    quiet = Settings(notifications=NotificationSwitches(low_credit=False))
    fired, _ = run([snap(240), snap(80)], settings=quiet)
    assert fired == [[], [Rule.CRITICAL]]


def test_memory_is_per_account_and_url() -> None:
    _, memory = run([snap(240)])
    other = AccountContext("https://neo.example.test", token_tag("another-token"))
    fired, _ = run([snap(240)], memory, context=other)
    assert fired == [[Rule.LOW]]
    assert "secret-token" not in json.dumps(memory.to_json())


def test_corrupt_memory_is_empty() -> None:
    assert NotifyMemory.from_json([1, 2]) == NotifyMemory()
    assert NotifyMemory.from_json({"sent": "x", "epochs": None}) == NotifyMemory()
    assert not NotifyMemory(snoozed_until="garbage").snoozed(T0)


def first_release_memory(context: AccountContext) -> dict[str, Any]:
    """Notification memory as the first release wrote it: keys joined with `|`."""
    base = f"{context.cache_key}|{context.token_tag}"
    epoch = "2026-11-01T00:00:00+00:00|1000.0"
    return {
        "sent": {
            f"{base}|low|{epoch}": "2026-11-20T10:00:00+00:00",
            f"{base}|expiry_7d|2026-11-30T00:00:00+00:00": "2026-11-24T10:00:00+00:00",
            f"{base}|auth_failed|": "2026-11-19T10:00:00+00:00",
        },
        "epochs": {f"{base}|reset|": epoch},
        "snoozed_until": None,
    }


def test_first_release_memory_is_migrated_and_nothing_is_said_again() -> None:
    expiring = "2026-11-30T00:00:00Z"  # within 7 days of T0
    state: list[Snapshot | PollError] = [
        snap(200, neo_credits_expires_at=expiring),
        fail(ErrorKind.AUTH_REJECTED),
    ]
    fresh, _ = run(state)
    assert fresh == [[Rule.LOW, Rule.EXPIRY_7D], [Rule.AUTH_FAILED]]  # what would be said
    migrated = NotifyMemory.from_json(first_release_memory(CONTEXT))
    assert len(migrated.sent) == 3
    fired, after = run([snap(200, neo_credits_expires_at=expiring)], migrated)
    assert fired == [[]]
    # Written back in this release's format, it reads back the same.
    assert NotifyMemory.from_json(json.loads(json.dumps(after.to_json()))) == after


def test_migration_still_sees_a_reset_against_the_old_epoch() -> None:
    migrated = NotifyMemory.from_json(first_release_memory(CONTEXT))
    fired, _ = run([snap(900, last_credit_reset="2026-11-25T00:00:00Z")], migrated)
    assert fired == [[Rule.RESET]]


def test_a_reset_that_brings_nothing_back_is_not_announced() -> None:
    """An expired account whose reset time moved: no "reset — 0 of 1,000", no second expired."""
    expired: dict[str, Any] = {
        "neo_credits_is_expired": True,
        "neo_credits_expires_at": "2026-11-20T00:00:00Z",
    }
    fired, memory = run([snap(0, **expired)])
    assert fired == [[Rule.EXPIRED]]
    moved = snap(0, last_credit_reset="2026-11-25T06:00:00Z", at=T0 + timedelta(hours=1), **expired)
    fired, memory = run([moved], memory)
    assert fired == [[]]
    fired, _ = run([snap(0, at=T0 + timedelta(hours=2), **expired)], memory)
    assert fired == [[]]


def test_a_reset_time_that_jitters_is_the_same_epoch() -> None:
    fired, memory = run([snap(240)])
    assert fired == [[Rule.LOW]]
    # The API reports the reset a few seconds off, and a little usage came back: same epoch.
    jitter = snap(300, last_credit_reset="2026-11-01T00:02:30Z", at=T0 + timedelta(hours=1))
    fired, _ = run([jitter, snap(240, at=T0 + timedelta(hours=2))], memory)
    assert fired == [[], []]


def test_a_later_expiry_with_a_new_reset_is_announced() -> None:
    _, memory = run([snap(240)])
    renewed = snap(
        240,
        last_credit_reset="2026-11-25T00:00:00Z",
        neo_credits_expires_at="2027-06-01T00:00:00Z",
        at=T0 + timedelta(hours=1),
    )
    fired, _ = run([renewed], memory)
    assert fired == [[Rule.RESET, Rule.LOW]]


def soon(
    days: float, before: bool | None = True, unused: float = 0.0, expiry_days: float = 60
) -> Forecast:
    return Forecast(
        ForecastStatus.OK,
        10.0,
        T0 + timedelta(days=days),
        before,
        unused,
        0.5,
        expires_at=T0 + timedelta(days=expiry_days),
    )


def run_forecasts(
    forecasts: list[Forecast | None],
    memory: NotifyMemory | None = None,
    settings: Settings = SETTINGS,
) -> tuple[list[list[Rule]], NotifyMemory]:
    memory = memory or NotifyMemory()
    fired: list[list[Rule]] = []
    previous: Forecast | None = None
    for forecast in forecasts:
        notes, memory = evaluate_forecast(
            memory, CONTEXT, forecast, previous, issued=1000, now=T0, settings=settings
        )
        fired.append([note.rule for note in notes])
        previous = forecast
    return fired, memory


@pytest.mark.parametrize(
    ("forecasts", "expected"),
    [
        ([soon(5), soon(5)], [[], [Rule.RUNS_OUT_SOON]]),  # never on the first refresh
        ([soon(5), soon(5), soon(4)], [[], [Rule.RUNS_OUT_SOON], []]),  # once per epoch
        ([soon(5), None, soon(5)], [[], [], []]),  # a failed refresh breaks the agreement
        ([soon(20), soon(20)], [[], []]),  # more than a week away
        ([soon(5, before=False, unused=0), soon(5, before=False)], [[], []]),
        ([soon(5, before=None), soon(5, before=None)], [[], [Rule.RUNS_OUT_SOON]]),  # no expiry
        (
            [soon(90, False, unused=400, expiry_days=6)] * 2,
            [[], [Rule.EXPIRES_UNUSED]],
        ),
        ([soon(90, False, unused=40, expiry_days=6)] * 2, [[], []]),  # under 5 % of issued
        ([soon(90, False, unused=400, expiry_days=9)] * 2, [[], []]),  # expiry beyond a week
        (
            [Forecast(ForecastStatus.INSUFFICIENT_DATA)] * 2,
            [[], []],
        ),
    ],
)
def test_forecast_notifications(
    forecasts: list[Forecast | None], expected: list[list[Rule]]
) -> None:
    fired, _ = run_forecasts(forecasts)
    assert fired == expected


def test_forecast_notifications_have_their_switch_and_honour_the_snooze() -> None:
    off = Settings(notifications=NotificationSwitches(forecast=False))
    assert run_forecasts([soon(5), soon(5)], settings=off)[0] == [[], []]
    snoozed = snooze_for_an_hour(NotifyMemory(), T0)
    assert run_forecasts([soon(5), soon(5)], snoozed)[0] == [[], []]


def test_forecast_notification_texts() -> None:
    notes, _ = evaluate_forecast(
        NotifyMemory(), CONTEXT, soon(4.2), soon(4.2), issued=1000, now=T0, settings=SETTINGS
    )
    # Calendar days to the tray's date (Nov 25 12:00 + 4.2 days is Nov 29, "~Nov 29"): 4, not
    # the 5 that rounding the hours up said (issue 29).
    assert notes[0].body == "At this pace your credits run out in 4 days, before they expire."
    unused = soon(90, False, unused=1240, expiry_days=6)
    notes, _ = evaluate_forecast(
        NotifyMemory(), CONTEXT, unused, unused, issued=5000, now=T0, settings=SETTINGS
    )
    assert notes[0].body == "About 1,200 credits will expire unused on Dec 1."


def previous_release_memory(memory: NotifyMemory) -> dict[str, Any]:
    """`memory` as the release before the token tag and the cache key had their names wrote it:
    fields named "account" and "base_url", instants with "+00:00"."""
    text = json.dumps(memory.to_json()).replace('"token_tag"', '"account"')
    text = text.replace('"cache_key"', '"base_url"')
    return dict(json.loads(text.replace('Z"', '+00:00"')))


def test_previous_release_memory_is_read_and_nothing_is_said_again() -> None:
    expiring = "2026-11-30T00:00:00Z"  # within 7 days of T0
    fired, memory = run([snap(200, neo_credits_expires_at=expiring), fail(ErrorKind.AUTH_REJECTED)])
    assert fired == [[Rule.LOW, Rule.EXPIRY_7D], [Rule.AUTH_FAILED]]
    old = previous_release_memory(memory)
    assert "account" in old["sent"][0]
    assert "token_tag" not in old["sent"][0]
    assert "base_url" in old["epochs"][0]
    loaded = NotifyMemory.from_json(old)
    assert len(loaded.sent) == 3
    assert len(loaded.epochs) == 1
    again, _ = run(
        [fail(ErrorKind.AUTH_REJECTED), snap(200, neo_credits_expires_at=expiring)], loaded
    )
    assert again == [[], []]
