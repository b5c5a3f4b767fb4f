from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import pytest

from desktop.core.models import UsageSummary, parse_summary
from desktop.core.query import GroupBy
from desktop.core.ranges import RangePreset, custom_range, period_query, preset_range
from desktop.core.tables import byok_items, member_table, model_table, period_table, status_table
from tests.zones import local_zone

TZ = timezone(timedelta(hours=2))
NOW = datetime(2026, 11, 25, 15, 30, tzinfo=TZ)


def summary(**fields: object) -> UsageSummary:
    base = {"by_model": {}, "by_status": {}, "total_neo_credits": 0, "total_tasks": 0}
    return parse_summary(json.dumps({**base, **fields}))


@pytest.fixture
def two_hours_east() -> Iterator[None]:
    """The user's zone is UTC+2 all year (POSIX writes the offset west of UTC)."""
    with local_zone("<+02>-2"):
        yield


@pytest.mark.usefixtures("two_hours_east")
def test_presets_are_local_calendar_ranges() -> None:
    start, end = preset_range(RangePreset.LAST_7_DAYS, NOW)
    assert start == datetime(2026, 11, 19, tzinfo=TZ)
    assert end == NOW
    start, end = preset_range(RangePreset.THIS_MONTH, NOW)
    assert start == datetime(2026, 11, 1, tzinfo=TZ)
    start, end = preset_range(RangePreset.LAST_MONTH, NOW)
    assert start == datetime(2026, 10, 1, tzinfo=TZ)
    assert end is not None
    assert end.date() == date(2026, 10, 31)
    assert preset_range(RangePreset.ALL_TIME, NOW) == (None, None)
    january = datetime(2027, 1, 10, tzinfo=TZ)
    assert preset_range(RangePreset.LAST_MONTH, january)[0] == datetime(2026, 12, 1, tzinfo=TZ)


@pytest.mark.usefixtures("two_hours_east")
def test_custom_range_includes_the_last_day() -> None:
    start, end = custom_range(date(2026, 11, 1), date(2026, 11, 1))
    assert start == datetime(2026, 11, 1, tzinfo=TZ)
    assert end.date() == date(2026, 11, 1)
    assert end.hour == 23
    query = period_query(
        RangePreset.CUSTOM, GroupBy.WEEK, NOW, (date(2026, 11, 1), date(2026, 11, 7))
    )
    assert query.group_by is GroupBy.WEEK


def test_model_table_keeps_extra_numeric_fields_as_columns() -> None:
    table = model_table(
        summary(by_model={"a": 5, "b": {"neo_credits": 15, "tasks": 3, "latency_ms": 120}})
    )
    assert [column.title for column in table.columns] == [
        "Model",
        "Credits",
        "Share",
        "Tasks",
        "Latency ms",
    ]
    assert table.rows[0] == ("b", 15.0, 0.75, 3.0, 120.0)
    assert table.rows[1] == ("a", 5.0, 0.25, None, None)


def test_status_period_member_and_byok() -> None:
    s = summary(
        by_status={"completed": 9, "failed": {"count": 1}},
        by_period=[{"date": "2026-11-01", "neo_credits": 2.5, "tasks": 1}],
        by_email=[{"email": "a@x.test", "neo_credits": 3, "tasks": 1}],
        byok={"total_llm_cost": 1.5, "total_streams": 2, "brand_new": 7},
    )
    assert status_table(s).rows == (("completed", 9.0, 0.9), ("failed", 1.0, 0.1))
    assert period_table(s).rows == (("2026-11-01", 2.5, 1.0),)
    members = member_table(s)
    assert members is not None
    assert members.rows == (("a@x.test", 3.0, 1.0, 1.0),)
    assert byok_items(s) == (("LLM cost (your keys)", 1.5), ("Streams", 2.0), ("Brand new", 7.0))
    assert member_table(summary()) is None
    assert byok_items(summary()) == ()


def test_csv_has_a_header_and_neutralises_formulas() -> None:
    s = summary(by_email=[{"email": '=HYPERLINK("x")', "neo_credits": 3, "tasks": 1}])
    table = member_table(s)
    assert table is not None
    text = table.to_csv()
    assert text.splitlines()[0] == "Member,Credits,Share,Tasks"
    assert text.splitlines()[1].startswith("\"'=HYPERLINK")


def test_csv_quotes_formula_triggers_behind_a_tab_or_return() -> None:
    from desktop.core.tables import Column, Table

    table = Table(
        (Column("Member"),),
        (("=1+2",), ("\t=cmd|' /C calc'!A0",), ("\r@SUM(A1)",), ("plain",)),
    )
    import csv
    import io

    cells = [row[0] for row in csv.reader(io.StringIO(table.to_csv(), newline=""))][1:]
    assert cells == ["'=1+2", "'\t=cmd|' /C calc'!A0", "'\r@SUM(A1)", "plain"]
