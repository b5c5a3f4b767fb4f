"""Date-range presets for the detail window's period view, in the user's local calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from desktop.core import local_time
from desktop.core.i18n import N_
from desktop.core.query import GroupBy, UsageQuery


class RangePreset(StrEnum):
    LAST_7_DAYS = "last_7_days"
    LAST_30_DAYS = "last_30_days"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    ALL_TIME = "all_time"
    CUSTOM = "custom"


#: Marked for translation; the views say `_(label)`.
PRESET_LABELS = {
    RangePreset.LAST_7_DAYS: N_("Last 7 days"),
    RangePreset.LAST_30_DAYS: N_("Last 30 days"),
    RangePreset.THIS_MONTH: N_("This month"),
    RangePreset.LAST_MONTH: N_("Last month"),
    RangePreset.ALL_TIME: N_("All time"),
    RangePreset.CUSTOM: N_("Custom…"),
}
GROUP_BY_LABELS = {GroupBy.DAY: N_("Day"), GroupBy.WEEK: N_("Week"), GroupBy.MONTH: N_("Month")}


def preset_range(preset: RangePreset, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(start, end) of a preset as of `now` (aware, any zone), in the user's local calendar with
    the zone's rules for each date (a month that began in summer time begins at its own offset,
    not today's); None: unbounded."""
    today = local_time.local_date(now)
    if preset is RangePreset.LAST_7_DAYS:
        return local_time.local_midnight(today - timedelta(days=6)), now
    if preset is RangePreset.LAST_30_DAYS:
        return local_time.local_midnight(today - timedelta(days=29)), now
    if preset is RangePreset.THIS_MONTH:
        return local_time.local_midnight(today.replace(day=1)), now
    if preset is RangePreset.LAST_MONTH:
        last_day = today.replace(day=1) - timedelta(days=1)
        return local_time.local_midnight(last_day.replace(day=1)), local_time.end_of_day(last_day)
    return None, None


def custom_range(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """Whole local days, the last one included."""
    return local_time.local_midnight(first_day), local_time.end_of_day(last_day)


def period_query(
    preset: RangePreset,
    group_by: GroupBy,
    now: datetime,
    custom: tuple[date, date] | None = None,
) -> UsageQuery:
    """The query for a preset (or custom days) grouped by `group_by`; raises InvalidSetting."""
    if preset is RangePreset.CUSTOM and custom is not None:
        return UsageQuery(*custom_range(*custom), group_by)
    return UsageQuery(*preset_range(preset, now), group_by)
