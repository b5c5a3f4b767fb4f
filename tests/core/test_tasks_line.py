"""The tray menu's line for today's tasks: within the menu's 60 characters (the costliest task's
title cut first, then left out), hostile titles cleaned, and what it says with no task, a failed
or refused fetch, or yesterday's listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop.core import i18n
from desktop.core.presentation import ViewState
from desktop.core.tasks import TaskListing, TaskRow, TasksStatus, sort_key, today_window
from desktop.core.text_fit import MENU_LIMIT
from desktop.core.tray_text import menu_lines, tasks_line
from tests.zones import local_zone

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def listing(
    *rows: TaskRow, status: TasksStatus = TasksStatus.OK, now: datetime = NOW
) -> TaskListing:
    start, end = today_window(now)
    return TaskListing(status, start, end, tuple(sorted(rows, key=sort_key)), len(rows))


def task(task_id: str, credits: float | None, title: str | None = None) -> TaskRow:
    return TaskRow(task_id, NOW - timedelta(hours=1), neo_credits=credits, task_title=title)


SEVEN = (
    task("t1", 18.2, "Scan staging API"),
    task("t2", 10.0, "Recon"),
    task("t3", 5.3),
    task("t4", 4.0, "Triage"),
    task("t5", 3.0),
    task("t6", 1.5),
    task("t7", 0.5),
)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        (None, ""),  # not fetched yet
        (listing(*SEVEN), "Today: 42.5 credits · 7 tasks · top: Scan staging API (18.2)"),
        (listing(task("t1", 1.0, "Solo")), "Today: 1 credit · 1 task · top: Solo (1)"),
        (listing(task("abc-123", 2.5)), "Today: 2.5 credits · 1 task · top: abc-123 (2.5)"),
        (listing(task("t1", None, "Free")), "Today: 0 credits · 1 task · top: Free (—)"),
        (listing(), "Today: no tasks yet"),
        (listing(status=TasksStatus.UNAVAILABLE), "Today's tasks: unavailable"),
        (listing(status=TasksStatus.FORBIDDEN), ""),  # the account's own line says it
        (listing(*SEVEN, now=NOW - timedelta(days=1)), ""),  # yesterday's: not "today"
    ],
)
def test_what_the_line_says(shown: TaskListing | None, expected: str) -> None:
    with local_zone("UTC"):
        assert tasks_line(shown, NOW) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # The title is cut first, at a word, with an ellipsis.
        (
            "Scan the whole staging API for injection flaws",
            "Today: 42.5 credits · 7 tasks · top: Scan the whole… (18.2)",
        ),
        # A title without spaces is cut where the room ends.
        ("x" * 200, "Today: 42.5 credits · 7 tasks · top: xxxxxxxxxxxxxxx… (18.2)"),
    ],
)
def test_a_long_title_is_cut_first(title: str, expected: str) -> None:
    rows = (task("t1", 18.2, title), *SEVEN[1:])
    with local_zone("UTC"):
        line = tasks_line(listing(*rows), NOW)
    assert line == expected
    assert len(line) <= MENU_LIMIT


def test_with_too_little_room_the_top_task_is_left_out() -> None:
    rows = (task("t1", 18_234.5, "Scan staging API"), *SEVEN[1:])
    with local_zone("UTC"):
        line = tasks_line(listing(*rows), NOW, limit=40)
    assert line == "Today: 18,259 credits · 7 tasks"


def test_a_hostile_title_is_one_clean_line() -> None:
    hostile = "<b>x</b> & \x1b[31mred\x1b[0m\n2nd\u202e"
    with local_zone("UTC"):
        line = tasks_line(listing(task("t1", 3.0, hostile)), NOW)
    assert "\x1b" not in line
    assert "\n" not in line
    assert "\u202e" not in line
    assert "<b>x</b> &" in line  # plain text: the menu sink escapes it for Qt
    assert len(line) <= MENU_LIMIT


def test_the_local_day_decides_what_today_is() -> None:
    # 23:30 UTC on the 25th is still the 25th in UTC, and already the 26th in Berlin.
    late = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    with local_zone("UTC"):
        assert tasks_line(listing(*SEVEN), late).startswith("Today: 42.5 credits")
    with local_zone("Europe/Berlin"):
        afternoon = listing(*SEVEN)  # fetched at 16:00 in Berlin
        assert tasks_line(afternoon, late) == ""  # a new local day
        assert tasks_line(listing(*SEVEN, now=late), late).startswith("Today: 42.5 credits")


def test_the_menu_lines_carry_it_before_the_freshness() -> None:
    with local_zone("UTC"):
        lines = menu_lines(ViewState(tasks_today=listing(*SEVEN)), NOW)
    assert lines[4].startswith("Today: 42.5 credits")
    assert lines[5] == "Loading…"


def test_in_german_every_line_still_fits() -> None:
    rows = (task("t1", 18.2, "Scan the whole staging API for injection flaws"), *SEVEN[1:])
    i18n.use(i18n.Language("de", "de"))
    try:
        with local_zone("UTC"):
            line = tasks_line(listing(*rows), NOW)
    finally:
        i18n.use(i18n.Language())
    assert line.startswith("Heute:")
    assert len(line) <= MENU_LIMIT
