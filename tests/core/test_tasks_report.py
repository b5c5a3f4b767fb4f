"""The task ledger's lines in `--once --tasks`' human summary, table-tested."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop.core import i18n
from desktop.core.tasks import TaskListing, TaskRow, TasksStatus, sort_key
from desktop.core.tasks_report import COSTLIEST, report_rows, task_line, task_name

START = datetime(2026, 11, 29, 5, tzinfo=UTC)
END = datetime(2026, 11, 29, 16, tzinfo=UTC)


def task(task_id: str, credits: float | None, **fields: object) -> TaskRow:
    created = START + timedelta(minutes=len(task_id))
    return TaskRow(task_id, created, neo_credits=credits, **fields)  # type: ignore[arg-type]


def listing(*rows: TaskRow, truncated: bool = False) -> TaskListing:
    ordered = tuple(sorted(rows, key=sort_key))
    return TaskListing(TasksStatus.OK, START, END, ordered, len(rows), truncated)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (task("t1", 18.24, task_title="Scan staging API"), "Scan staging API"),
        (task("t2", 1.0), "t2"),  # no title: its id
        (task("t3", 1.0, task_title="   "), "t3"),  # a blank title is none
        (task("t4", 1.0, task_title="\x1b[31mred"), "\x1b[31mred"),  # kept raw: escaped later
    ],
)
def test_a_task_is_called_by_its_title_else_its_id(row: TaskRow, expected: str) -> None:
    assert task_name(row) == expected


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (task("a", 18.24, task_title="Scan", status="completed"), "18.2 credits · Scan"),
        (task("a", 1.0, task_title="Scan"), "1 credit · Scan"),
        (task("a", None, task_title="Scan"), "— credits · Scan"),
        (task("a", 12.4, task_title="Prod", status="failed"), "12.4 credits · Prod (failed)"),
        (task("a", 2.0, task_title="X", status="Completed"), "2 credits · X"),
        (task("a", 2.0, task_title="{status}", status="aborted"), "2 credits · {status} (aborted)"),
    ],
)
def test_a_costly_task_s_line(row: TaskRow, expected: str) -> None:
    assert task_line(row) == expected


def test_the_report_is_the_count_and_credits_then_the_five_costliest() -> None:
    rows = [task(f"t{i}", float(i), task_title=f"Task {i}") for i in range(1, 8)]
    rows.append(task("free", None))
    lines = report_rows(listing(*rows), today=True)
    assert lines[0] == ("Tasks", "8 tasks today used 28 credits")
    assert [value for _label, value in lines[1:]] == [
        "7 credits · Task 7",
        "6 credits · Task 6",
        "5 credits · Task 5",
        "4 credits · Task 4",
        "3 credits · Task 3",
    ]
    assert all(label == "" for label, _value in lines[1:])  # continuations of "Tasks"
    assert len(lines) == 1 + COSTLIEST


@pytest.mark.parametrize(
    ("rows", "today", "truncated", "expected"),
    [
        ((), True, False, [("Tasks", "0 tasks today used 0 credits")]),
        (
            (task("a", 2.5, task_title="One"),),
            False,
            False,
            [("Tasks", "1 task in range used 2.5 credits"), ("", "2.5 credits · One")],
        ),
        (
            (task("a", 1.0, task_title="One"), task("bb", 1.0)),
            True,
            True,
            [
                ("Tasks", "2 tasks today used 2 credits"),
                ("", "More tasks exist than were fetched."),
                ("", "1 credit · bb"),  # the same credits: the newer first
                ("", "1 credit · One"),
            ],
        ),
    ],
)
def test_the_report_s_rows(
    rows: tuple[TaskRow, ...],
    today: bool,
    truncated: bool,
    expected: list[tuple[str, str]],
) -> None:
    assert report_rows(listing(*rows, truncated=truncated), today=today) == expected


def test_a_truncated_listing_says_how_many_of_the_total_were_fetched() -> None:
    """Issue 27 F10: "More tasks exist than were fetched." under "2 tasks today used…" hid that
    the API counted 3,994,936; the report now says it as the Tasks tab does."""
    rows = (task("a", 1.0, task_title="One"), task("bb", 1.0))
    cut = TaskListing(TasksStatus.OK, START, END, rows, 3_994_936, truncated=True)
    assert report_rows(cut, today=True)[:2] == [
        ("Tasks", "2 tasks today used 2 credits"),
        ("", "Only 2 of 3,994,936 tasks were fetched: the figures cover those."),
    ]


@pytest.mark.parametrize(
    ("status", "phrase"),
    [(TasksStatus.FORBIDDEN, "ask your team admin"), (TasksStatus.UNAVAILABLE, "in the log")],
)
def test_a_refused_or_failed_listing_is_one_row(status: TasksStatus, phrase: str) -> None:
    ((label, value),) = report_rows(TaskListing(status, START, END), today=True)
    assert label == "Tasks"
    assert phrase in value


def test_the_report_speaks_the_user_s_language() -> None:
    i18n.use(i18n.Language("de", "de_DE"))
    try:
        rows = report_rows(listing(task("a", 1234.5, task_title="Scan")), today=True)
    finally:
        i18n.use(i18n.Language())
    assert rows == [
        ("Aufgaben", "1 Aufgabe heute hat 1.235 Credits verbraucht"),  # half up (fmt.half_up)
        ("", "1.235 Credits · Scan"),
    ]


@pytest.mark.parametrize(
    ("title", "status", "expected"),
    [
        # An unterminated OSC would run to the end of the composed line: the status is kept.
        ("Scan prod\x1b]", "failed", "50 credits · Scan prod (failed)"),
        ("Wipe\x1b", "aborted", "50 credits · Wipe (aborted)"),  # a lone ESC took " (a"
        ("T\x1b]0;x\x07itle", "error", "50 credits · Title (error)"),
        ("Scan", "fail\x1b]ed", "50 credits · Scan (fail)"),  # the status is a field too
        ("A\nB\tC", "completed", "50 credits · A\ufffdB\ufffdC"),
    ],
)
def test_each_field_of_a_task_line_is_escaped_before_it_is_composed(
    title: str, status: str, expected: str
) -> None:
    row = task("t1", 50.0, task_title=title, status=status)
    assert task_line(row) == expected
    assert report_rows(listing(row), today=True)[-1] == ("", expected)
