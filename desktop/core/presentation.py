"""What the views render: one account's `ViewState`, and what it reads as (its figures, its
forecast, the icon's look, how much it needs the user).

Pure. The views' words are made from it in `tray_text`, `balance_text` and `detail_text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

from desktop.core import fmt
from desktop.core.derive import Derived, derive
from desktop.core.errors import ErrorKind
from desktop.core.forecast import Forecast
from desktop.core.forecast import compute as compute_forecast
from desktop.core.glance import cap_level
from desktop.core.levels import CreditLevel, Thresholds
from desktop.core.looks import (
    IconContent,
    IconStyle,
    IconTone,
    Look,
    LookKind,
    expiry_stage,
)
from desktop.core.radar import Radar, has_team, today_window
from desktop.core.radar import compute_once as compute_radar
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.tasks import TaskListing

if TYPE_CHECKING:  # types only: the member's values come in from the poller or the cache
    from desktop.core.member import MemberCap, MemberSnapshot


class RefreshRefusal(Enum):
    """Why "Refresh now" sent nothing."""

    JUST_REFRESHED = "just_refreshed"  # the short cooldown after the last one
    RATE_LIMITED = "rate_limited"  # the server's Retry-After still holds every request


@dataclass(frozen=True)
class RefreshNote:
    """ "Refresh now" was refused, why, and until when (it is said until then)."""

    reason: RefreshRefusal
    until: datetime


@dataclass(frozen=True)
class ViewState:
    """What the views render: the last good snapshot (or, in member mode, the member's), the
    last error, the thresholds that set the credit level, and whether polling is paused."""

    snapshot: Snapshot | None = None
    error: PollError | None = None
    paused: bool = False
    thresholds: Thresholds = field(default_factory=Thresholds)
    #: The daily usage the forecast reads (`forecast.window_query`), once fetched.
    forecast_window: Snapshot | None = None
    #: The last try to fetch that window failed (the forecast is then "unavailable").
    forecast_failed: bool = False
    icon_content: IconContent = IconContent.RING
    icon_style: IconStyle = IconStyle.COLOUR
    icon_tone: IconTone = IconTone.AUTO
    #: The last "Refresh now" that sent nothing; said by `status_line` until its `until`.
    refresh_note: RefreshNote | None = None
    #: Notifications are snoozed until then (None: they are not).
    snoozed_until: datetime | None = None
    #: The settings' `expiry_warning_days`: the icon's clock mark and amber ring follow them.
    expiry_warning_days: tuple[int, ...] = (7, 1)
    #: Today's task ledger (`tasks.today_window`), once fetched; a failed fetch is a listing
    #: FORBIDDEN or UNAVAILABLE. None: not fetched yet.
    tasks_today: TaskListing | None = None
    #: Member mode: the main poll's last answer when the summary said 403 and `/api/v1/user`
    #: gave the member's cap (US dollars). A summary snapshot clears it, and so does an error
    #: that needs the user; a passing failure keeps it (shown stale) as it keeps a snapshot.
    member: MemberSnapshot | None = None
    #: An admin's summary of today (`radar.today_query`: local midnight to the fetch), once
    #: fetched; with `forecast_window` it makes the radar (`radar`).
    team_today: Snapshot | None = None
    #: The last try to fetch today's team summary failed (the radar is then "unavailable").
    team_today_failed: bool = False

    @property
    def error_is_current(self) -> bool:
        """The last error is newer than the last good data (or there is no good data)."""
        if self.error is None:
            return False
        shown = self.member if self.member is not None else self.snapshot
        return shown is None or self.error.at >= shown.fetched_at

    @property
    def current_error(self) -> PollError | None:
        return self.error if self.error_is_current else None

    @property
    def stale(self) -> bool:
        shown = self.member if self.member is not None else self.snapshot
        if shown is None:
            return False
        return shown.from_cache or self.error_is_current

    @property
    def member_cap(self) -> MemberCap | None:
        """Member mode's cap (None outside member mode)."""
        return self.member.profile.cap if self.member is not None else None


_BLOCKING_LOOKS = {
    ErrorKind.NO_TOKEN: LookKind.NO_TOKEN,
    ErrorKind.AUTH_REJECTED: LookKind.AUTH_REJECTED,
    ErrorKind.NO_PERMISSION: LookKind.NO_PERMISSION,
    ErrorKind.SETTINGS: LookKind.AUTH_REJECTED,
}


def figures(state: ViewState, now: datetime) -> Derived | None:
    return derive(state.snapshot.summary, now, state.thresholds) if state.snapshot else None


def forecast(state: ViewState, now: datetime) -> Forecast | None:
    """The forecast for the current balance; None until its window was fetched or tried."""
    if state.snapshot is None or (state.forecast_window is None and not state.forecast_failed):
        return None
    window = None if state.forecast_failed else state.forecast_window
    return compute_forecast(state.snapshot.summary, window.summary if window else None, now)


def look(state: ViewState, now: datetime) -> Look:
    return look_for(state, figures(state, now))


def look_for(state: ViewState, derived: Derived | None) -> Look:
    """The look, from figures already derived (views that need both derive only once); paused
    polling marks every look (its data grows old)."""
    shown = _look_of_data(state, derived)
    return shown._replace(paused=True) if state.paused else shown


def _look_of_data(state: ViewState, derived: Derived | None) -> Look:
    error = state.current_error
    if error is not None and error.kind in _BLOCKING_LOOKS:
        return Look(_BLOCKING_LOOKS[error.kind])
    if derived is None and state.member is not None:
        return _member_look(state, state.member.profile.cap)
    if derived is None:
        return Look(LookKind.OFFLINE) if error is not None else Look(LookKind.LOADING)
    if derived.expired:
        return Look(LookKind.EXPIRED, CreditLevel.EXPIRED, 0, dimmed=state.stale)
    percent = None if derived.gauge_fraction is None else fmt.gauge_points(derived.gauge_fraction)
    content = state.icon_content
    text = None
    if content is IconContent.RING_PERCENT and percent is not None:
        text = str(percent)
    elif content is IconContent.NUMBER and derived.available_credits is not None:
        text = fmt.short_number(max(0.0, derived.available_credits))
    if text is None:
        content = IconContent.RING
    expiry = expiry_stage(derived.expires_in, state.expiry_warning_days)
    return Look(LookKind.GAUGE, derived.level, percent, state.stale, text, content, expiry)


def icon_money(dollars: float) -> str:
    """Dollars left for the icon's number style: whole dollars in the locale's currency format
    (`$32`), the figure shortened as credits are from a thousand on (`$1.2k`)."""
    whole = round(max(0.0, dollars))
    text = fmt.money(whole)
    if whole >= 1000:
        figure = fmt.number(whole)
        if figure in text:  # the locale's money pattern around the number it formats
            text = text.replace(figure, fmt.short_number(whole), 1)
    return text


def _member_look(state: ViewState, cap: MemberCap | None) -> Look:
    """Member mode's icon: the gauge of the cap left, with the credits' looks and levels; the
    number style shows the dollars left."""
    fraction = cap.fraction_left if cap is not None else None
    percent = None if fraction is None else fmt.gauge_points(fraction)
    content = state.icon_content
    text = None
    if content is IconContent.RING_PERCENT and percent is not None:
        text = str(percent)
    elif content is IconContent.NUMBER and cap is not None:
        text = icon_money(cap.remaining)
    if text is None:
        content = IconContent.RING
    # No cap (member mode never holds one without): no share, UNKNOWN.
    level = cap_level(cap, state.thresholds) if cap is not None else CreditLevel.UNKNOWN
    return Look(LookKind.GAUGE, level, percent, state.stale, text, content)


def radar(state: ViewState, now: datetime) -> Radar | None:
    """The admin's radar (`core/radar.compute`): each member's credits today (`team_today`)
    against their usual day in the forecast's window (`forecast_window`'s `by_email`). None
    without an admin's summary (no `by_email`) or until both were fetched or tried;
    "unavailable" when either failed. Computed once per (window, today) pair: the same object
    on every render until one of them changes (`radar.compute_once`)."""
    if state.snapshot is None or not has_team(state.snapshot.summary):
        return None
    window_known = state.forecast_window is not None or state.forecast_failed
    today_known = state.team_today is not None or state.team_today_failed
    if not (window_known and today_known):
        return None
    window = None if state.forecast_failed else state.forecast_window
    today = None if state.team_today_failed else state.team_today
    today_from = today.query.start if today is not None else None
    return compute_radar(
        window.summary if window is not None else None,
        today.summary if today is not None else None,
        today_from or today_window(now)[0],
    )


def attention(state: ViewState, now: datetime) -> tuple[int, float]:
    """How much an account needs the user, lowest first: lost access or expired credits, then
    the share left (lowest first), then no data for an error, then still loading."""
    error = state.current_error
    if error is not None and error.needs_user_action:
        return (0, 0.0)
    derived = figures(state, now)
    if derived is None and state.member is not None:
        cap = state.member.profile.cap
        fraction = cap.fraction_left if cap is not None else None
        return (1, fraction if fraction is not None else 1.0)
    if derived is None:
        return (2, 0.0) if error is not None else (3, 0.0)
    if derived.expired:
        return (0, 0.0)
    share = derived.available_fraction
    return (1, share if share is not None else 1.0)


def most_attention(states: Sequence[ViewState], now: datetime) -> int:
    """The index of the account the tray icon shows by default (the first of equals)."""
    return min(range(len(states)), key=lambda index: (attention(states[index], now), index))
