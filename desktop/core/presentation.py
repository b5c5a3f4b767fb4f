"""How a snapshot is presented: the icon's look, the tooltip, the menu's lines and the detail
window's header, banner and range texts.

Pure: the tray and the detail window render the strings this module returns, so both say the
same thing the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum

from desktop.core import fmt, i18n, sinks
from desktop.core.derive import Derived, derive
from desktop.core.errors import ErrorKind
from desktop.core.forecast import Forecast, ForecastStatus
from desktop.core.forecast import compute as compute_forecast
from desktop.core.i18n import N_, _, ngettext
from desktop.core.levels import CreditLevel, Thresholds
from desktop.core.looks import (
    IconContent,
    IconStyle,
    IconTone,
    Look,
    LookKind,
    expiry_stage,
)
from desktop.core.models import UsageSummary
from desktop.core.query import UsageQuery
from desktop.core.snapshot import PollError, Snapshot

TOOLTIP_LIMIT = 127  # Windows cuts tooltips here
MENU_LIMIT = 60  # narrow tray hosts cut menu lines; the full sentence is in the window


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
    """What the views render: the last good snapshot, the last error, the thresholds that set
    the credit level, and whether polling is paused."""

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

    @property
    def error_is_current(self) -> bool:
        """The last error is newer than the last good data (or there is no good data)."""
        if self.error is None:
            return False
        return self.snapshot is None or self.error.at >= self.snapshot.fetched_at

    @property
    def current_error(self) -> PollError | None:
        return self.error if self.error_is_current else None

    @property
    def stale(self) -> bool:
        if self.snapshot is None:
            return False
        return self.snapshot.from_cache or self.error_is_current


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
    return replace(shown, paused=True) if state.paused else shown


def _look_of_data(state: ViewState, derived: Derived | None) -> Look:
    error = state.current_error
    if error is not None and error.kind in _BLOCKING_LOOKS:
        return Look(_BLOCKING_LOOKS[error.kind])
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


def _clip(text: str, limit: int = TOOLTIP_LIMIT) -> str:
    return clip_words(text, limit)


def credit_share(derived: Derived) -> str:
    """`3,882 of 5,000 credits (78%)`: the one phrasing of the balance."""
    return fmt.credit_share(
        derived.available_credits, derived.issued_credits, derived.available_fraction
    )


def tooltip(
    state: ViewState, now: datetime, account: str | None = None, limit: int = TOOLTIP_LIMIT
) -> str:
    return tooltip_for(state, now, figures(state, now), account, limit)


def tooltip_for(
    state: ViewState,
    now: datetime,
    derived: Derived | None,
    account: str | None = None,
    limit: int = TOOLTIP_LIMIT,
) -> str:
    """One account's tooltip line, plain text of at most `limit` characters; `account` names
    it when there are several (`tray_tooltip`)."""
    account = sinks.line_text(account) if account else None
    current = look_for(state, derived)
    if current.kind in {
        LookKind.NO_TOKEN,
        LookKind.NO_PERMISSION,
        LookKind.AUTH_REJECTED,
        LookKind.OFFLINE,
    }:
        message = sinks.line_text(state.error.user_message) if state.error else ""
        who = account or _("Neo Usage")
        return _clip(_("{who}: {message}").format(who=who, message=message), limit)
    if derived is None or state.snapshot is None:
        return _clip(_("{who}: loading…").format(who=account or _("Neo Usage")), limit)
    prefix = account or _("Neo")
    if state.paused:
        prefix = _("{name} (polling paused)").format(name=prefix)
    elif state.snapshot.from_cache:
        prefix = _("{name} (cached)").format(name=prefix)
    elif state.stale:
        prefix = _("{name} (offline)").format(name=prefix)
    ahead = forecast(state, now)
    return balance_line(prefix, derived, ahead, state.snapshot.fetched_at, now, limit=limit)


TOOLTIP_ACCOUNTS = 5  # accounts with a line in the tooltip; then "+N more accounts"
#: The whole tooltip's limit where a platform has one (Windows cuts at 127 characters).
TOOLTIP_TOTAL_LIMITS = {"win32": TOOLTIP_LIMIT}


def tray_tooltip(
    accounts: Sequence[tuple[str, ViewState]],
    shown: int,
    now: datetime,
    platform: str,
) -> str:
    """The tray icon's tooltip: with one account its line (as `tooltip`); with several a line
    each, `accounts[shown]` (the one the icon shows) first and then the others in their order,
    at most `TOOLTIP_ACCOUNTS`, then "+N more accounts". Each line is at most `TOOLTIP_LIMIT`
    characters, and the whole fits `platform`'s limit (`sys.platform`; see
    `TOOLTIP_TOTAL_LIMITS`) by shortening every line alike, dropping whole phrases first."""
    if len(accounts) == 1:
        return tooltip(accounts[0][1], now, None, TOOLTIP_TOTAL_LIMITS.get(platform, TOOLTIP_LIMIT))
    order = [shown, *(index for index in range(len(accounts)) if index != shown)]
    listed = [accounts[index] for index in order[:TOOLTIP_ACCOUNTS]]
    hidden = len(accounts) - len(listed)
    more = (
        ngettext("+{count} more account", "+{count} more accounts", hidden).format(count=hidden)
        if hidden
        else None
    )
    per_line = TOOLTIP_LIMIT
    total = TOOLTIP_TOTAL_LIMITS.get(platform)
    if total is not None:
        newlines = len(listed) - (0 if more else 1)
        per_line = min(per_line, (total - newlines - len(more or "")) // len(listed))
    lines = [tooltip(state, now, name or _("Neo"), per_line) for name, state in listed]
    return "\n".join([*lines, *([more] if more else [])])


def attention(state: ViewState, now: datetime) -> tuple[int, float]:
    """How much an account needs the user, lowest first: lost access or expired credits, then
    the share left (lowest first), then no data for an error, then still loading."""
    error = state.current_error
    if error is not None and error.needs_user_action:
        return (0, 0.0)
    derived = figures(state, now)
    if derived is None:
        return (2, 0.0) if error is not None else (3, 0.0)
    if derived.expired:
        return (0, 0.0)
    share = derived.available_fraction
    return (1, share if share is not None else 1.0)


def most_attention(states: Sequence[ViewState], now: datetime) -> int:
    """The index of the account the tray icon shows by default (the first of equals)."""
    return min(range(len(states)), key=lambda index: (attention(states[index], now), index))


def balance_line(
    prefix: str,
    derived: Derived,
    ahead: Forecast | None,
    fetched_at: datetime,
    now: datetime,
    *,
    limit: int = TOOLTIP_LIMIT,
) -> str:
    """The tooltip's line (also the status bars'): figures, expiry, forecast and age, whole
    parts dropped from the end to fit `limit` characters."""
    updated = fmt.ago(fetched_at, now)
    if derived.expired:
        expired = _("{name}: credits expired · {balance}").format(
            name=prefix, balance=credit_share(derived)
        )
        return fit_parts([expired, updated], limit)
    countdown = fmt.countdown(derived.expires_in, derived.expired)
    parts = [figures_part(prefix, derived), countdown, forecast_line(ahead), updated]
    return fit_parts(parts, limit)


LEVEL_WORDS = {
    CreditLevel.LOW: N_("low"),
    CreditLevel.CRITICAL: N_("critical"),
    CreditLevel.EMPTY: N_("empty"),
    CreditLevel.EXPIRED: N_("expired"),
}


LEVEL_NAMES = {
    CreditLevel.OK: N_("ok"),
    CreditLevel.UNKNOWN: N_("unknown"),
    **LEVEL_WORDS,
}


def level_word(level: CreditLevel) -> str:
    """The level in words (`low`), for texts that say it whatever it is."""
    return _(LEVEL_NAMES[level])


def figures_part(prefix: str, derived: Derived) -> str:
    """`Neo: 1,200 of 5,000 credits (24%) — low`: the level in words, never by colour alone."""
    word = LEVEL_WORDS.get(derived.level)
    if word:
        return _("{name}: {balance} — {level}").format(
            name=prefix, balance=credit_share(derived), level=_(word)
        )
    return _("{name}: {balance}").format(name=prefix, balance=credit_share(derived))


PHRASE_SEPARATOR = " · "


def fit_parts(parts: Sequence[str | None], limit: int = TOOLTIP_LIMIT) -> str:
    """Parts joined with " · ", whole parts dropped from the end to fit; a first part too long
    alone is cut between words, with an ellipsis (`clip_words`)."""
    kept = [part for part in parts if part]
    while len(kept) > 1 and len(PHRASE_SEPARATOR.join(kept)) > limit:
        kept.pop()
    return clip_words(PHRASE_SEPARATOR.join(kept), limit)


def clip_phrases(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut where its " · " phrases meet (whole phrases
    dropped from the end), never inside one unless the first is too long alone."""
    return text if len(text) <= limit else fit_parts(text.split(PHRASE_SEPARATOR), limit)


def credit_line(derived: Derived | None) -> str:
    return _("Available: {balance}").format(balance=credit_share(derived) if derived else "—")


def expiry_line(derived: Derived | None) -> str:
    if derived is None:
        return _("Expiry: —")
    if derived.expired:
        if derived.expires_at is None:
            return _("Credits expired")
        return _("Credits expired {when}").format(when=fmt.local_datetime(derived.expires_at))
    if derived.expires_at is None:
        return _("Credits never expire")
    countdown = fmt.countdown(derived.expires_in, False)
    return _("{countdown} ({when})").format(
        countdown=countdown[:1].upper() + countdown[1:], when=fmt.local_datetime(derived.expires_at)
    )


def used_line(derived: Derived | None) -> str:
    if derived is None:
        return _("Used since last reset: —")
    used = derived.used_credits
    return ngettext(
        "Used since last reset: {credits} credit",
        "Used since last reset: {credits} credits",
        fmt.plural_count(used),
    ).format(credits=fmt.credits(used))


def menu_lines(state: ViewState, now: datetime, short: bool = False) -> tuple[str, ...]:
    """The status lines at the top of the tray menu: credits, expiry, forecast ("" when there is
    none to tell), usage, freshness. `short` (an account's block among several) leaves the usage
    since the reset out ("", like a missing forecast): the window has it. Plain text, one line
    each, cut after cleaning (so an escape sequence never counts nor splits): the tray writes
    them as menu labels (`sinks.menu_label`)."""
    derived = figures(state, now)
    ahead = forecast_line(forecast(state, now)) or ""
    lines = (
        credit_line(derived),
        expiry_line(derived),
        ahead[:1].upper() + ahead[1:],
        "" if short else used_line(derived),
        status_line(state, now),
    )
    return tuple(clip_phrases(sinks.line_text(line), MENU_LIMIT) for line in lines)


NOTICE_LINES = 4  # a start-up notice's lines in the menu; the log has the whole sentence


def notice_lines(sentence: str) -> tuple[str, ...]:
    """A start-up notice (a refused folder, a damaged setting) as menu lines of at most
    `MENU_LIMIT` characters each, broken between words, at most `NOTICE_LINES` of them (the
    last cut with an ellipsis): a path in it stays readable on a narrow tray host."""
    words = sinks.line_text(sentence).split()
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= MENU_LIMIT:
            lines[-1] += " " + word
        else:
            lines.extend(_pieces(word, MENU_LIMIT))
    if len(lines) > NOTICE_LINES:
        last = clip_words(lines[NOTICE_LINES - 1], MENU_LIMIT - 1)
        lines = [*lines[: NOTICE_LINES - 1], last if last.endswith("…") else last + "…"]
    return tuple(lines)


def _pieces(word: str, limit: int) -> list[str]:
    return [word[start : start + limit] for start in range(0, len(word), limit)] or [""]


def clip_words(text: str, limit: int) -> str:
    """`text` cut at a word boundary to `limit` characters, with an ellipsis, when longer."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ·—,")
    return cut + "…"


def short_date(instant: datetime) -> str:
    """`Dec 12` in the user's time zone, `12. Dez.` in German. The month is named in the app's
    language (Babel's data), not by the C library's `%b`: Qt sets the process locale, so `%b`
    said `Dez` in the tray's English sentences (and `Dec` in `--once`) under a German LC_TIME."""
    return i18n.month_day(instant)


def forecast_line(forecast: Forecast | None) -> str | None:
    """`runs out ~Dec 12 (before expiry)` or `~1,240 will expire unused on Feb 3`; None unless
    the forecast is sound."""
    if forecast is None or not forecast.ok:
        return None
    if forecast.runs_out_before_expiry is False:
        unused = forecast.unused_at_expiry or 0.0
        if unused >= 1 and forecast.expires_at is not None:
            return _("~{credits} will expire unused on {date}").format(
                credits=fmt.credits(round(unused)), date=short_date(forecast.expires_at)
            )
        return None
    if forecast.runs_out_at is None:
        return None
    if forecast.runs_out_before_expiry:
        return _("runs out ~{date} (before expiry)").format(date=short_date(forecast.runs_out_at))
    return _("runs out ~{date}").format(date=short_date(forecast.runs_out_at))


def pace_text(forecast: Forecast | None, derived: Derived | None) -> str | None:
    """`12 points ahead of even use`: the share left against the even-use share."""
    if forecast is None or forecast.pace_fraction is None or derived is None:
        return None
    if derived.available_fraction is None:
        return None
    points = round((derived.available_fraction - forecast.pace_fraction) * 100)
    if points == 0:
        return _("on an even pace")
    if points > 0:
        return ngettext(
            "{count} point ahead of even use", "{count} points ahead of even use", points
        ).format(count=points)
    return ngettext(
        "{count} point behind even use", "{count} points behind even use", -points
    ).format(count=-points)


def forecast_summary(forecast: Forecast | None, derived: Derived | None) -> str:
    """The detail window's forecast line: the rate, what lies ahead, and the pace."""
    return _("Forecast: {details}").format(details=forecast_details(forecast, derived))


def forecast_details(forecast: Forecast | None, derived: Derived | None) -> str:
    """The forecast without its label: `12 credits/day · runs out ~Dec 12 · on an even pace`."""
    if forecast is None:
        return "—"
    if not forecast.ok:
        first = _(FORECAST_REASONS[forecast.status])
    elif forecast.credits_per_day is not None:
        first = _("{credits} credits/day").format(credits=fmt.credits(forecast.credits_per_day))
    else:
        first = ""
    ahead = forecast_line(forecast)
    pace = pace_text(forecast, derived)
    return " · ".join(part for part in (first, ahead, pace) if part) or "—"


FORECAST_REASONS = {
    ForecastStatus.INSUFFICIENT_DATA: N_("not enough days of use yet"),
    ForecastStatus.NO_RECENT_USE: N_("nothing used in the last 14 days"),
    ForecastStatus.EMPTY: N_("no credits left"),
    ForecastStatus.EXPIRED: N_("credits expired"),
    ForecastStatus.UNAVAILABLE: N_("daily usage could not be fetched"),
}


def snooze_title(state: ViewState, now: datetime) -> str:
    """The menu's snooze entry: until when notifications are snoozed, while they are."""
    until = state.snoozed_until
    if until is None or until <= now:
        return _("S&nooze notifications")
    return _("Notifications s&noozed until {time}").format(time=fmt.clock_time(until, now))


def refresh_note_text(state: ViewState, now: datetime) -> str | None:
    """Why the last "Refresh now" sent nothing, while that still holds; else None."""
    note = state.refresh_note
    if note is None or now >= note.until:
        return None
    if note.reason is RefreshRefusal.RATE_LIMITED:
        return _("Rate limited: the next request goes at {time}").format(
            time=fmt.clock_time(note.until, now)
        )
    return _("Just refreshed: try again in {duration}").format(
        duration=fmt.duration(max(1.0, (note.until - now).total_seconds() + 0.999))
    )


def retry_time(error: PollError) -> datetime | None:
    """When a server's Retry-After lets the account ask again (None: it did not say)."""
    if error.retry_after is None:
        return None
    return error.at + timedelta(seconds=error.retry_after)


def status_line(state: ViewState, now: datetime) -> str:
    """Freshness, or the error's short sentence with the age of what is shown meanwhile; a
    refused "Refresh now" says why while that holds."""
    note = refresh_note_text(state, now)
    if note is not None:
        return note
    shown = fmt.ago(state.snapshot.fetched_at, now) if state.snapshot else None
    if state.paused:
        if shown:
            return _("Polling paused · updated {ago}").format(ago=shown)
        return _("Polling paused")
    error = state.current_error
    if error is not None:
        short = error.short_message or error.user_message
        return _("{error} · data from {ago}").format(error=short, ago=shown) if shown else short
    if state.snapshot is None:
        return _("Loading…")
    if state.snapshot.from_cache:
        return _("Updating… (showing data from {ago})").format(ago=shown)
    return _("Updated {ago}").format(ago=shown)


def banner_text(state: ViewState, now: datetime) -> str | None:
    """The detail window's banner: the error's full sentence, or why the data is old; None when
    all is well."""
    error = state.current_error
    if error is None:
        if state.snapshot is not None and state.snapshot.from_cache:
            return status_line(state, now)
        return None
    text = error.user_message
    until = retry_time(error)
    if until is not None and until > now:
        text += " " + _("The next request goes at {time}.").format(time=fmt.clock_time(until, now))
    if state.snapshot is not None:
        text += " " + _("Showing data from {ago}.").format(
            ago=fmt.ago(state.snapshot.fetched_at, now)
        )
    return text


def range_text(query: UsageQuery) -> str:
    """`2026-11-01 → 2026-11-27` in local days, or `all time`."""

    def day(instant: datetime | None) -> str:
        return i18n.day(instant) if instant else "…"

    if query.start is None and query.end is None:
        return _("all time")
    return f"{day(query.start)} → {day(query.end)}"


def expiry_text(summary: UsageSummary, expired: bool) -> str:
    """The overview's expiry cell: local date and time, `never`, or marked expired."""
    when = summary.neo_credits_expires_at
    if when is None:
        return _("expired") if expired else _("never")
    text = fmt.local_datetime(when)
    return _("{when} (expired)").format(when=text) if expired else text


class ByokKind(Enum):
    """What a BYOK figure is, which says how it is written."""

    COST = "cost"  # money, in the currency the API reports it in: two decimals, no symbol
    COUNT = "count"  # streams, tasks: whole numbers
    CREDITS = "credits"  # Neo credits: written as credits, never as money
    AMOUNT = "amount"  # an undocumented figure: as reported


#: The documented fields; an undocumented one is judged by its key's last word.
BYOK_KINDS = {
    "total_llm_cost": ByokKind.COST,
    "total_neo_cost": ByokKind.COST,
    "total_streams": ByokKind.COUNT,
    "total_tasks": ByokKind.COUNT,
}
_COUNT_WORDS = frozenset({"streams", "tasks", "count", "calls", "requests", "runs", "steps"})


def byok_kind(field: str) -> ByokKind:
    """The kind of the BYOK figure under the API's key `field` (never its translated label)."""
    if field in BYOK_KINDS:
        return BYOK_KINDS[field]
    last = field.lower().rsplit("_", 1)[-1]
    if last in ("cost", "costs", "spend", "price"):
        return ByokKind.COST
    if last in ("credit", "credits"):
        return ByokKind.CREDITS
    if last in _COUNT_WORDS:
        return ByokKind.COUNT
    return ByokKind.AMOUNT


def byok_value(field: str, value: float) -> str:
    """A BYOK figure as what it is: a cost with two decimals (`4.75`), a count whole (`12`),
    credits as credits (`1,240 credits`), anything else as reported (`7`, `0.35`)."""
    kind = byok_kind(field)
    if kind is ByokKind.COST:
        return fmt.number(value, 2)
    if kind is ByokKind.COUNT:
        return fmt.number(value, 0)
    if kind is ByokKind.CREDITS:
        return ngettext("{credits} credit", "{credits} credits", fmt.plural_count(value)).format(
            credits=fmt.credits(value)
        )
    return fmt.number(value, 0 if value == round(value) else 2)
