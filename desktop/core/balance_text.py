"""The account's figures in words: the balance, its level, expiry and usage, and the forecast,
phrased once for the tray, the detail window and the status bars.

Pure: views and `--once` show the strings this module returns.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from desktop.core import fmt, i18n, local_time
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


#: A member's cap in words: used up, it is "cap reached" (as the notification says), not
#: "empty"; Waybar's class stays `empty` (the contract's classes never change).
CAP_LEVEL_WORDS = {**LEVEL_WORDS, CreditLevel.EMPTY: N_("cap reached")}


LEVEL_NAMES = {
    CreditLevel.OK: N_("ok"),
    CreditLevel.UNKNOWN: N_("unknown"),
    **LEVEL_WORDS,
}


def level_word(level: CreditLevel) -> str:
    """The level in words (`low`), for texts that say it whatever it is."""
    return _(LEVEL_NAMES[level])


def cap_level_word(level: CreditLevel) -> str:
    """A member's cap level in words (`low`, `cap reached`), for texts that say it whatever it
    is."""
    return _(CAP_LEVEL_WORDS.get(level, LEVEL_NAMES[level]))


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
    countdown = fmt.countdown(derived.expires_in, derived.expired, expires_at=derived.expires_at)
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
    is low, critical or used up (`cap reached`; never by colour alone); `named` is
    `member_name`'s."""
    if cap is None:  # member mode holds a cap; a profile without one is no member mode
        return _("{name}: {balance}").format(name=named, balance=_("no spending cap"))
    return _("{name}: {balance}").format(name=named, balance=cap_figures(cap, level))


def cap_figures(cap: MemberCap, level: CreditLevel) -> str:
    """`$32 of $75 cap left (43%)`, `$0 of $75 cap left (0%) — cap reached`: `cap_share` with
    the level in words when it is low, critical or used up (`CAP_LEVEL_WORDS`)."""
    word = CAP_LEVEL_WORDS.get(level)
    if word:
        return _("{balance} — {level}").format(balance=cap_share(cap), level=_(word))
    return cap_share(cap)


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
    countdown = fmt.countdown(derived.expires_in, False, expires_at=derived.expires_at)
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


def day_range(earliest: datetime, latest: datetime) -> str:
    """`Dec 10 - 14`, `Nov 29 - Dec 3`, `10.-14. Dez.`: the local days from `earliest` to
    `latest` in the locale's date-interval format (CLDR's `MMMd`, `core/cldr`); one day is
    `short_date`'s. (Each dash an en dash.)"""
    from desktop.core import cldr

    return cldr.format_month_day_range(
        local_time.local_date(earliest), local_time.local_date(latest), i18n.conventions()
    )


def runs_out_range(forecast: Forecast) -> tuple[datetime | None, datetime | None] | None:
    """When the credits run out, earliest and latest (`Forecast.runs_out_range`; a forecast
    without a range, from an older cache, is its point's day); None unless it is sound."""
    if not forecast.ok:
        return None
    if forecast.runs_out_range is not None:
        return forecast.runs_out_range
    return forecast.runs_out_at, forecast.runs_out_at


def forecast_line(forecast: Forecast | None) -> str | None:
    """What lies ahead, in the tray's words (also the window's, the status bars' and `--once`'s):
    `runs out ~Dec 12` (the range falls on one local day), `runs out Dec 10 - 14` (it spans
    days), `may run out before they expire (Feb 5)` (it straddles the expiry), `~600-900
    credits will expire unused on Feb 5` (it runs out after the expiry: the credits unused,
    `fmt.about_credits`, one figure when both read alike). None unless the forecast is sound
    and has something to say."""
    ahead = runs_out_range(forecast) if forecast is not None else None
    if forecast is None or ahead is None:
        return None
    earliest, latest = ahead
    expires = forecast.expires_at
    if expires is not None and (earliest is None or earliest >= expires):
        return unused_line(forecast, expires)
    if earliest is None:
        return None
    if expires is not None and (latest is None or latest >= expires):
        return _("may run out before they expire ({date})").format(date=short_date(expires))
    if latest is None:  # past any date the app can show
        return _("runs out {date} or later").format(date=short_date(earliest))
    if local_time.local_date(earliest) == local_time.local_date(latest):
        return _("runs out ~{date}").format(date=short_date(earliest))
    return _("runs out {dates}").format(dates=day_range(earliest, latest))


def unused_line(forecast: Forecast, expires: datetime) -> str | None:
    """`~600-900 credits will expire unused on Feb 5` (`~900 credits …` when both figures read
    alike): `Forecast.unused_at_expiry_range` (or its point, from an older cache), to 2
    significant digits; None when not a whole credit would be left."""
    point = forecast.unused_at_expiry or 0.0
    low, high = forecast.unused_at_expiry_range or (point, point)
    if fmt.significant(high) < 1:
        return None
    date = short_date(expires)
    fewest, most = fmt.about_credits(low), fmt.about_credits(high)
    count = fmt.plural_count(fmt.significant(high))
    if fewest == most:
        return ngettext(
            "~{credits} credit will expire unused on {date}",
            "~{credits} credits will expire unused on {date}",
            count,
        ).format(credits=most, date=date)
    return ngettext(
        "~{low}–{high} credit will expire unused on {date}",
        "~{low}–{high} credits will expire unused on {date}",
        count,
    ).format(low=fewest, high=most, date=date)


def pace_text(forecast: Forecast | None, derived: Derived | None) -> str | None:
    """The pace since the last reset against even use to the expiry (`Forecast.pace_fraction`),
    in credits: behind, `at an even pace you would have about 1,100 more left` (the issued
    credits' even share left now, less those left); ahead, `at this pace about 1,200 will expire
    unused` (the forecast's own credits unused at the expiry; without a sound forecast, at the
    pace since the reset). Figures to 2 significant digits. None where there is nothing true to
    say: no pace, or ahead of even use while the forecast's pace runs out before the expiry."""
    if forecast is None or forecast.pace_fraction is None or derived is None:
        return None
    share, issued = derived.available_fraction, derived.issued_credits
    available = derived.available_credits
    if share is None or issued is None or available is None:
        return None
    pace = forecast.pace_fraction
    if round((share - pace) * 100) == 0:
        return _("on an even pace")
    if share < pace:
        more = issued * pace - available
        return ngettext(
            "at an even pace you would have about {credits} more left",
            "at an even pace you would have about {credits} more left",
            fmt.plural_count(fmt.significant(more)),
        ).format(credits=fmt.about_credits(more))
    if forecast.ok:
        unused = forecast.unused_at_expiry or 0.0
    elif pace < 1:  # the pace since the reset, carried to the expiry: (A - I*p) / (1 - p)
        unused = (available - issued * pace) / (1 - pace)
    else:
        return None
    if fmt.significant(unused) < 1:
        return None
    return ngettext(
        "at this pace about {credits} will expire unused",
        "at this pace about {credits} will expire unused",
        fmt.plural_count(fmt.significant(unused)),
    ).format(credits=fmt.about_credits(unused))


def forecast_summary(forecast: Forecast | None, derived: Derived | None) -> str:
    """The detail window's forecast line: the rate, what lies ahead, and the pace."""
    return _("Forecast: {details}").format(details=forecast_details(forecast, derived))


def forecast_details(forecast: Forecast | None, derived: Derived | None) -> str:
    """The forecast without its label: `12 credits/day · runs out Dec 10 - 14 · at an even pace
    you would have about 1,100 more left`."""
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
    if pace is not None and speaks_of_expiry(forecast) and pace_is_ahead(forecast, derived):
        # "may run out before they expire · at this pace about 620 will expire unused"
        # contradicts itself, "~290-1,400 will expire unused · … about 870 will expire unused"
        # repeats: the forecast's line already said what lies at the expiry.
        pace = None
    return " · ".join(part for part in (first, ahead, pace) if part) or "—"


def speaks_of_expiry(forecast: Forecast) -> bool:
    """Whether `forecast_line` speaks of the expiry: credits unused at it, or a run-out that
    may come before it (a sound forecast whose latest run-out is not before the expiry)."""
    ahead = runs_out_range(forecast)
    if ahead is None or forecast.expires_at is None:
        return False
    return ahead[1] is None or ahead[1] >= forecast.expires_at


def pace_is_ahead(forecast: Forecast, derived: Derived | None) -> bool:
    """Whether `pace_text` says the "ahead" line: more left than even use to the expiry would
    leave (not "on an even pace")."""
    pace = forecast.pace_fraction
    share = derived.available_fraction if derived is not None else None
    if pace is None or share is None:
        return False
    return share > pace and round((share - pace) * 100) != 0


FORECAST_REASONS = {
    ForecastStatus.INSUFFICIENT_DATA: N_("not enough days of use yet"),
    ForecastStatus.NO_RECENT_USE: N_("nothing used in the last 14 days"),
    ForecastStatus.EMPTY: N_("no credits left"),
    ForecastStatus.EXPIRED: N_("credits expired"),
    ForecastStatus.UNAVAILABLE: N_("daily usage could not be fetched"),
}
