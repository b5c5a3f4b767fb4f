"""Human formatting of credits, shares, durations and instants; Qt-free."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from desktop.core import i18n
from desktop.core.i18n import _, ngettext


def half_up(value: float, digits: int = 0) -> float:
    """`value` to `digits` places, half away from zero in decimal (`2.45` -> 2.5, `1016.5` ->
    1017), as `percent_points` rounds a share: the app's one rounding of credits (the text,
    the tables, the overview), so a float's binary error or half-to-even never makes one
    figure read two ways. Finite values only."""
    return float(Decimal(repr(value)).quantize(Decimal(10) ** -digits, ROUND_HALF_UP))


def credits(value: float | None) -> str:
    """`4,067` at a glance (whole credits from 1,000 up), `512.4` below; `—` when missing. In the
    locale's digits: `4.067` in German, `4 067` in French. Rounded by `half_up`."""
    if value is None:
        return "—"
    tenths = half_up(value, 1)
    if abs(value) >= 1_000 or tenths == math.trunc(tenths):
        return i18n.decimal(half_up(value))
    return i18n.decimal(tenths, 1)


def significant(value: float, digits: int = 2) -> float:
    """`value` to `digits` significant digits, rounded by `half_up` (1,134 -> 1,100, 995 ->
    1,000, 0.456 -> 0.46): a forecast's figures claim no more than the data knows. Finite
    values only; 0 stays 0."""
    if value == 0:
        return 0.0
    places = digits - 1 - math.floor(math.log10(abs(value)))
    # `half_up`'s quantum, as an exponent (Decimal(100) has exponent 0, `1E+2` has 2).
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def about_credits(value: float) -> str:
    """A forecast's credits as said: to 2 significant digits (`significant`), through `credits`
    (`1,100`, `1.100` in German)."""
    return credits(significant(value))


def short_number(value: float | None) -> str:
    """A number the way people read it on a panel: `87`, `4.1k`, `12k`, `3.4M` (the SI letters in
    every language; the decimal mark is the locale's: `4,1k`)."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value < 999.5:
        return f"{sign}{round(value)}"
    for limit, suffix in ((1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T")):
        scaled = value / limit
        if scaled < 999.5 or suffix == "T":
            text = (
                f"{scaled:.1f}".removesuffix(".0").replace(".", i18n.decimal_mark())
                if scaled < 9.95
                else i18n.decimal(round(scaled))
            )
            return f"{sign}{text}{suffix}"
    return f"{sign}{round(value)}"  # not reached: the loop ends at T


def percent_points(fraction: float) -> int:
    """A share as whole percent points, the one rule of every place that shows one: half rounds
    up (`0.785` -> 79, in decimal, so a float's binary error never decides), but a share with
    anything used is never 100 and one with anything left is never 0 (`0.998` -> 99, `0.004` ->
    1). Unclamped: `1.02` -> 102 (the icon and Waybar clamp with `gauge_points`)."""
    if not math.isfinite(fraction):
        return 0
    points = math.floor(Decimal(repr(fraction)) * 100 + Decimal("0.5"))
    if points >= 100 and fraction < 1:
        return 99
    if points <= 0 and fraction > 0:
        return 1
    return points


def gauge_points(fraction: float | None) -> int:
    """`percent_points` clamped to 0..100, for what draws a gauge (the icon, Waybar's
    `percentage`); 0 when there is no share."""
    return 0 if fraction is None else max(0, min(100, percent_points(fraction)))


def percent(fraction: float | None) -> str:
    """`78%`; `78 %` in German and French; a true share above 100 % stays (`102%`). See
    `percent_points` for the rounding."""
    if fraction is None:
        return "—"
    return i18n.percent(percent_points(fraction) / 100)


def percent_tenths(fraction: float | None) -> str:
    """A share in a table, to a tenth of a percent point in the locale's percent format:
    `37.3%`, `37,3 %` (German), `37,3 %` (French); rounded half up in decimal like `half_up`
    (`0.3735` -> 37.4). `—` when missing; finite values only."""
    if fraction is None:
        return "—"
    from desktop.core import cldr

    where = i18n.conventions()
    # In decimal: 0.3735 * 100 is 37.349999… in binary, which would read 37.3.
    tenths = float((Decimal(repr(fraction)) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)) / 100
    return cldr.format_number(tenths, where.percent._replace(min_fraction=1, max_fraction=1), where)


def setting_percent(fraction: float) -> str:
    """A share the user set, to a tenth of a percent point as typed (`0.5%`, `12%`, `0,5 %` in
    German), not `percent`'s reading of a balance (which makes `0.005` `1%`)."""
    from desktop.core import cldr

    where = i18n.conventions()
    return cldr.format_number(
        round(fraction * 100, 1) / 100, where.percent._replace(max_fraction=1), where
    )


def money(amount: float, currency: str = "USD") -> str:
    """An amount of money in the locale's currency format and symbol (CLDR, `core/cldr`), without
    cents when it is whole to the cent: `$32`, `$32.50`, `-$5` (en); `32 $`, `32,50 $` (de);
    `32 $US` (fr); `32 US$` (es); `$ 32` (de_CH). Rounded to the cent half up like `half_up`
    (`$31.999` is `$32`, a cent's fraction below zero is `$0`). A member's cap
    (`/api/v1/user` `cap`) is the only money the app shows: US dollars only (ValueError for
    another `currency`, and for an amount that is not finite)."""
    from desktop.core import cldr

    if currency != "USD":
        raise ValueError(f"only US dollars are formatted, not {currency!r}")
    if not math.isfinite(amount):
        raise ValueError(f"not a finite amount: {amount!r}")
    cents = Decimal(repr(amount)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if not cents:
        cents = Decimal(0)  # no "-$0"
    whole = cents == cents.to_integral_value()
    return cldr.format_money(cents, i18n.conventions(), whole=whole)


def credit_share(available: float | None, issued: float | None, fraction: float | None) -> str:
    """`3,882 of 5,000 credits (78%)`: the one phrasing of a balance everywhere in the app."""
    return ngettext(
        "{available} of {issued} credit ({percent})",
        "{available} of {issued} credits ({percent})",
        plural_count(issued),
    ).format(available=credits(available), issued=credits(issued), percent=percent(fraction))


def plural_count(value: float | None) -> int:
    """The count that picks a plural form for a figure: `1.5 credits` and `— credits` are plural."""
    if value is None or abs(value - round(value)) >= 0.05:
        return 2
    return abs(round(value))


def duration(delta: timedelta | float) -> str:
    """A compact duration: `45 s`, `12 min`, `3 h 05 min`, `12 d`, `2 d 4 h`."""
    seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
    seconds = max(0, int(seconds))
    if seconds < 60:
        return ngettext("{count} s", "{count} s", seconds).format(count=seconds)
    minutes = seconds // 60
    if minutes < 60:
        return ngettext("{count} min", "{count} min", minutes).format(count=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        if minutes:
            return ngettext("{hours} h {minutes} min", "{hours} h {minutes} min", hours).format(
                hours=hours, minutes=f"{minutes:02d}"
            )
        return ngettext("{count} h", "{count} h", hours).format(count=hours)
    days, hours = divmod(hours, 24)
    if days < 3 and hours:
        return ngettext("{days} d {hours} h", "{days} d {hours} h", days).format(
            days=days, hours=hours
        )
    return ngettext("{count} d", "{count} d", days).format(count=days)


def time_left(expires_in: timedelta, expires_at: datetime | None) -> str:
    """How long until an expiry, in words: a day or more away, the calendar days from the
    local today to its local date (`6 d` from Nov 29 18:46 to Dec 5 18:44, the date the tray
    says beside it; `local_time.calendar_days`, issue 29's one rule for days), under a day
    `duration`'s hours and minutes. `expires_at` None: `duration`'s days (no date to count to)."""
    if expires_at is None or expires_in < timedelta(days=1):
        return duration(expires_in)
    from desktop.core import local_time  # lazily, as `local_datetime`: the status bar's imports

    # `now` is exactly what `expires_in` was measured from (derive: expires_at - now).
    days = max(1, local_time.calendar_days(expires_at - expires_in, expires_at))
    return ngettext("{count} d", "{count} d", days).format(count=days)


def countdown(expires_in: timedelta | None, expired: bool, *, expires_at: datetime | None) -> str:
    """`expires in 12 d` (calendar days to `expires_at`'s local date, see `time_left`),
    `expires in 3 h 05 min`, `expired`, or `never expires`."""
    if expired:
        return _("expired")
    if expires_in is None:
        return _("never expires")
    seconds = int(expires_in.total_seconds())
    if 60 <= seconds < 3600:  # the last hour ticks by the second
        return _("expires in {minutes} min {seconds} s").format(
            minutes=seconds // 60, seconds=f"{seconds % 60:02d}"
        )
    return _("expires in {duration}").format(duration=time_left(expires_in, expires_at))


def countdown_tick_seconds(expires_in: timedelta | None) -> float:
    """How often the countdown text changes: every second in the last hour, else every minute."""
    if expires_in is not None and timedelta(0) < expires_in <= timedelta(hours=1):
        return 1.0
    return 60.0


def ago(then: datetime, now: datetime) -> str:
    """`just now`, `3 min ago`, `2 h ago`."""
    seconds = (now - then).total_seconds()
    if seconds < 45:
        return _("just now")
    return _("{duration} ago").format(duration=duration(seconds))


TASK_SECONDS_BELOW = 600  # a task's or an execution's time shows its seconds below ten minutes


def ago_tick_seconds(then: datetime, now: datetime) -> float:
    """Seconds until `ago(then, now)` may read differently: to the next whole second under a
    minute, else to the next whole minute of the age (so every view changes at the same time)."""
    seconds = max(0.0, (now - then).total_seconds())
    if seconds < 45:
        return 45 - seconds
    if seconds < 60:
        return 1 - seconds % 1 or 1.0
    return 60 - seconds % 60 or 60.0


def execution_time(milliseconds: float | None) -> str:
    """A task's or an execution's duration: `850 ms`, `45 s`, `1 min 45 s` (seconds shown below
    ten minutes, where they matter), `12 min`, `1 h 27 min`. Ages and countdowns keep
    `duration`'s coarser steps."""
    if milliseconds is None:
        return "—"
    if milliseconds < 999.5:
        return _("{count} ms").format(count=round(milliseconds))
    seconds = round(milliseconds / 1000)
    if 60 <= seconds < TASK_SECONDS_BELOW and seconds % 60:
        return _("{minutes} min {seconds} s").format(
            minutes=seconds // 60, seconds=f"{seconds % 60:02d}"
        )
    return duration(seconds)


def clock_time(instant: datetime, now: datetime) -> str:
    """A local time of day (`13:45`) when `instant` is on the same local day as `now`, else
    the date with it (`local_datetime`)."""
    from desktop.core import local_time

    local = local_time.to_local(instant)
    if local.date() != local_time.to_local(now).date():
        return local_datetime(instant)
    if i18n.current().code == i18n.SOURCE_LANGUAGE:
        return local.strftime("%H:%M")
    return i18n.time_of_day(local)


def local_datetime(instant: datetime | None) -> str:
    """An instant in the user's local time zone, e.g. `2027-01-31 23:59`, `31.01.2027, 23:59`."""
    if instant is None:
        return "—"
    return i18n.date_time(instant)


def number(value: float | None, digits: int = 0) -> str:
    """A count or an amount to `digits` places, in the locale's digits (`1,234.50`, `1.234,50`)."""
    if value is None:
        return "—"
    return i18n.decimal(value, digits)
