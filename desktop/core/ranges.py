"""Date-range presets for the detail window's period view, in the user's local calendar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum

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


def _local_midnight(day: date, tz: datetime) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz.tzinfo)


def preset_range(preset: RangePreset, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(start, end) of a preset as of `now` (aware, in the user's zone); None: unbounded."""
    today = now.date()
    if preset is RangePreset.LAST_7_DAYS:
        return _local_midnight(today - timedelta(days=6), now), now
    if preset is RangePreset.LAST_30_DAYS:
        return _local_midnight(today - timedelta(days=29), now), now
    if preset is RangePreset.THIS_MONTH:
        return _local_midnight(today.replace(day=1), now), now
    if preset is RangePreset.LAST_MONTH:
        first_this = today.replace(day=1)
        first_last = (first_this - timedelta(days=1)).replace(day=1)
        end = _local_midnight(first_this, now) - timedelta(microseconds=1)
        return _local_midnight(first_last, now), end
    return None, None


def custom_range(first_day: date, last_day: date, now: datetime) -> tuple[datetime, datetime]:
    """Whole local days, the last one included."""
    start = _local_midnight(first_day, now)
    end = _local_midnight(last_day + timedelta(days=1), now) - timedelta(microseconds=1)
    return start, end


def period_query(
    preset: RangePreset,
    group_by: GroupBy,
    now: datetime,
    custom: tuple[date, date] | None = None,
) -> UsageQuery:
    """The query for a preset (or custom days) grouped by `group_by`; raises InvalidSetting."""
    if preset is RangePreset.CUSTOM and custom is not None:
        return UsageQuery(*custom_range(custom[0], custom[1], now), group_by)
    return UsageQuery(*preset_range(preset, now), group_by)
