"""The admin's radar: each team member's credits today against their usual day (issue 28).

Pure, `now` injected. The usual day is the member's `by_email` credits in the forecast's window
(the last `WINDOW_DAYS` complete UTC days, `forecast.window_query`) divided by `WINDOW_DAYS`;
today's credits are `by_email` of one more summary, from the user's local midnight to now
(`today_query`). Emails are the server's text: kept as they came, escaped by whoever shows them.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from desktop.core import forecast
from desktop.core.instants import utc_text
from desktop.core.limits import MAX_MAGNITUDE
from desktop.core.local_time import local_date, local_midnight
from desktop.core.query import UsageQuery

if TYPE_CHECKING:
    from desktop.core.models import UsageSummary
    from desktop.core.summary_figures import SummaryFigures

WINDOW_DAYS = forecast.WINDOW_DAYS
#: Today's credits at least this many times the usual day make a member unusual...
UNUSUAL_RATIO = 3.0
#: ...and at least this many credits today (also the bar for a member new to the window).
UNUSUAL_MIN_CREDITS = 10.0

OK = "ok"
UNAVAILABLE = "unavailable"


def today_window(now: datetime) -> tuple[datetime, datetime]:
    """(the first instant of the user's local day at `now`, `now`), both in UTC. The local
    midnight follows that date's offset (a DST day is 23 or 25 hours; a skipped midnight starts
    the day at the first instant after the gap)."""
    end = now.astimezone(UTC)
    start = local_midnight(local_date(now)).astimezone(UTC)
    return min(start, end), end


def today_query(now: datetime) -> UsageQuery:
    """The request for today's per-member credits: `today_window(now)`, no grouping."""
    start, end = today_window(now)
    return UsageQuery(start, end)


def has_team(summary: UsageSummary | SummaryFigures) -> bool:
    """Whether `summary` is an admin's (the API sends `by_email` only to team admins); figures
    without that field (the cached path's `PlainSummary`) are not."""
    return getattr(summary, "by_email", None) is not None


class MemberRadar(NamedTuple):
    """One member's figures, in credits; `ratio` and `recent_share` unrounded fractions."""

    email: str
    today_credits: float
    baseline_credits_per_day: float  # the window's credits / WINDOW_DAYS
    ratio: float | None  # today / usual; None when the usual is 0
    recent_share: float | None  # the member's share of the window's credits; None when it is 0
    unusual: bool
    window_credits: float  # the member's credits over the window (not in the JSON)

    def to_json(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "today_credits": self.today_credits,
            "baseline_credits_per_day": self.baseline_credits_per_day,
            "ratio": self.ratio,
            "recent_share": self.recent_share,
            "unusual": self.unusual,
        }


class Radar(NamedTuple):
    """Every member in the window or today, sorted by `sort_key`; `status` is "ok", or
    "unavailable" (with no items) when the window's or today's request failed."""

    status: str
    window_days: int
    today_from: datetime
    items: tuple[MemberRadar, ...]

    @property
    def ok(self) -> bool:
        return self.status == OK

    def to_json(self) -> dict[str, Any]:
        """The `members` object of `--once --json` (README contract)."""
        return {
            "status": self.status,
            "window_days": self.window_days,
            "today_from": utc_text(self.today_from, whole_seconds=True),
            "items": [item.to_json() for item in self.items],
        }


def sort_key(member: MemberRadar) -> tuple[bool, bool, float, str]:
    """Unusual first, then the ratio largest first (no ratio after every number), then email."""
    ratio = member.ratio
    return (not member.unusual, ratio is None, -ratio if ratio is not None else 0.0, member.email)


def is_unusual(today: float, usual: float) -> bool:
    """At least `UNUSUAL_RATIO` times the usual day and `UNUSUAL_MIN_CREDITS` today; a member with
    no usual day only by the second bar."""
    if today < UNUSUAL_MIN_CREDITS:
        return False
    return usual <= 0 or today >= UNUSUAL_RATIO * usual


def credits_by_email(rows: Iterable[Mapping[str, Any]] | None) -> dict[str, float]:
    """Each email's credits in `by_email` rows (`{email, neo_credits, tasks}`): rows naming the
    same email (exactly: the server's identity, so case or a trailing space make another
    member) add up; a missing or negative figure (a refund) counts as no use. A sum past the
    model's bound (`limits.MAX_MAGNITUDE`, each row within it) is not a figure the app can
    represent: that member is left out."""
    return _credits_and_refused(rows)[0]


def _credits_and_refused(
    rows: Iterable[Mapping[str, Any]] | None,
) -> tuple[dict[str, float], list[str]]:
    """`credits_by_email`, and the emails it left out (their sum past the bound)."""
    used: dict[str, float] = {}
    for row in rows or ():
        email = row["email"]
        used[email] = used.get(email, 0.0) + max(0.0, float(row.get("neo_credits", 0)))
    refused = [email for email, credits in used.items() if not credits <= MAX_MAGNITUDE]
    for email in refused:
        del used[email]
    return used, refused


def compute(window: UsageSummary | None, today: UsageSummary | None, today_from: datetime) -> Radar:
    """The radar from `window` (the answer to `forecast.window_query`: `by_email` is each
    member's usage over it) and `today` (the answer to `today_query`; `today_from` its start).
    Either None (its request failed): status "unavailable", no items. A summary without
    `by_email` counts as no member's usage; a member whose credits add up past the model's bound
    in either answer is left out (`credits_by_email`)."""
    if window is None or today is None:
        return Radar(UNAVAILABLE, WINDOW_DAYS, today_from, ())
    in_window, refused_window = _credits_and_refused(window.by_email)
    in_today, refused_today = _credits_and_refused(today.by_email)
    # A member whose sum left the bound in either answer is unknown: left out of both (their
    # figures would be half a member's, and their window credits skew everyone's share).
    for email in (*refused_window, *refused_today):
        in_window.pop(email, None)
        in_today.pop(email, None)
    window_total = sum(in_window.values())
    items = []
    for email in in_window.keys() | in_today.keys():
        window_credits = in_window.get(email, 0.0)
        today_credits = in_today.get(email, 0.0)
        usual = window_credits / WINDOW_DAYS
        items.append(
            MemberRadar(
                email,
                today_credits,
                usual,
                _ratio(today_credits, usual),
                window_credits / window_total if window_total > 0 else None,
                is_unusual(today_credits, usual),
                window_credits,
            )
        )
    return Radar(OK, WINDOW_DAYS, today_from, tuple(sorted(items, key=sort_key)))


#: Radars remembered by `compute_once` (one per account shown, a few accounts at most).
MEMO_SIZE = 8


class _Remembered(NamedTuple):
    """A radar and what it was computed from; the summaries held weakly (a 200,000-member
    answer must not outlive its snapshot for the memo's sake)."""

    window: weakref.ref[UsageSummary] | None
    today: weakref.ref[UsageSummary] | None
    today_from: datetime
    radar: Radar

    def made_from(
        self, window: UsageSummary | None, today: UsageSummary | None, today_from: datetime
    ) -> bool:
        return (
            _deref(self.window) is window
            and _deref(self.today) is today
            and self.today_from == today_from
        )


_remembered: list[_Remembered] = []


def _deref(ref: weakref.ref[UsageSummary] | None) -> UsageSummary | None:
    return None if ref is None else ref()


def _weak(summary: UsageSummary | None) -> weakref.ref[UsageSummary] | None:
    return None if summary is None else weakref.ref(summary)


def compute_once(
    window: UsageSummary | None, today: UsageSummary | None, today_from: datetime
) -> Radar:
    """`compute`, once per (window, today) pair: the same radar object again while the same
    summary objects (by identity; they are immutable) are asked about, so views that render on
    every tick cost nothing per tick, and comparing the radar with the last one drawn is
    instant. An answer that went away (its snapshot replaced) is forgotten with it."""
    for entry in _remembered:
        if entry.made_from(window, today, today_from):
            return entry.radar
    radar = compute(window, today, today_from)
    alive = [entry for entry in _remembered if entry.window is None or entry.window() is not None]
    alive = [entry for entry in alive if entry.today is None or entry.today() is not None]
    _remembered[:] = [_Remembered(_weak(window), _weak(today), today_from, radar), *alive][
        :MEMO_SIZE
    ]
    return radar


def _ratio(today: float, usual: float) -> float | None:
    """today / usual; None when the usual is 0, or so near it that the ratio passes a float."""
    if usual <= 0:
        return None
    ratio = today / usual
    return ratio if math.isfinite(ratio) else None


def top_burner(radar: Radar) -> MemberRadar | None:
    """The member with the most credits in the window (ties: the first email); None when
    nobody used any. Remembered for the last radar asked (the same object: `compute_once`),
    as views ask on every render."""
    if _last_top and _last_top[0][0] is radar:
        return _last_top[0][1]
    top: MemberRadar | None = min(
        (item for item in radar.items if item.window_credits > 0),
        key=lambda item: (-item.window_credits, item.email),
        default=None,
    )
    _last_top[:] = [(radar, top)]
    return top


#: `top_burner`'s last answer: [(radar, its top burner)] (empty before the first).
_last_top: list[tuple[Radar, MemberRadar | None]] = []


def burn_share(
    member: MemberRadar, available: float | None, expires_at: datetime | None, now: datetime
) -> float | None:
    """The share of the available credits `member` spends at their usual pace until the expiry
    (usual/day * days to `expires_at` / `available`, at most 1); without an expiry, their share
    of the window's credits. None when nothing is available or the credits have expired."""
    if expires_at is None:
        return member.recent_share
    if available is None or available <= 0 or expires_at <= now:
        return None
    days = (expires_at - now).total_seconds() / 86400
    return min(1.0, member.baseline_credits_per_day * days / available)
