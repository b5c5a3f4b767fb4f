"""The Tasks tab's table and sentences, from tables of task rows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from desktop.core import i18n
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.tasks import TaskListing, TaskRow, TasksStatus
from desktop.core.tasks_report import truncated_text
from desktop.core.tasks_text import (
    ALL_TIME_START,
    CELL_TEXTS,
    COLUMNS,
    TaskColumn,
    failed_text,
    has_members,
    task_table,
    tasks_window,
    totals_text,
    unavailable_text,
)
from tests.zones import local_zone

AT = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
START = datetime(2026, 11, 25, tzinfo=UTC)


def row(
    task_id: str, credits: float | None = 1.0, status: str = "completed", **more: object
) -> TaskRow:
    return TaskRow(task_id, AT, "gpt-5", status, credits, **more)  # type: ignore[arg-type]


def listing(*rows: TaskRow, total: int | None = None, truncated: bool = False) -> TaskListing:
    return TaskListing(TasksStatus.OK, START, AT, rows, total, truncated)


def test_a_row_holds_what_the_csv_writes_and_the_tab_sorts_by() -> None:
    full = TaskRow(
        "t-1", AT, "gpt-5", "failed", 12.5, "Scan staging API", 105_000, 42, "a@b.test", True
    )
    bare = TaskRow("t-2", AT + timedelta(microseconds=500))
    table = task_table([full, bare])
    assert [column.title for column in table.columns] == [column.title for column in COLUMNS]
    assert table.rows[0] == (
        "Scan staging API",
        "2026-11-25T10:30:00Z",
        "gpt-5",
        "failed",
        12.5,
        105_000.0,
        42.0,
        "a@b.test",
        "true",
        "t-1",
    )
    # No title: the task is named by its id; every missing field is None (an empty CSV cell).
    assert table.rows[1] == (
        "t-2",
        "2026-11-25T10:30:00.000500Z",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "t-2",
    )
    assert task_table([TaskRow("t-3", AT, task_title="  ")]).rows[0][TaskColumn.TASK] == "t-3"
    assert task_table([TaskRow("t-4", AT, is_byok=False)]).rows[0][TaskColumn.BYOK] == "false"


def test_the_csv_guards_hostile_titles_and_keeps_them_whole() -> None:
    hostile = TaskRow(
        "t-1", AT, "<b>m</b>", "completed", 1.0, '=HYPERLINK("http://x")', email="-1+1"
    )
    text = task_table([hostile]).to_csv()
    header, cells = list(csv.reader(io.StringIO(text, newline="")))
    assert header[TaskColumn.STARTED] == "Started (UTC)"
    assert header[TaskColumn.DURATION] == "Duration (ms)"
    assert cells[TaskColumn.TASK] == '\'=HYPERLINK("http://x")'
    assert cells[TaskColumn.MEMBER] == "'-1+1"
    assert cells[TaskColumn.MODEL] == "<b>m</b>"
    assert cells[TaskColumn.CREDITS] == "1"


@pytest.mark.parametrize(
    ("milliseconds", "shown"),
    [
        (None, "—"),
        (850.0, "850 ms"),
        (45_000.0, "45 s"),
        (105_000.0, "1 min 45 s"),
        (599_000.0, "9 min 59 s"),
        (600_000.0, "10 min"),  # from ten minutes on, no seconds
        (661_000.0, "11 min"),
        (5_220_000.0, "1 h 27 min"),
    ],
)
def test_a_duration_shows_its_seconds_below_ten_minutes(
    milliseconds: float | None, shown: str
) -> None:
    assert CELL_TEXTS[TaskColumn.DURATION](milliseconds) == shown


def test_started_is_shown_in_local_time_and_byok_in_words() -> None:
    with local_zone("<+02>-2"):
        assert CELL_TEXTS[TaskColumn.STARTED]("2026-11-25T23:30:00Z") == "2026-11-26 01:30"
    assert CELL_TEXTS[TaskColumn.STARTED](None) == "—"
    assert [CELL_TEXTS[TaskColumn.BYOK](cell) for cell in ("true", "false", None)] == [
        "Yes",
        "No",
        "—",
    ]


def test_totals_and_failed_tasks() -> None:
    rows = (
        row("a", 10.0),
        row("b", 8.0, "failed"),
        row("c", 3.2, "error"),
        row("d", 1.2, "ABORTED"),
        row("e", None, "failed"),  # a missing figure counts 0
        row("f", 5.0, "blocked"),
    )
    assert totals_text(listing(*rows)) == "6 tasks in this range used 27.4 credits"
    assert totals_text(listing(row("a", 1.0))) == "1 task in this range used 1 credit"
    assert failed_text(rows) == "4 failed tasks cost 12.4 credits"
    assert failed_text([row("b", 0.5, "failed")]) == "1 failed task cost 0.5 credits"
    assert failed_text([row("a"), row("f", status="blocked")]) is None


def test_truncation_is_said() -> None:
    rows = tuple(row(str(n)) for n in range(3))
    assert truncated_text(listing(*rows, total=3)) is None
    assert (
        truncated_text(listing(*rows, total=9_000, truncated=True))
        == "Only 3 of 9,000 tasks were fetched: the figures cover those."
    )
    assert truncated_text(listing(*rows, truncated=True)) == "More tasks exist than were fetched."


def test_why_a_listing_has_no_rows() -> None:
    assert unavailable_text(TasksStatus.OK) is None
    forbidden = unavailable_text(TasksStatus.FORBIDDEN)
    assert forbidden is not None
    assert forbidden.startswith("Only team admins and solo users can see tasks")
    assert unavailable_text(TasksStatus.UNAVAILABLE) == (
        "The tasks could not be fetched; details are in the log."
    )


def test_members_only_when_a_row_has_an_email() -> None:
    assert not has_members([row("a"), row("b", email="")])
    assert has_members([row("a"), row("b", email="lead@acme.test")])


def test_the_window_follows_the_range_and_all_time_is_bounded() -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    local = timedelta(hours=2)
    start = datetime(2026, 11, 1, tzinfo=UTC) - local
    query = UsageQuery(start, now, GroupBy.DAY)
    assert tasks_window(query, now) == (start, now)
    assert tasks_window(UsageQuery(None, None, GroupBy.DAY), now) == (ALL_TIME_START, now)
    for instant in tasks_window(query, now):
        assert instant.utcoffset() == timedelta(0)


def test_sentences_are_translated() -> None:
    i18n.use(i18n.Language("de", "de_DE"))
    try:
        assert failed_text([row("b", 8.5, "failed")]) == (
            "1 fehlgeschlagene Aufgabe kostete 8,5 Credits"
        )
        assert CELL_TEXTS[TaskColumn.BYOK]("true") == "Ja"
        assert unavailable_text(TasksStatus.UNAVAILABLE) != (
            "The tasks could not be fetched; details are in the log."
        )
    finally:
        i18n.use(i18n.Language())
