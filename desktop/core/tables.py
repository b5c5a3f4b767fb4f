"""The detail window's tables as plain data: columns, rows and CSV. Qt-free."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from desktop.core.derive import model_shares, share_of, status_shares
from desktop.core.i18n import N_
from desktop.core.models import UsageSummary
from desktop.core.query import GroupBy
from desktop.core.radar import MemberRadar, Radar

Cell = str | float | None
FORMULA_TRIGGERS = frozenset({"=", "+", "-", "@", "\t", "\r"})


class ColumnKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"  # credits and other amounts: one decimal
    COUNT = "count"  # whole numbers
    PERCENT = "percent"  # a 0..1 share
    RATIO = "ratio"  # a multiple: today's credits over the usual day's ("15" times)


@dataclass(frozen=True)
class Column:
    """`title` in English: the CSV's header (locale-free), translated where it is shown.
    `missing_last`: a missing cell sorts after every value, whichever the order (else it sorts
    as the smallest). `header`: a compact header for the table (`Usual/day`), marked for
    translation, where the title is long for a column of short figures (the title is then its
    tooltip); None shows the title."""

    title: str
    kind: ColumnKind = ColumnKind.TEXT
    missing_last: bool = False
    header: str | None = None

    @property
    def shown(self) -> str:
        """The English header the table shows (translated there): `header`, else `title`."""
        return self.header if self.header is not None else self.title


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def to_csv(self) -> str:
        """UTF-8-ready CSV with a header row; shares as fractions, missing cells empty."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180: a \r in a cell is quoted
        writer.writerow([column.title for column in self.columns])
        for row in self.rows:
            writer.writerow(["" if cell is None else _csv_cell(cell) for cell in row])
        return buffer.getvalue()


def _csv_cell(cell: str | float) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    text = str(cell)
    # Spreadsheet formula injection: a cell that starts like a formula is quoted as text.
    # A leading tab or carriage return hides a formula from a naive check: quote those too.
    return "'" + text if isinstance(cell, str) and text[:1] in FORMULA_TRIGGERS else text


def model_table(summary: UsageSummary) -> Table:
    """One row per model, sorted by credits; every extra numeric field gets its own column."""
    extra_keys = sorted(
        {
            key
            for value in summary.by_model.values()
            if isinstance(value, dict)
            for key in value
            if key not in {"neo_credits", "tasks"}
        }
    )
    rows: list[tuple[Cell, ...]] = []
    for item in model_shares(summary):
        value = summary.by_model[item.name]
        extras = [
            float(value[key]) if isinstance(value, dict) and key in value else None
            for key in extra_keys
        ]
        rows.append((item.name, item.value, item.share, item.tasks, *extras))
    columns = (
        Column(N_("Model")),
        Column(N_("Credits"), ColumnKind.NUMBER),
        Column(N_("Share"), ColumnKind.PERCENT),
        Column(N_("Tasks"), ColumnKind.COUNT),
        *(Column(key.replace("_", " ").capitalize(), ColumnKind.NUMBER) for key in extra_keys),
    )
    return Table(columns, tuple(rows))


def status_table(summary: UsageSummary) -> Table:
    rows = tuple((item.name, item.value, item.share) for item in status_shares(summary))
    return Table(
        (
            Column(N_("Status")),
            Column(N_("Tasks"), ColumnKind.COUNT),
            Column(N_("Share"), ColumnKind.PERCENT),
        ),
        rows,
    )


#: The API groups `by_period` by UTC days, weeks and months, whatever the range's zone: the
#: column says so, since a local day's use may fall in two rows.
PERIOD_TITLES = {
    GroupBy.DAY: N_("Day (UTC)"),
    GroupBy.WEEK: N_("Week (UTC)"),
    GroupBy.MONTH: N_("Month (UTC)"),
}


def period_table(summary: UsageSummary, group_by: GroupBy | None = None) -> Table:
    """One row per period the API sent, titled by what the periods are (`Day (UTC)`)."""
    rows = tuple(
        (period["date"], float(period.get("neo_credits", 0)), float(period.get("tasks", 0)))
        for period in summary.by_period or ()
    )
    title = PERIOD_TITLES[group_by] if group_by is not None else N_("Period (UTC)")
    return Table(
        (
            Column(title),
            Column(N_("Credits"), ColumnKind.NUMBER),
            Column(N_("Tasks"), ColumnKind.COUNT),
        ),
        rows,
    )


class TeamColumn(IntEnum):
    """The Team tab's columns: the range's figures, then the radar's (with a radar only)."""

    MEMBER = 0
    CREDITS = 1
    SHARE = 2
    TASKS = 3
    TODAY = 4
    USUAL = 5
    RATIO = 6
    WINDOW_SHARE = 7
    UNUSUAL = 8


#: The mark of an unusual member's row (the CSV's word; translated where it is shown).
UNUSUAL_MARK = N_("unusual")

_MEMBER_COLUMNS = (
    Column(N_("Member")),
    Column(N_("Credits"), ColumnKind.NUMBER),
    Column(N_("Share"), ColumnKind.PERCENT),
    Column(N_("Tasks"), ColumnKind.COUNT),
)
# Compact headers: the figures are a few characters wide, and with the titles in German or
# French the nine columns squeezed the member's e-mail (the radar's point) to "bo@ex…".
_RADAR_COLUMNS = (
    Column(N_("Today"), ColumnKind.NUMBER, missing_last=True),
    Column(N_("Usual per day"), ColumnKind.NUMBER, missing_last=True, header=N_("Usual/day")),
    Column(N_("Today / usual"), ColumnKind.RATIO, missing_last=True, header=N_("× usual")),
    Column(
        N_("Share of 14 days"), ColumnKind.PERCENT, missing_last=True, header=N_("14-day share")
    ),
    Column(N_("Unusual")),
)


def member_table(summary: UsageSummary, radar: Radar | None = None) -> Table | None:
    """Team members (admins only) with the range's credits, share and tasks, in the API's
    order; None when the API sent no `by_email`. With a `radar`, the `TeamColumn`s after TASKS
    too: each member's radar figures (none where the radar is unavailable), and a row for
    each radar member the range did not list (its range figures missing)."""
    if summary.by_email is None:
        return None
    credits = [float(member.get("neo_credits", 0)) for member in summary.by_email]
    total = sum(credits)
    rows = [
        (member["email"], amount, share_of(amount, total), float(member.get("tasks", 0)))
        for member, amount in zip(summary.by_email, credits, strict=True)
    ]
    if radar is None:
        return Table(_MEMBER_COLUMNS, tuple(rows))
    if not radar.ok:
        missing: tuple[Cell, ...] = (None, None, None, None, "")
        return Table(_MEMBER_COLUMNS + _RADAR_COLUMNS, tuple((*row, *missing) for row in rows))
    members = {item.email: item for item in radar.items}
    # Someone the radar does not list used nothing in the window nor today.
    window_used = any(item.recent_share is not None for item in radar.items)
    idle: tuple[Cell, ...] = (0.0, 0.0, None, 0.0 if window_used else None, "")
    listed = {row[0] for row in rows}
    radar_rows = [
        (*row, *(_radar_cells(members[row[0]]) if row[0] in members else idle)) for row in rows
    ]
    radar_rows += [
        (item.email, None, None, None, *_radar_cells(item))
        for item in radar.items
        if item.email not in listed
    ]
    return Table(_MEMBER_COLUMNS + _RADAR_COLUMNS, tuple(radar_rows))


def _radar_cells(member: MemberRadar) -> tuple[Cell, ...]:
    return (
        member.today_credits,
        member.baseline_credits_per_day,
        member.ratio,
        member.recent_share,
        UNUSUAL_MARK if member.unusual else "",
    )


#: Marked for translation; the views say `_(label)` (and `byok_value` reads the English).
BYOK_LABELS = {
    "total_llm_cost": N_("LLM cost (your keys)"),
    "total_neo_cost": N_("Neo cost"),
    "total_streams": N_("Streams"),
    "total_tasks": N_("Tasks"),
}


def byok_items(summary: UsageSummary) -> tuple[tuple[str, float], ...]:
    """Labelled BYOK figures, documented ones first, unknown ones named from their keys."""
    if summary.byok is None:
        return ()
    return tuple(
        (BYOK_LABELS.get(key, key.replace("_", " ").capitalize()), float(value))
        for key, value in summary.byok.figures().items()
    )
