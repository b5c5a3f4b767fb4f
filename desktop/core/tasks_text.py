"""The detail window's Tasks tab as plain data: its table (the CSV's values, which are also what
it sorts by), what each cell shows, and its sentences (totals, failed tasks, truncation, why
there are no rows). Qt-free.

Every string of a row (title, model, status, email) is hostile text kept as received: the tab
shows it as plain text, the CSV quotes what a spreadsheet would run (`tables.Table.to_csv`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import IntEnum

from desktop.core import fmt
from desktop.core.i18n import N_, _, ngettext
from desktop.core.instants import parse_instant, utc_text
from desktop.core.query import UsageQuery
from desktop.core.tables import Cell, Column, ColumnKind, Table
from desktop.core.tasks import TaskListing, TaskRow, TasksStatus, failed_tasks
from desktop.core.tasks_report import credits_text, task_name


class TaskColumn(IntEnum):
    """The table's columns, in order (the value is the column's index)."""

    TASK = 0
    STARTED = 1
    MODEL = 2
    STATUS = 3
    CREDITS = 4
    DURATION = 5
    TOOL_CALLS = 6
    MEMBER = 7
    BYOK = 8
    TASK_ID = 9  # in the CSV (and copied ids stay findable); hidden in the window


#: The CSV's header (English, locale-free; a figure's unit where the window shows it otherwise)
#: and how each column sorts: instants as UTC text (which sorts in time order), durations in ms.
COLUMNS = (
    Column("Task"),
    Column("Started (UTC)"),
    Column("Model"),
    Column("Status"),
    Column("Credits", ColumnKind.NUMBER),
    Column("Duration (ms)", ColumnKind.COUNT),
    Column("Tool calls", ColumnKind.COUNT),
    Column("Member"),
    Column("BYOK"),
    Column("Task ID"),
)
#: What the window's header says for each column (marked here, translated where shown).
SHOWN_TITLES = (
    N_("Task"),
    N_("Started"),
    N_("Model"),
    N_("Status"),
    N_("Credits"),
    N_("Duration"),
    N_("Tool calls"),
    N_("Member"),
    N_("BYOK"),
    N_("Task ID"),
)
#: The BYOK cell's values: the CSV's (`true`/`false`, as `--once --json` says them).
BYOK_VALUES = {True: "true", False: "false"}


def task_table(rows: Iterable[TaskRow]) -> Table:
    """One row per task, in the order given: the values the CSV writes and the tab sorts by
    (task: title or id; started: UTC text; credits: `neo_credits`; duration: ms; a field the
    row lacks: None). Source: `/api/v1/usage/tasks`."""
    return Table(
        COLUMNS,
        tuple(
            (
                task_name(row),
                utc_text(row.created_at),
                row.model,
                row.status,
                row.neo_credits,
                None if row.total_execution_ms is None else float(row.total_execution_ms),
                None if row.tool_calls is None else float(row.tool_calls),
                row.email,
                None if row.is_byok is None else BYOK_VALUES[row.is_byok],
                row.task_id,
            )
            for row in rows
        ),
    )


def has_members(rows: Iterable[TaskRow]) -> bool:
    """Whether the member column says anything: only a team admin's rows carry an `email`."""
    return any(row.email for row in rows)


def _started_text(cell: Cell) -> str:
    instant = parse_instant(cell)
    return "—" if instant is None else fmt.local_datetime(instant)


def _duration_text(cell: Cell) -> str:
    return fmt.execution_time(cell if isinstance(cell, float) else None)


def _byok_text(cell: Cell) -> str:
    if cell == BYOK_VALUES[True]:
        return _("Yes")
    if cell == BYOK_VALUES[False]:
        return _("No")
    return "—"


#: How the window shows a column's cells where it differs from the other tables (local time,
#: `1 min 45 s`, Yes/No); the other columns show as `table_model.format_cell` does.
CELL_TEXTS: dict[TaskColumn, Callable[[Cell], str]] = {
    TaskColumn.STARTED: _started_text,
    TaskColumn.DURATION: _duration_text,
    TaskColumn.BYOK: _byok_text,
}


def totals_text(listing: TaskListing) -> str:
    """`450 tasks in this range used 1,234.5 credits` (the rows received; credits summed over
    them, a missing figure as 0)."""
    return ngettext(
        "{count} task in this range used {credits}",
        "{count} tasks in this range used {credits}",
        listing.count,
    ).format(count=fmt.number(listing.count), credits=credits_text(listing.neo_credits))


def failed_text(rows: Iterable[TaskRow]) -> str | None:
    """`3 failed tasks cost 12.4 credits` (statuses failed, error and aborted: the credits spent
    on tasks that did not finish); None when there are none."""
    count, used = failed_tasks(rows)
    if not count:
        return None
    return ngettext(
        "{count} failed task cost {credits}", "{count} failed tasks cost {credits}", count
    ).format(count=fmt.number(count), credits=credits_text(used))


def unavailable_text(status: TasksStatus) -> str | None:
    """Why a listing has no rows: a 403 (members and viewers may not list tasks) or another
    failure; None when it was fetched."""
    if status is TasksStatus.FORBIDDEN:
        return _(
            "Only team admins and solo users can see tasks: this account is a team member "
            "or viewer."
        )
    if status is TasksStatus.UNAVAILABLE:
        return _("The tasks could not be fetched; details are in the log.")
    return None


def empty_text() -> str:
    return _("No tasks in this range.")


#: Where "All time" starts for the task ledger, which needs a window (the summary has none).
ALL_TIME_START = datetime(1970, 1, 1, tzinfo=UTC)


def tasks_window(query: UsageQuery, now: datetime) -> tuple[datetime, datetime]:
    """The task ledger's window for the range the window shows: its start and end (UTC), from
    `ALL_TIME_START` and to `now` where the range is open."""
    start = query.start if query.start is not None else ALL_TIME_START
    end = query.end if query.end is not None else now
    return start.astimezone(UTC), end.astimezone(UTC)
