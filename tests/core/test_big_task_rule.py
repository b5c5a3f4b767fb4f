"""The big-task notification as tables: (today's ledgers over time) -> notifications. A task of
today over the settings' limit (a share of the issued credits, default 5 %, or credits) is said
once, across restarts (the memory file's round trip), in the user's words, never while snoozed
or switched off, and its memory is let go once the task can no longer be listed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.core.rules.catalogue import Rule
from desktop.core.rules.decisions import BIG_TASK_MEMORY, big_task_limit, evaluate_tasks
from desktop.core.rules.memory import AccountContext, NotifyMemory, snooze_for_an_hour
from desktop.core.settings import NotificationSwitches, Settings
from desktop.core.tasks import TaskListing, TaskRow, TasksStatus, sort_key, today_window
from tests.core.test_rules import CONTEXT, T0

ISSUED = 1000.0  # the default limit is then 50 credits


def task(task_id: str, credits: float | None, title: str | None = None) -> TaskRow:
    return TaskRow(task_id, T0 - timedelta(hours=1), neo_credits=credits, task_title=title)


def ledger(*rows: TaskRow, status: TasksStatus = TasksStatus.OK) -> TaskListing:
    start, end = today_window(T0)
    return TaskListing(status, start, end, tuple(sorted(rows, key=sort_key)), len(rows))


def said(
    listings: list[TaskListing],
    *,
    settings: Settings | None = None,
    issued: float | None = ISSUED,
    memory: NotifyMemory | None = None,
    context: AccountContext = CONTEXT,
    step: timedelta = timedelta(minutes=5),
) -> tuple[list[list[str]], NotifyMemory]:
    """The bodies said for each listing in turn (the memory saved and read back between)."""
    memory = memory or NotifyMemory()
    bodies: list[list[str]] = []
    for index, listing in enumerate(listings):
        notes, memory = evaluate_tasks(
            memory,
            context,
            listing,
            issued=issued,
            now=T0 + step * index,
            settings=settings or Settings(),
        )
        assert all(note.rule is Rule.BIG_TASK for note in notes)
        bodies.append([note.body for note in notes])
        memory = NotifyMemory.from_json(memory.to_json())  # as a restart reads it
    return bodies, memory


SMALL = task("s1", 12.0, "Small scan")
BIG = task("b1", 60.0, "Scan staging API")
BIGGER = task("b2", 180.5, "Full recon")


@pytest.mark.parametrize(
    ("listings", "expected"),
    [
        # Over 5 % of 1,000 issued credits: said once, however often the ledger comes back.
        (
            [ledger(SMALL, BIG), ledger(SMALL, BIG), ledger(BIG)],
            [
                [
                    "Scan staging API used 60 credits today, more than 5% of the issued "
                    "credits (50 credits)."
                ],
                [],
                [],
            ],
        ),
        ([ledger(SMALL), ledger(task("at", 50.0))], [[], []]),  # at the limit is not over it
        # A second big task later is its own notification.
        (
            [ledger(BIG), ledger(BIG, BIGGER)],
            [
                [
                    "Scan staging API used 60 credits today, more than 5% of the issued "
                    "credits (50 credits)."
                ],
                [
                    "Full recon used 180.5 credits today, more than 5% of the issued credits "
                    "(50 credits)."
                ],
            ],
        ),
        # Several new ones at once are one notification naming the costliest.
        (
            [ledger(BIG, BIGGER, SMALL)],
            [
                [
                    "2 tasks used more than 5% of the issued credits (50 credits) today; the "
                    "costliest: Full recon (180.5 credits)."
                ]
            ],
        ),
        # A task without a title is named by its id; a missing figure is never over.
        (
            [ledger(task("7f3c-task", 75.0), task("none", None))],
            [["7f3c-task used 75 credits today, more than 5% of the issued credits (50 credits)."]],
        ),
        # A failed or refused ledger says nothing.
        ([ledger(status=TasksStatus.UNAVAILABLE), ledger(status=TasksStatus.FORBIDDEN)], [[], []]),
    ],
)
def test_a_big_task_is_said_once(listings: list[TaskListing], expected: list[list[str]]) -> None:
    assert said(listings)[0] == expected


def test_a_number_of_credits_instead_of_a_share() -> None:
    settings = Settings(big_task_unit="credits", big_task_credits=10.0)
    bodies, _memory = said([ledger(SMALL)], settings=settings, issued=None)
    assert bodies == [["Small scan used 12 credits today, more than 10 credits."]]


@pytest.mark.parametrize("issued", [None, 0.0])
def test_a_share_of_unknown_issued_credits_is_no_limit(issued: float | None) -> None:
    assert said([ledger(BIGGER)], issued=issued)[0] == [[]]
    assert big_task_limit(Settings(), issued) is None


def test_switched_off_or_snoozed_says_nothing_and_remembers_nothing() -> None:
    off = Settings(notifications=NotificationSwitches(big_task=False))
    bodies, memory = said([ledger(BIG)], settings=off)
    assert bodies == [[]]
    assert memory.sent == {}
    snoozed = snooze_for_an_hour(NotifyMemory(), T0)
    bodies, memory = said([ledger(BIG)], memory=snoozed)
    assert bodies == [[]]
    assert memory.sent == {}
    # The snooze over, what still holds is said.
    later, _memory = evaluate_tasks(
        memory,
        CONTEXT,
        ledger(BIG),
        issued=ISSUED,
        now=T0 + timedelta(hours=2),
        settings=Settings(),
    )
    assert [note.rule for note in later] == [Rule.BIG_TASK]


def test_each_account_and_token_has_its_own_memory() -> None:
    _bodies, memory = said([ledger(BIG)])
    other = AccountContext(CONTEXT.cache_key, "another-tag")
    assert len(said([ledger(BIG)], memory=memory, context=other)[0][0]) == 1


def test_the_memory_of_a_big_task_is_let_go_once_it_cannot_be_listed() -> None:
    _bodies, memory = said([ledger(BIG)])
    assert len(memory.sent) == 1
    _notes, kept = evaluate_tasks(
        memory, CONTEXT, ledger(), issued=ISSUED, now=T0 + timedelta(days=1), settings=Settings()
    )
    assert len(kept.sent) == 1
    _notes, pruned = evaluate_tasks(
        memory,
        CONTEXT,
        ledger(),
        issued=ISSUED,
        now=T0 + BIG_TASK_MEMORY + timedelta(minutes=1),
        settings=Settings(),
    )
    assert pruned.sent == {}


def test_a_hostile_title_is_one_line_and_cut() -> None:
    hostile = "<b>boom</b> & \x1b[31mred\n" + "word " * 40
    bodies, _memory = said([ledger(task("h", 99.0, hostile))])
    (body,) = bodies[0]
    assert "\n" not in body
    assert "\x1b" not in body
    assert "<b>boom</b> &" in body  # the notifier escapes it for its sink
    assert "…" in body


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ({"big_task_unit": "credits", "big_task_credits": 25}, ("credits", 25.0)),
        ({"big_task_share": 0.1}, ("share", 0.1)),
    ],
)
def test_the_settings_keep_the_limit(raw: dict[str, object], kept: tuple[str, float]) -> None:
    settings = Settings.model_validate(raw)
    unit = settings.big_task_unit
    value = settings.big_task_credits if unit == "credits" else settings.big_task_share
    assert (unit, value) == kept


@pytest.mark.parametrize(
    "raw",
    [
        {"big_task_unit": "dollars"},
        {"big_task_credits": 0},
        {"big_task_credits": -5},
        {"big_task_credits": True},
        {"big_task_credits": "50"},
        {"big_task_credits": float("nan")},
        {"big_task_share": 1.5},
        {"big_task_share": "5%"},
    ],
)
def test_the_settings_refuse_an_odd_limit(raw: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        Settings.model_validate(raw)


def test_the_default_is_five_percent_of_the_issued_credits() -> None:
    assert big_task_limit(Settings(), 2000.0) == (100.0, 0.05)
    assert Settings().notifications.big_task is True


def test_later_big_tasks_are_counted_as_more_under_a_heading_of_their_number() -> None:
    """Issue 27 F4: 3 big tasks said, then 2 new ones: "2 more tasks", not a total that went
    down; the heading agrees with the count (one task: "A", several: their number)."""
    first = [task(f"a{n}", 60.0 + n, f"First {n}") for n in range(3)]
    second = [task("m1", 90.0, "More one"), task("m2", 70.0, "More two")]
    memory = NotifyMemory()
    seen: list[tuple[str, str]] = []
    for step, rows in enumerate([first, first + second, [*first, *second, task("m3", 55.0)]]):
        notes, memory = evaluate_tasks(
            memory,
            CONTEXT,
            ledger(*rows, SMALL),
            issued=ISSUED,
            now=T0 + timedelta(minutes=5 * step),
            settings=Settings(),
        )
        seen += [(note.title, note.body) for note in notes]
    assert seen == [
        (
            "3 Neo tasks used many credits",
            "3 tasks used more than 5% of the issued credits (50 credits) today; the "
            "costliest: First 2 (62 credits).",
        ),
        (
            "2 more Neo tasks used many credits",
            "2 more tasks used more than 5% of the issued credits (50 credits) today (5 in "
            "all); the costliest: More one (90 credits).",
        ),
        (
            "Another Neo task used many credits",
            "m3 used 55 credits today, more than 5% of the issued credits (50 credits).",
        ),
    ]
    single, _memory = evaluate_tasks(
        NotifyMemory(), CONTEXT, ledger(BIG), issued=ISSUED, now=T0, settings=Settings()
    )
    assert [note.title for note in single] == ["A Neo task used many credits"]
