"""The radar in words: the top burner's line, a spiking member's notification, the Team tab's
marks. Pure; the emails in these sentences are the server's text, escaped by each sink.
"""

from __future__ import annotations

from datetime import datetime

from desktop.core import fmt
from desktop.core.i18n import _, ngettext
from desktop.core.radar import WINDOW_DAYS, MemberRadar, Radar, burn_share, top_burner

#: Longer emails show their local part and "@…" where a line is short.
SHORT_EMAIL_LIMIT = 24
#: A ratio from this up is a whole number ("15" times); below it, one decimal ("3.5" times).
WHOLE_RATIO = 10.0


def short_email(email: str) -> str:
    """`email` as it is up to `SHORT_EMAIL_LIMIT` characters; longer, its local part and "@…"
    (`maya.lopez-fernandez@…`), a local part itself past the limit cut with "…" (at most 26
    characters in all). Text without "@" is cut to the limit."""
    if len(email) <= SHORT_EMAIL_LIMIT:
        return email
    local, at, _domain = email.partition("@")
    if not at:
        return email[: SHORT_EMAIL_LIMIT - 1] + "…"
    if len(local) > SHORT_EMAIL_LIMIT:
        local = local[: SHORT_EMAIL_LIMIT - 1] + "…"
    return local + "@…"


def ratio_text(ratio: float | None) -> str:
    """A ratio with the times sign: `15` times (a whole number from 10), `3.5` times (one decimal
    below), `—` without a usual day; in the locale's digits."""
    if ratio is None:
        return "—"
    tenths = fmt.half_up(ratio, 1)
    if tenths >= WHOLE_RATIO:
        return _("{ratio}×").format(ratio=fmt.number(fmt.half_up(ratio)))
    return _("{ratio}×").format(ratio=fmt.number(tenths, 1))


def top_burner_line(
    radar: Radar | None, available: float | None, expires_at: datetime | None, now: datetime
) -> str | None:
    """The Team tab's line above the table for the member with the most credits in the window:
    "At this pace, maya@acme.test spends 40 % of what is left" (their usual day until the
    expiry, `radar.burn_share`); without an expiry, their share of the window's credits. None
    when the radar is unavailable, nobody used credits, or nothing is left to spend."""
    if radar is None or not radar.ok:
        return None
    member = top_burner(radar)
    if member is None:
        return None
    share = burn_share(member, available, expires_at, now)
    if share is None:
        return None
    email = short_email(member.email)
    if expires_at is None:
        return ngettext(
            "{email} used {percent} of the team's credits over the last {days} day",
            "{email} used {percent} of the team's credits over the last {days} days",
            WINDOW_DAYS,
        ).format(email=email, percent=fmt.percent(share), days=WINDOW_DAYS)
    return _("At this pace, {email} spends {percent} of what is left").format(
        email=email, percent=fmt.percent(share)
    )


def spike_title(member: MemberRadar) -> str:
    """A spiking member's notification title: "Unusual team usage: bo@example.com"."""
    return _("Unusual team usage: {email}").format(email=short_email(member.email))


def spike_body(member: MemberRadar) -> str:
    """A spiking member's notification body: "bo@example.com used 15 [times] their usual
    today (30 credits)"; for a member with no usual day, "bo@example.com, new: 30 credits today"."""
    count = fmt.plural_count(member.today_credits)
    today = fmt.credits(member.today_credits)
    if member.ratio is None:
        return ngettext(
            "{email}, new: {credits} credit today",
            "{email}, new: {credits} credits today",
            count,
        ).format(email=member.email, credits=today)
    return ngettext(
        "{email} used {ratio} their usual today ({credits} credit)",
        "{email} used {ratio} their usual today ({credits} credits)",
        count,
    ).format(email=member.email, ratio=ratio_text(member.ratio), credits=today)


def member_accessible_text(member: MemberRadar) -> str:
    """What a screen reader hears for a member's row: their email, today's credits against
    their usual day, and whether that is unusual."""
    count = fmt.plural_count(member.today_credits)
    today = fmt.credits(member.today_credits)
    if member.ratio is None:
        figures = ngettext(
            "{email}: {credits} credit today, no usage before",
            "{email}: {credits} credits today, no usage before",
            count,
        ).format(email=member.email, credits=today)
    else:
        figures = ngettext(
            "{email}: {credits} credit today, {ratio} their usual day",
            "{email}: {credits} credits today, {ratio} their usual day",
            count,
        ).format(email=member.email, credits=today, ratio=ratio_text(member.ratio))
    if member.unusual:
        return _("{figures} (unusual)").format(figures=figures)
    return figures


def unavailable_line() -> str:
    """The Team tab's sentence in place of today's figures when a request for them failed."""
    return _("Today's figures per member could not be fetched; they are tried again next poll.")
