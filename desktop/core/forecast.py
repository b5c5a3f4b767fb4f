"""The forecast: at the recent pace, when the credits run out and how many will expire unused.

Pure, `now` injected. The pace is the API's own daily usage over the last `WINDOW_DAYS` complete
UTC days (days without a row count as zero), never changes of the balance: a top-up or a reset
must not look like negative use.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from desktop.core.derive import is_expired
from desktop.core.instants import utc_text
from desktop.core.limits import LATEST
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.summary_figures import SummaryFigures
from desktop.core.validators import is_json_number, stored_instant

if TYPE_CHECKING:  # the cached status-bar path reads summaries without the models (pydantic)
    from desktop.core.models import PeriodUsage, UsageSummary

WINDOW_DAYS = 14
MIN_ACTIVE_DAYS = 3
BALANCE_HISTORY_DAYS = 400  # the balance chart looks back at most this far

# How the rate's range is made (`rate_range`); `--method` of bench/backtest.py compares them.
T_INTERVAL = "t-interval-10-90"  # the 14-day mean's own Student-t interval (the first cut)
PREDICTION = "prediction-10-90"  # the next days' mean: weekly rhythm, horizon and recency
METHODS = frozenset({T_INTERVAL, PREDICTION})
METHOD = PREDICTION
# Student's t, one-sided 90 % (the 10th-90th percentile pair), by degrees of freedom 1-13; more
# are not needed with 14 days, and the normal's 1.2816 is the limit.
_T90 = (3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383, 1.372, 1.363, 1.356, 1.350)
_Z90 = 1.2816
TREND_DAYS = 28.0  # a trend seen in two weeks is carried at most this far (the backtest's longest)


class ForecastStatus(StrEnum):
    OK = "ok"
    INSUFFICIENT_DATA = "insufficient_data"  # fewer than MIN_ACTIVE_DAYS days with usage
    NO_RECENT_USE = "no_recent_use"  # nothing used in the window: never "runs out in ∞"
    EMPTY = "empty"  # nothing available
    EXPIRED = "expired"
    UNAVAILABLE = "unavailable"  # the window could not be fetched, or the balance is unknown


class Forecast(NamedTuple):
    status: ForecastStatus
    credits_per_day: float | None = None
    runs_out_at: datetime | None = None
    runs_out_before_expiry: bool | None = None
    unused_at_expiry: float | None = None
    pace_fraction: float | None = None  # the share left now had use been even to the expiry
    expires_at: datetime | None = None
    window_days: int = WINDOW_DAYS
    # The 10th-90th percentile of the rate (credits a day, low, high), always holding the point,
    # and what it means for the run-out (earliest, latest; None = past `LATEST` or never) and the
    # credits unused at the expiry (fewest, most; None without an expiry). None unless ok.
    credits_per_day_range: tuple[float, float] | None = None
    runs_out_range: tuple[datetime | None, datetime | None] | None = None
    unused_at_expiry_range: tuple[float, float] | None = None
    method: str | None = None  # how the range was made: one of `METHODS`

    @property
    def ok(self) -> bool:
        return self.status is ForecastStatus.OK

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "window_days": self.window_days,
            "credits_per_day": self.credits_per_day,
            "runs_out_at": (
                utc_text(self.runs_out_at, whole_seconds=True) if self.runs_out_at else None
            ),
            "runs_out_before_expiry": self.runs_out_before_expiry,
            "unused_at_expiry": self.unused_at_expiry,
            "pace_fraction": self.pace_fraction,
            "credits_per_day_range": _pair(self.credits_per_day_range),
            "runs_out_range": (
                [_instant_text(at) for at in self.runs_out_range] if self.runs_out_range else None
            ),
            "unused_at_expiry_range": _pair(self.unused_at_expiry_range),
            "method": self.method,
        }


def _pair(pair: tuple[float, float] | None) -> list[float] | None:
    return list(pair) if pair is not None else None


def _instant_text(at: datetime | None) -> str | None:
    return utc_text(at, whole_seconds=True) if at is not None else None


def forecast_from_json(data: Any, expires_at: datetime | None) -> Forecast | None:
    """A forecast as `to_json` wrote it (the tray's cache); None when it is not one."""
    if not isinstance(data, dict):
        return None
    try:
        status = ForecastStatus(str(data.get("status")))
        rate = _number(data.get("credits_per_day"))
        unused = _number(data.get("unused_at_expiry"))
        pace = _number(data.get("pace_fraction"))
        before = data.get("runs_out_before_expiry")
        runs_out = data.get("runs_out_at")
        runs_out_at = stored_instant(runs_out) if runs_out else None
    except (ValueError, TypeError, AttributeError):
        return None
    if runs_out and runs_out_at is None:
        return None
    method = data.get("method")
    return Forecast(
        status,
        rate,
        runs_out_at,
        before if isinstance(before, bool) else None,
        unused,
        pace if pace is None or 0.0 <= pace <= 1.0 else None,
        expires_at=expires_at,
        credits_per_day_range=_stored_pair(data.get("credits_per_day_range")),
        runs_out_range=_stored_instants(data.get("runs_out_range")),
        unused_at_expiry_range=_stored_pair(data.get("unused_at_expiry_range")),
        method=method if method in METHODS else None,
    )


def _stored_pair(value: object) -> tuple[float, float] | None:
    """A [low, high] pair of finite numbers as `to_json` wrote it; None for anything else."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    low, high = _number(value[0]), _number(value[1])
    if low is None or high is None or low > high:
        return None
    return low, high


def _stored_instants(value: object) -> tuple[datetime | None, datetime | None] | None:
    """An [earliest, latest] pair of instants (each may be null) as `to_json` wrote it."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    instants: list[datetime | None] = []
    for text in value:
        if text is None:
            instants.append(None)
            continue
        try:
            at = stored_instant(text) if isinstance(text, str) else None
        except (ValueError, TypeError, AttributeError):
            return None
        if at is None:
            return None
        instants.append(at)
    earliest, latest = instants
    if earliest is None and latest is not None:  # "past any date" cannot come first
        return None
    if earliest is not None and latest is not None and latest < earliest:
        return None
    return earliest, latest


def _number(value: object) -> float | None:
    # Not math.isfinite: a 400-digit int in a cached figure raised OverflowError there.
    if not is_json_number(value):
        return None
    return float(value)  # type: ignore[arg-type]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _window_start(now: datetime) -> datetime:
    return _midnight(now.astimezone(UTC).date() - timedelta(days=WINDOW_DAYS))


def window_query(now: datetime) -> UsageQuery:
    """Daily usage over the last `WINDOW_DAYS` complete UTC days (today is not complete)."""
    start = _window_start(now)
    end = start + timedelta(days=WINDOW_DAYS) - timedelta(microseconds=1)
    return UsageQuery(start, end, GroupBy.DAY)


def balance_query(summary: UsageSummary, now: datetime) -> UsageQuery:
    """Daily usage since the last reset (at most `BALANCE_HISTORY_DAYS`), for the balance chart."""
    earliest = now.astimezone(UTC) - timedelta(days=BALANCE_HISTORY_DAYS)
    reset = summary.last_credit_reset
    start = max(reset, earliest) if reset is not None else earliest
    start = min(start, now)
    return UsageQuery(start, now, GroupBy.DAY)


def row_day(text: str) -> date | None:
    """A row's day: a plain date, or a full timestamp taken by its UTC date."""
    value = text.strip()
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        if value.endswith(("z", "Z")):
            value = value[:-1] + "+00:00"
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    if instant.tzinfo is None:
        return instant.date()
    return instant.astimezone(UTC).date()


def daily_usage(rows: Iterable[PeriodUsage], first: date, days: int) -> list[float]:
    """Credits used on each of `days` UTC days from `first`; a day without a row is zero, and a
    negative figure (a refund) counts as no use."""
    used = [0.0] * days
    for row in rows:
        day = row_day(row["date"])
        if day is None:
            continue
        index = (day - first).days
        if 0 <= index < days:
            used[index] += max(0.0, float(row.get("neo_credits", 0)))
    return used


def compute(
    summary: SummaryFigures, window: UsageSummary | None, now: datetime, *, method: str = METHOD
) -> Forecast:
    """The forecast for the balance in `summary`, from the daily rows of `window` (the answer
    to `window_query(now)`; None when it could not be fetched); its range made by `method`
    (one of `METHODS`: the backtest compares them)."""
    expires_at = summary.neo_credits_expires_at
    if is_expired(summary, now):
        return Forecast(ForecastStatus.EXPIRED, expires_at=expires_at)
    first = _window_start(now)
    used = daily_usage(window.by_period or (), first.date(), WINDOW_DAYS) if window else None
    pace = _pace(summary, used, first, now)
    if used is None:
        return Forecast(ForecastStatus.UNAVAILABLE, pace_fraction=pace, expires_at=expires_at)
    available = summary.total_available_neo_credits
    rate = sum(used) / WINDOW_DAYS
    if available is None:  # the balance is not known: nothing to say of when it runs out
        return Forecast(ForecastStatus.UNAVAILABLE, rate, pace_fraction=pace, expires_at=expires_at)
    if available <= 0:
        return Forecast(ForecastStatus.EMPTY, rate, pace_fraction=pace, expires_at=expires_at)
    if rate <= 0:
        return Forecast(
            ForecastStatus.NO_RECENT_USE, 0.0, pace_fraction=pace, expires_at=expires_at
        )
    if sum(1 for day in used if day > 0) < MIN_ACTIVE_DAYS:
        status = ForecastStatus.INSUFFICIENT_DATA
        return Forecast(status, rate, pace_fraction=pace, expires_at=expires_at)
    days_left = float(available) / rate
    runs_out_at = _after(now, days_left)
    days_to_expiry = (
        max(0.0, (expires_at - now).total_seconds() / 86400) if expires_at is not None else None
    )
    # The range is about the days the forecast speaks of: to the run-out, or to the expiry first.
    horizon = days_left if days_to_expiry is None else min(days_left, days_to_expiry)
    elapsed = (now - _midnight(now.astimezone(UTC).date())).total_seconds() / 86400
    low, high = rate_range(used, horizon, method, elapsed)
    rates = (min(low, rate), max(high, rate))  # the point, summed its own way, stays inside
    ranges = _ranges(float(available), rates, days_to_expiry, now, method)
    if expires_at is None or days_to_expiry is None:
        return Forecast(ForecastStatus.OK, rate, runs_out_at, pace_fraction=pace, **ranges)
    before = days_left < days_to_expiry
    unused = 0.0 if before else max(0.0, float(available) - rate * days_to_expiry)
    return Forecast(
        ForecastStatus.OK, rate, runs_out_at, before, unused, pace, expires_at=expires_at, **ranges
    )


def _ranges(
    available: float,
    rates: tuple[float, float],
    days_to_expiry: float | None,
    now: datetime,
    method: str,
) -> dict[str, Any]:
    """The `Forecast` fields a rate range gives: the high rate runs out first and leaves the
    fewest credits unused."""
    low, high = rates
    earliest = _after(now, available / high)
    latest = _after(now, available / low) if low > 0 else None
    unused: tuple[float, float] | None = None
    if days_to_expiry is not None:
        unused = (
            max(0.0, available - high * days_to_expiry),
            max(0.0, available - low * days_to_expiry),
        )
    return {
        "credits_per_day_range": (low, high),
        "runs_out_range": (earliest, latest),
        "unused_at_expiry_range": unused,
        "method": method,
    }


def rate_range(
    used: Sequence[float], horizon_days: float, method: str = METHOD, today_elapsed: float = 0.0
) -> tuple[float, float]:
    """The 10th-90th percentile of the daily rate (credits a day) over the next `horizon_days`
    from now, from the credits `used` on each complete day of the window (oldest first, the
    last one yesterday; `today_elapsed` is the share of today gone, 0-1): (low, high), low >= 0,
    always holding the point (the window's mean). Analytic, so the tray, `--once` and the
    backtest agree to the bit and no random numbers or heavy imports reach the status bar.

    `T_INTERVAL`: mean +- t(n-1) * s / sqrt(n), the uncertainty of the mean alone.
    `PREDICTION` (bench/backtest.py: held the real run-out far more often on every shape): the
    uncertainty of the mean of the next `horizon_days` days, t(f) * s * sqrt(1/n + 1/h), with
    the spread s taken day against the same weekday a week before (a weekly rhythm is no
    spread); widened to the rate the two weeks' trend points to (the last week's mean against
    the first's, carried up to `TREND_DAYS` ahead: a pace ramping up or tapering off) and to
    the rate the weekly rhythm gives over those days (weekdays only, ahead of a weekend)."""
    count = len(used)
    if count == 0:
        return 0.0, 0.0
    mean = math.fsum(used) / count
    if count < 2:
        return mean, mean
    if method == T_INTERVAL:
        spread = math.sqrt(math.fsum((day - mean) ** 2 for day in used) / (count - 1))
        margin = _t90(count - 1) * spread / math.sqrt(count)
        return max(0.0, mean - margin), mean + margin
    if method != PREDICTION:
        raise ValueError(f"unknown range method {method!r}")
    spread, freedom = _rhythm_spread(used, mean)
    horizon = max(1.0, horizon_days)
    margin = _t90(freedom) * spread * math.sqrt(1.0 / count + 1.0 / horizon)
    low, high = mean - margin, mean + margin
    if count >= 14:
        weeks = used[-14:]
        first, last = math.fsum(weeks[:7]) / 7, math.fsum(weeks[7:]) / 7
        # The window's mean stands 7 days back; the next days' mean h/2 ahead.
        trend = mean + (last - first) / 7 * (7 + min(horizon, TREND_DAYS) / 2)
        rhythm = _rhythm_rate(weeks, horizon, today_elapsed)
        low, high = min(low, trend, rhythm), max(high, trend, rhythm)
    return max(0.0, min(low, mean)), max(high, mean)


def _rhythm_rate(weeks: Sequence[float], horizon: float, today_elapsed: float) -> float:
    """The mean rate over the next `horizon` days (from `today_elapsed` into today) had each
    weekday its mean of the two `weeks` (today is the weekday of their first day)."""
    profile = [(weeks[day] + weeks[day + 7]) / 2 for day in range(7)]
    week = math.fsum(profile)
    elapsed = min(1.0, max(0.0, today_elapsed))
    # Whole weeks use a week's worth each, whatever day they start on; the rest walks the days.
    rest = horizon % 7
    total = week * (horizon // 7)
    day, at = 0, elapsed
    while rest > 1e-12:
        step = min(rest, 1.0 - at)
        total += profile[day % 7] * step
        rest -= step
        day, at = day + 1, 0.0
    return total / horizon


def _rhythm_spread(used: Sequence[float], mean: float) -> tuple[float, int]:
    """The daily spread (credits a day) and its degrees of freedom: from the differences to the
    same weekday a week before when the window holds two weeks (var(a - b) = 2 var), so a
    steady weekly rhythm (weekdays only) counts as no spread; else about the mean."""
    count = len(used)
    if count >= 14:
        pairs = [used[index] - used[index - 7] for index in range(7, count)]
        return math.sqrt(math.fsum(d * d for d in pairs) / (2 * len(pairs))), len(pairs)
    spread = math.sqrt(math.fsum((day - mean) ** 2 for day in used) / (count - 1))
    return spread, count - 1


def _t90(freedom: int) -> float:
    return _T90[freedom - 1] if 1 <= freedom <= len(_T90) else _Z90


def _after(now: datetime, days: float) -> datetime | None:
    """`now` + `days`, or None where that is past any date the app can show."""
    limit = (LATEST - now).total_seconds() / 86400
    if not math.isfinite(days) or days >= limit:
        return None
    return now + timedelta(days=days)


def _pace(
    summary: SummaryFigures, used: list[float] | None, first: datetime, now: datetime
) -> float | None:
    """The share of the issued credits left now had they been used evenly from the last reset
    (or the first use in the window, whose daily `used` credits start at `first`) to the
    expiry; None wherever the figures contradict each other, so no pace is told then."""
    if not _balance_is_a_share(summary):
        return None
    expires_at = summary.neo_credits_expires_at
    start = summary.last_credit_reset
    if start is None and used is not None:
        active = next((index for index, day in enumerate(used) if day > 0), None)
        if active is not None:
            start = first + timedelta(days=active)
    # A reset still ahead (a clock behind, or a server's slip), or an expiry not after it: the
    # credit period has no "now" in it to be even against.
    if expires_at is None or start is None or not start <= now < expires_at:
        return None
    total = (expires_at - start).total_seconds()
    elapsed = (now - start).total_seconds()
    return min(1.0, max(0.0, 1.0 - elapsed / total))


def _balance_is_a_share(summary: SummaryFigures) -> bool:
    """The available credits are a share of the issued ones (0 <= available <= issued, issued
    > 0): only then can "N points ahead of even use" compare them."""
    issued = summary.total_issued_neo_credits
    available = summary.total_available_neo_credits
    return issued is not None and available is not None and 0 <= available <= issued and issued > 0


class BalancePoint(NamedTuple):
    at: datetime
    credits: float


def balance_history(
    summary: UsageSummary, history: UsageSummary, now: datetime
) -> tuple[BalancePoint, ...]:
    """The available balance at the start of each day since the last reset (at most
    `BALANCE_HISTORY_DAYS`), rebuilt backwards from the balance the header shows and the daily
    usage in `history` (no local database needed). It agrees with the header: it ends at the
    available credits, never shows more than were issued when the balance is a share of them,
    and never starts before the last reset (rows before it are left out, whatever the server
    sent). Expired credits fall to zero at the expiry: before it, the balance was the issued
    credits less those used since the reset."""
    available = summary.total_available_neo_credits
    if available is None:
        return ()
    issued = summary.total_issued_neo_credits
    expires_at = summary.neo_credits_expires_at
    end, balance = now, float(available)
    expired = is_expired(summary, now)
    if expired:
        used = summary.total_neo_credits_post_reset
        if issued is None or used is None or expires_at is None or expires_at > now:
            return (BalancePoint(now, float(available)),)
        end, balance = expires_at, max(0.0, float(issued) - float(used))
    ceiling = float(issued) if issued is not None and 0 <= balance <= issued else math.inf
    today = end.astimezone(UTC).date()
    reset = summary.last_credit_reset
    reset_day = reset.astimezone(UTC).date() if reset is not None else None
    earliest = today - timedelta(days=BALANCE_HISTORY_DAYS)
    rows = history.by_period or ()
    days = [day for day in (row_day(row["date"]) for row in rows) if day is not None]
    days = [d for d in days if earliest <= d <= today and (reset_day is None or d >= reset_day)]
    points = [BalancePoint(end, balance)]
    if days:
        first = min(days)
        count = (today - first).days + 1
        used_per_day = daily_usage(rows, first, count)
        # The balance at the start of day d is the balance after it plus what day d used.
        for index in range(count - 1, -1, -1):
            balance = min(ceiling, balance + used_per_day[index])
            day_start = _midnight(first + timedelta(days=index))
            if reset is not None and index == 0 and reset > day_start:
                day_start = reset  # the reset day starts at the reset
            points.append(BalancePoint(day_start, balance))
    points.reverse()
    if expired:
        points += [BalancePoint(end, 0.0), BalancePoint(now, 0.0)]
    return tuple(points)


def projection(forecast: Forecast, available: float, now: datetime) -> tuple[BalancePoint, ...]:
    """The balance line ahead: from now at the forecast's rate to the expiry (or to zero)."""
    if not forecast.ok or forecast.credits_per_day is None:
        return ()
    end = forecast.expires_at or forecast.runs_out_at
    if forecast.runs_out_at is not None and (end is None or forecast.runs_out_at < end):
        end = forecast.runs_out_at
    if end is None or end <= now:
        return ()
    days = (end - now).total_seconds() / 86400
    left = max(0.0, available - forecast.credits_per_day * days)
    return (BalancePoint(now, available), BalancePoint(end, left))


def projection_band(
    forecast: Forecast, available: float, now: datetime
) -> tuple[tuple[BalancePoint, ...], tuple[BalancePoint, ...]]:
    """The range around `projection` for the balance chart: (the balance at the high rate, the
    balance at the low rate), each from (now, `available`) to one shared end, the expiry (or,
    without one, the latest run-out, else the point's), reaching zero on the way where that rate
    runs out first and staying there. Both () when there is no range to draw: a forecast that
    is not ok, without a range (an old cache), or an end not after `now`."""
    rates = forecast.credits_per_day_range
    if not forecast.ok or rates is None or forecast.runs_out_range is None:
        return (), ()
    end = forecast.expires_at or forecast.runs_out_range[1] or forecast.runs_out_at
    if end is None or end <= now:
        return (), ()
    days = (end - now).total_seconds() / 86400
    low, high = rates
    return _line(available, high, now, end, days), _line(available, low, now, end, days)


def _line(
    available: float, rate: float, now: datetime, end: datetime, days: float
) -> tuple[BalancePoint, ...]:
    """The balance from `now` to `end` (`days` later) at `rate` credits a day, floored at zero."""
    start = BalancePoint(now, available)
    if rate > 0 and available / rate < days:
        empty = now + timedelta(days=available / rate)
        return (start, BalancePoint(empty, 0.0), BalancePoint(end, 0.0))
    return (start, BalancePoint(end, max(0.0, available - rate * days)))
