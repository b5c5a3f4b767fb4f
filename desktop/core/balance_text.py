"""The account's figures in words: the balance, its level, expiry and usage, and the forecast,
phrased once for the tray, the detail window and the status bars.

Pure: views and `--once` show the strings this module returns.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from desktop.core import fmt, i18n
from desktop.core.derive import Derived
from desktop.core.forecast import Forecast, ForecastStatus
from desktop.core.i18n import N_, _, ngettext
from desktop.core.levels import CreditLevel
from desktop.core.text_fit import TOOLTIP_LIMIT, fit_parts

if TYPE_CHECKING:  # the cached status-bar path phrases figures without the models (pydantic)
    from desktop.core.member_rules import MemberCap
    from desktop.core.models import UsageSummary


def credit_share(derived: Derived) -> str:
    """`3,882 of 5,000 credits (78%)`: the one phrasing of the balance."""
    return fmt.credit_share(
        derived.available_credits, derived.issued_credits, derived.available_fraction
    )


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


def cap_share(cap: MemberCap) -> str:
    """`$32 of $75 cap left (43%)`: the one phrasing of a member's own spending cap
    (`/api/v1/user` `cap`, US dollars, `fmt.money`; the share is `fraction_left`)."""
    return _("{left} of {limit} cap left ({percent})").format(
        left=fmt.money(cap.remaining),
        limit=fmt.money(cap.limit),
        percent=fmt.percent(cap.fraction_left),
    )


def member_name(name: str, team: str | None, state: str | None = None) -> str:
    """`Neo (member of Acme Sec)`, `Neo (team member)` without a team's name; `state` (cached,
    offline, polling paused) joins the parentheses. `team` is the server's text: the caller
    escapes it for its sink first."""
    if team is None:
        if state is None:
            return _("{name} (team member)").format(name=name)
        return _("{name} (team member, {state})").format(name=name, state=state)
    if state is None:
        return _("{name} (member of {team})").format(name=name, team=team)
    return _("{name} (member of {team}, {state})").format(name=name, team=team, state=state)


def cap_line(named: str, cap: MemberCap | None, level: CreditLevel) -> str:
    """`Neo (member of Acme Sec): $32 of $75 cap left (43%)`, with the level in words when it
    is low, critical or empty (never by colour alone); `named` is `member_name`'s."""
    if cap is None:  # member mode holds a cap; a profile without one is no member mode
        return _("{name}: {balance}").format(name=named, balance=_("no spending cap"))
    word = LEVEL_WORDS.get(level)
    if word:
        return _("{name}: {balance} — {level}").format(
            name=named, balance=cap_share(cap), level=_(word)
        )
    return _("{name}: {balance}").format(name=named, balance=cap_share(cap))


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


def expiry_text(summary: UsageSummary, expired: bool) -> str:
    """The overview's expiry cell: local date and time, `never`, or marked expired."""
    when = summary.neo_credits_expires_at
    if when is None:
        return _("expired") if expired else _("never")
    text = fmt.local_datetime(when)
    return _("{when} (expired)").format(when=text) if expired else text


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
